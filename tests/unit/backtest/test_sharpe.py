"""Deflated Sharpe ratio (sweeps): the formula, its limits and the expected maximum Sharpe."""

from __future__ import annotations

import math
import statistics
from statistics import NormalDist

import numpy as np
import pytest

from trademind.backtest.analytics.metrics import deflated_sharpe
from trademind.backtest.analytics.sharpe import expected_max_sharpe, norm_cdf
from trademind.core.errors import ValidationError

GAMMA = 0.5772156649015329
PPY = 252.0


def best_returns(seed: int = 21, size: int = 500) -> list[float]:
    return np.random.default_rng(seed).normal(0.0008, 0.01, size).tolist()


def hand_sr0(trial_sharpes: list[float]) -> float:
    """Expected maximum per-period Sharpe ratio of the trials (DSR paper, eq. for SR0)."""
    per_period = [s / math.sqrt(PPY) for s in trial_sharpes]
    n_trials = len(per_period)
    normal = NormalDist()
    return math.sqrt(statistics.variance(per_period)) * (
        (1 - GAMMA) * normal.inv_cdf(1 - 1 / n_trials)
        + GAMMA * normal.inv_cdf(1 - 1 / (n_trials * math.e))
    )


def hand_psr(returns: list[float], sr0: float) -> float:
    """Bailey & López de Prado (2012/2014), written out with the standard library only."""
    normal = NormalDist()
    n = len(returns)
    mean = sum(returns) / n
    m2 = sum((r - mean) ** 2 for r in returns) / n
    skew = sum((r - mean) ** 3 for r in returns) / n / m2**1.5
    kurt = sum((r - mean) ** 4 for r in returns) / n / m2**2
    sr = mean / statistics.stdev(returns)
    z = (sr - sr0) * math.sqrt(n - 1) / math.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr**2)
    return normal.cdf(z)


def test_deflated_sharpe_matches_the_paper_formula() -> None:
    trials = np.random.default_rng(3).normal(0.5, 0.6, 200).tolist()
    returns = best_returns()
    result = deflated_sharpe(trials, returns, periods_per_year=PPY)
    assert result == pytest.approx(hand_psr(returns, hand_sr0(trials)), rel=1e-10)


def test_more_trials_deflate_more_and_one_trial_is_the_plain_psr() -> None:
    returns = best_returns()
    single = deflated_sharpe([1.2], returns, periods_per_year=PPY)
    few = deflated_sharpe([1.2, 0.4, -0.3], returns, periods_per_year=PPY)
    many = deflated_sharpe(
        np.random.default_rng(8).normal(0.0, 0.8, 1000), returns, periods_per_year=PPY
    )
    assert single is not None
    assert few is not None
    assert many is not None
    assert single > few > many
    assert single == pytest.approx(hand_psr(returns, 0.0), rel=1e-10)
    assert few == pytest.approx(hand_psr(returns, hand_sr0([1.2, 0.4, -0.3])), rel=1e-10)


def test_expected_max_sharpe_approximates_the_maximum_of_unskilled_trials() -> None:
    # Sharpe ratios of N unskilled trials ~ N(0, V): E[max] ~ sqrt(V) x the paper's formula
    draws = np.random.default_rng(0).normal(0.0, 1.0, (4000, 1000))
    simulated = float(draws.max(axis=1).mean())
    formula = expected_max_sharpe(draws[0], periods_per_year=1.0) / float(np.std(draws[0], ddof=1))
    assert formula == pytest.approx(simulated, rel=0.02)
    assert expected_max_sharpe([0.7], periods_per_year=PPY) == 0.0


def test_an_undefined_best_sharpe_gives_none() -> None:
    assert deflated_sharpe([0.5, 1.0], [0.001] * 30, periods_per_year=PPY) is None
    assert deflated_sharpe([0.5, 1.0], [0.01], periods_per_year=PPY) is None


@pytest.mark.parametrize(
    ("trials", "returns", "ppy"),
    [([], [0.01, 0.02], PPY), ([0.1, float("nan")], [0.01, 0.02], PPY), ([0.1], [0.01], 0.0)],
)
def test_bad_sweep_inputs_are_rejected(
    trials: list[float], returns: list[float], ppy: float
) -> None:
    with pytest.raises(ValidationError):
        deflated_sharpe(trials, returns, periods_per_year=ppy)


def test_normal_cdf_agrees_with_the_standard_library_and_keeps_the_lower_tail() -> None:
    for x in (-3.0, -0.5, 0.0, 0.7, 4.0):
        assert norm_cdf(x) == pytest.approx(NormalDist().cdf(x), rel=1e-12)
    assert norm_cdf(-12.0) == pytest.approx(1.7764821120776e-33, rel=1e-9)  # tables
