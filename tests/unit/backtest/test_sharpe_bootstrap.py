"""Sharpe ratios with paired block-bootstrap intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trademind.backtest.analytics.montecarlo import block_indices
from trademind.backtest.analytics.sharpe_bootstrap import bootstrap_sharpe, sharpe_rows
from trademind.core.errors import ValidationError

RNG = np.random.default_rng(21)
A = RNG.normal(0.0008, 0.01, 1000)
B = A + RNG.normal(0.0, 0.003, 1000)


def test_the_sharpe_ratio_is_the_annualised_mean_over_the_sample_deviation() -> None:
    expected = A.mean() / A.std(ddof=1) * math.sqrt(252)
    assert sharpe_rows(A, 252.0, 0.0) == pytest.approx(expected)
    assert np.isnan(sharpe_rows(np.zeros(10), 252.0, 0.0))
    daily_rf = (1.02) ** (1 / 252) - 1
    excess = A - daily_rf
    assert sharpe_rows(A, 252.0, 0.02) == pytest.approx(
        excess.mean() / excess.std(ddof=1) * math.sqrt(252)
    )


def test_the_same_seed_gives_the_same_intervals_and_another_seed_others() -> None:
    args = {"runs": 500, "periods_per_year": 252.0}
    first = bootstrap_sharpe({"a": A, "b": B}, (("a", "b"),), seed=3, **args)
    again = bootstrap_sharpe({"a": A.copy(), "b": B.copy()}, (("a", "b"),), seed=3, **args)
    other = bootstrap_sharpe({"a": A, "b": B}, (("a", "b"),), seed=4, **args)
    assert first == again
    assert first.sharpe["a"] != other.sharpe["a"]
    assert first.sharpe["a"].estimate == other.sharpe["a"].estimate


def test_intervals_hold_the_estimate_and_the_paired_difference_is_narrower() -> None:
    result = bootstrap_sharpe(
        {"a": A, "b": B}, (("a", "b"),), runs=2000, seed=1, periods_per_year=252.0
    )
    for interval in result.sharpe.values():
        assert interval.low < interval.estimate < interval.high
    paired = result.differences[("a", "b")]
    assert paired.estimate == pytest.approx(
        result.sharpe["a"].estimate - result.sharpe["b"].estimate
    )
    width = paired.high - paired.low
    assert width < 0.5 * (result.sharpe["a"].high - result.sharpe["a"].low)
    same = bootstrap_sharpe({"a": A, "c": A.copy()}, (("a", "c"),), runs=200, seed=1,
                            periods_per_year=252.0)  # fmt: skip
    assert same.differences[("a", "c")].low == same.differences[("a", "c")].high == 0.0


def test_blocks_are_consecutive_days_wrapping_at_the_end() -> None:
    picks = block_indices(np.random.default_rng(0), 50, 23, 10)
    assert picks.shape == (50, 23)
    steps = np.diff(picks, axis=1)
    assert set(np.unique(steps[:, :9])) <= {1, -22}  # inside the first block: next day or wrap
    assert picks.min() >= 0
    assert picks.max() < 23


def test_bad_series_are_refused() -> None:
    with pytest.raises(ValidationError, match="equal length"):
        bootstrap_sharpe({"a": A, "b": B[:-1]}, runs=10, seed=0, periods_per_year=252.0)
    with pytest.raises(ValidationError, match="finite"):
        bootstrap_sharpe({"a": np.array([0.1, np.nan])}, runs=10, seed=0, periods_per_year=252.0)
    with pytest.raises(ValidationError, match="runs"):
        bootstrap_sharpe({"a": A}, runs=0, seed=0, periods_per_year=252.0)
