"""Sweep values from --param text: single values, lists and inclusive ranges, all validated."""

from __future__ import annotations

import pytest

from trademind.core.errors import UsageError
from trademind.services.backtest_options.params import parse_param_values


def test_ranges_lists_and_single_values() -> None:
    values = parse_param_values("ma_crossover", ["fast=5:20:5", "slow=30,50", "average=EMA"])
    assert values == {"fast": [5, 10, 15, 20], "slow": [30, 50], "average": ["ema"]}
    assert all(isinstance(v, int) for v in values["fast"])


def test_float_ranges_include_the_end_without_drift() -> None:
    values = parse_param_values("bollinger_reversion", ["std=1.5:3:0.5"])
    assert values == {"std": [1.5, 2.0, 2.5, 3.0]}


def test_duplicates_in_a_list_are_tried_once() -> None:
    assert parse_param_values("ma_crossover", ["fast=5,5,10"]) == {"fast": [5, 10]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fast", "expected name=value"),
        ("nope=1", "unknown parameter 'nope'"),
        ("fast=1:10:3", "below the minimum"),
        ("fast=5:10:0", "step must be positive"),
        ("fast=10:5:1", "ends (5) before it starts (10)"),
        ("fast=5:10", "start:stop:step"),
        ("fast=a:10:1", "'a' is not a number"),
        ("fast=5.5", "whole number"),
        ("average=sma:ema:1", "is a choice"),
        ("average=wma", "not one of sma, ema"),
        ("fast=1:1000000:1", "at most 10,000 per range"),
    ],
)
def test_bad_values_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(UsageError) as error:
        parse_param_values("ma_crossover", [text])
    assert message in str(error.value)


def test_a_parameter_given_twice_is_an_error() -> None:
    with pytest.raises(UsageError, match="given twice"):
        parse_param_values("ma_crossover", ["fast=5", "fast=10"])
