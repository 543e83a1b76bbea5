"""Sizing, exits and entry orders from the CLI's short text (--sizing, --stop-loss, --order...),
and back."""

from __future__ import annotations

from typing import Any

import pytest

from trademind.backtest.engine.config import BacktestConfig
from trademind.core.errors import UsageError
from trademind.fills.sizing import (
    AllIn,
    CappedKelly,
    FixedCash,
    FixedFraction,
    SizingRule,
    VolatilityTarget,
)
from trademind.services.backtest_options.execution import (
    describe_order,
    describe_sizing,
    parse_execution,
    parse_order,
    parse_sizing,
)

SIZINGS: list[tuple[str, SizingRule]] = [
    ("all-in", AllIn()),
    ("ALL-IN", AllIn()),
    ("cash:10000", FixedCash(10_000.0)),
    ("fraction:10%", FixedFraction(0.1)),
    ("fraction: 2.5 %", FixedFraction(0.025)),
    ("volatility:1%", VolatilityTarget(0.01, "atr", 14, 1.0)),
    ("volatility:2%,period=20,max=50%,source=std", VolatilityTarget(0.02, "std", 20, 0.5)),
    ("kelly:win=55%,payoff=1.5", CappedKelly(0.55, 1.5, 0.25)),
    ("kelly:payoff=2,win=60%,cap=10%", CappedKelly(0.6, 2.0, 0.1)),
]


@pytest.mark.parametrize(("text", "rule"), SIZINGS)
def test_sizing_texts(text: str, rule: SizingRule) -> None:
    assert parse_sizing(text) == rule


@pytest.mark.parametrize("rule", [rule for _, rule in SIZINGS])
def test_described_sizing_reads_back_as_the_same_rule(rule: SizingRule) -> None:
    assert parse_sizing(describe_sizing(rule)) == rule


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bogus", "not a sizing rule; use all-in, cash:<dollars>"),
        ("fraction:0.1", "'0.1' is not a percentage like 5%"),
        ("fraction:150%", "sizing fraction: 1.5 is outside"),
        ("cash:-5", "fixed cash amount"),
        ("cash:lots", "'lots' is not a number"),
        ("volatility:1%,period=2.5", "period must be a whole number of bars"),
        ("volatility:1%,source=range", "source must be atr or std"),
        ("volatility:1%,speed=3", "'speed=3' is not one of period=<number>, max=<percent>%"),
        ("kelly:win=55%", "kelly needs win=<percent>% and payoff="),
        ("kelly:win=55%,payoff=1.5,win=60%", "win is given twice"),
        ("all-in:5", "not a sizing rule"),
    ],
)
def test_bad_sizing_texts_name_the_option_and_the_problem(text: str, message: str) -> None:
    with pytest.raises(UsageError, match="--sizing") as caught:
        parse_sizing(text)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("market", {"order_type": "market", "limit_offset": 0.0, "stop_offset": 0.0}),
        ("limit:1%", {"order_type": "limit", "limit_offset": 0.01}),
        ("stop:0.5%", {"order_type": "stop", "stop_offset": 0.005}),
        (
            "stop-limit:1%,0.5%",
            {"order_type": "stop_limit", "stop_offset": 0.01, "limit_offset": 0.005},
        ),
    ],
)
def test_order_texts_and_back(text: str, fields: dict[str, Any]) -> None:
    assert parse_order(text) == fields
    config = BacktestConfig().replace(**fields)
    assert describe_order(config.order_type, config.limit_offset, config.stop_offset) == text


@pytest.mark.parametrize("text", ["limit", "limit:1", "twap", "stop-limit:1%"])
def test_bad_order_texts(text: str) -> None:
    with pytest.raises(UsageError, match="--order"):
        parse_order(text)


def test_execution_options_become_config_fields() -> None:
    overrides = parse_execution(
        {
            "sizing": "fraction:20%",
            "stop_loss": "5%",
            "take_profit": "150%",
            "trailing_stop": "8%",
            "order": "limit:1%",
            "time_in_force": "GTC",
        }
    )
    config = BacktestConfig().replace(**overrides)
    assert config.sizing == FixedFraction(0.2)
    assert (config.stop_loss, config.take_profit, config.trailing_stop) == (0.05, 1.5, 0.08)
    assert (config.order_type, config.limit_offset, config.time_in_force) == ("limit", 0.01, "gtc")


def test_options_not_given_change_nothing() -> None:
    assert parse_execution({"sizing": None, "stop_loss": None}) == {}


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("stop_loss", "5", "--stop-loss '5': '5' is not a percentage like 5%"),
        ("stop_loss", "100%", "--stop-loss '100%': must be above 0% and below 100%"),
        ("trailing_stop", "0%", "--trailing-stop '0%': must be above 0% and below 100%"),
        ("take_profit", "20000%", "--take-profit '20000%': must be above 0% and at most 10000%"),
        ("time_in_force", "week", "--time-in-force 'week': use day or gtc"),
    ],
)
def test_bad_exit_and_time_in_force_texts(key: str, text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_execution({key: text})
    assert str(caught.value) == message


def test_an_unknown_key_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        parse_execution({"leverage": "2"})
