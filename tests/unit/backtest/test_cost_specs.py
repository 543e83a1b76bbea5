"""Cost models from the CLI's short text (--slippage, --commission), and back."""

from __future__ import annotations

import pytest

from trademind.core.errors import UsageError
from trademind.fills.commission import PercentageCommission, PerShareCommission, ZeroCommission
from trademind.fills.slippage import AtrSlippage, FixedBpsSlippage, NoSlippage
from trademind.services.backtest_options.costs import (
    describe_commission,
    describe_slippage,
    parse_commission,
    parse_slippage,
)


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("none", NoSlippage()),
        ("NONE", NoSlippage()),
        ("5bps", FixedBpsSlippage(5.0)),
        ("2.5 bps", FixedBpsSlippage(2.5)),
        ("1bp", FixedBpsSlippage(1.0)),
        ("atr:0.1", AtrSlippage(0.1, 14)),
        ("atr:0.25,period=20", AtrSlippage(0.25, 20)),
    ],
)
def test_slippage_texts(text: str, model: object) -> None:
    assert parse_slippage(text) == model


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("none", ZeroCommission()),
        ("0.1%", PercentageCommission(0.001)),
        ("0.05 %", PercentageCommission(0.0005)),
        ("ibkr", PerShareCommission(0.005, 1.0, 0.01)),
        ("per-share:0.005", PerShareCommission(0.005, 1.0, 0.01)),
        ("per-share:0.0035,min=0.35,max=0", PerShareCommission(0.0035, 0.35, 0.0)),
        ("PER-SHARE:0.01,max=0.005,min=2", PerShareCommission(0.01, 2.0, 0.005)),
    ],
)
def test_commission_texts(text: str, model: object) -> None:
    assert parse_commission(text) == model


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5x", "not a slippage model"),
        ("", "not a slippage model"),
        ("bps", "not a slippage model"),
        ("2000bps", "outside"),
        ("-1bps", "outside"),
        ("atr:abc", "'abc' is not a number"),
        ("atr:0.1,period=2.5", "whole number"),
        ("atr:0.1,window=3", "period=<number>"),
        ("atr:0.1,period=0", "outside"),
        ("atr:20", "outside"),
    ],
)
def test_bad_slippage_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(UsageError, match="--slippage") as error:
        parse_slippage(text)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cheap", "not a commission model"),
        ("50%", "outside [0, 0.1]"),
        ("-0.1%", "outside"),
        ("per-share:", "'' is not a number"),
        ("per-share:2", "outside"),
        ("per-share:0.005,min=1,min=2", "given twice"),
        ("per-share:0.005,cap=1", "not one of min=<number>, max=<number>"),
        ("percent:0.1", "not a commission model"),
    ],
)
def test_bad_commission_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(UsageError, match="--commission") as error:
        parse_commission(text)
    assert message in str(error.value)


@pytest.mark.parametrize("text", ["none", "5bps", "0.5bps", "atr:0.1,period=14"])
def test_slippage_descriptions_parse_back(text: str) -> None:
    model = parse_slippage(text)
    assert describe_slippage(model) == text
    assert parse_slippage(describe_slippage(model)) == model


@pytest.mark.parametrize("text", ["none", "0.1%", "per-share:0.005,min=1,max=0.01"])
def test_commission_descriptions_parse_back(text: str) -> None:
    model = parse_commission(text)
    assert describe_commission(model) == text
    assert parse_commission(describe_commission(model)) == model
