"""The paired block bootstrap of the A/B tests on synthetic series with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trademind.backtest.analytics.paired_bootstrap import paired_bootstrap
from trademind.core.errors import ValidationError


def _noise(days: int = 500, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0004, 0.01, size=days)


def test_identical_variants_differ_by_zero_with_an_interval_of_zero() -> None:
    a = _noise()
    result = paired_bootstrap(a, a.copy(), resamples=500, seed=1, block_length=10)
    for interval in (result.sharpe, result.total_return, result.max_drawdown):
        assert interval.estimate == 0.0
        assert interval.low == 0.0 == interval.high  # paired: every resample differs by 0
        assert not interval.excludes_zero


def test_a_constant_extra_daily_return_gives_intervals_above_zero() -> None:
    a = _noise()
    extra = 0.001
    result = paired_bootstrap(a, a + extra, resamples=1000, seed=3, block_length=10)
    expected_sharpe = extra / float(np.std(a, ddof=1)) * math.sqrt(252)
    assert result.sharpe.estimate == pytest.approx(expected_sharpe)
    assert result.sharpe.low > 0
    assert result.total_return.low > 0
    assert result.total_return.excludes_zero
    assert result.max_drawdown.estimate >= 0  # B's drawdown is never deeper


def test_independent_noise_of_equal_means_gives_an_interval_around_zero() -> None:
    a, b = _noise(seed=11), _noise(seed=12)
    result = paired_bootstrap(a, b, resamples=2000, seed=5, block_length=10)
    assert result.sharpe.low < result.sharpe.estimate < result.sharpe.high
    assert result.sharpe.low < 0 < result.sharpe.high


def test_the_figures_of_each_series() -> None:
    a = np.full(30, 0.0)
    b = np.array([0.01, -0.02] * 15)
    result = paired_bootstrap(a, b, resamples=10, seed=0, block_length=5)
    assert result.a.sharpe == 0.0  # no variation
    assert result.a.total_return == 0.0
    assert result.a.max_drawdown == 0.0
    assert result.b.total_return == pytest.approx((1.01 * 0.98) ** 15 - 1)
    assert result.b.max_drawdown == pytest.approx(min(0.98 * (1.01 * 0.98) ** 14 - 1, 0.98 - 1))


def test_the_same_seed_gives_the_same_intervals_and_another_seed_others() -> None:
    a, b = _noise(seed=1), _noise(seed=2)
    first = paired_bootstrap(a, b, resamples=300, seed=42, block_length=10)
    again = paired_bootstrap(a, b, resamples=300, seed=42, block_length=10)
    other = paired_bootstrap(a, b, resamples=300, seed=43, block_length=10)
    assert first == again
    assert other.sharpe.low != first.sharpe.low


def test_the_block_is_cut_to_the_days() -> None:
    a = _noise(days=25)
    assert paired_bootstrap(a, a, resamples=5, seed=0, block_length=60).block_length == 25


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        (np.zeros(5), np.zeros(5), "only 5 common trading day"),
        (np.zeros(30), np.zeros(29), "same length"),
        (np.r_[np.zeros(29), np.nan], np.zeros(30), "NaN"),
        (np.r_[np.zeros(29), -1.0], np.zeros(30), "wiped out"),
    ],
)
def test_bad_series_are_refused(a: np.ndarray, b: np.ndarray, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        paired_bootstrap(a, b, resamples=10, seed=0, block_length=5)
