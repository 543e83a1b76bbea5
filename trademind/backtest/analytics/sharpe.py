"""The Sharpe ratio as a statistic: probabilistic (PSR) and deflated (DSR) Sharpe ratios.

* Bailey, D. H. and López de Prado, M. (2012), "The Sharpe Ratio Efficient Frontier",
  Journal of Risk 15(2): PSR(SR*) = Phi((SR - SR*) sqrt(n - 1) / sqrt(1 - g3 SR + (g4 - 1)/4 SR^2)).
* Bailey, D. H. and López de Prado, M. (2014), "The Deflated Sharpe Ratio: Correcting for
  Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management
  40(5): DSR = PSR(SR0) with the expected maximum Sharpe ratio of N unskilled trials
  SR0 = sqrt(V[SR_n]) ((1 - gamma) Phi^-1(1 - 1/N) + gamma Phi^-1(1 - 1/(N e))).

Inside these formulas every Sharpe ratio is per period (not annualised); the public functions
take and return annualised Sharpe ratios, as ``compute_metrics`` reports them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.core.errors import ValidationError

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

EULER_MASCHERONI: Final = 0.5772156649015329
ZERO_DISPERSION: Final = 1e-12
"""A per-period standard deviation at or below this is zero: float noise, not risk."""


def per_period_rate(annual_rate: float, periods_per_year: float) -> float:
    """The per-period rate that compounds to ``annual_rate`` over ``periods_per_year``."""
    return float((1.0 + annual_rate) ** (1.0 / periods_per_year) - 1.0)


def norm_cdf(x: float) -> float:
    """The standard normal CDF (erfc keeps precision in the lower tail)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


@dataclass(frozen=True)
class SharpeMoments:
    """Per-period Sharpe ratio of excess returns and the moments PSR needs.

    ``std`` is the sample standard deviation (ddof 1); ``skewness`` and ``kurtosis`` are the
    population (biased) moment ratios m3/m2^1.5 and m4/m2^2 (kurtosis 3 for a normal
    distribution, not the excess kurtosis)."""

    sharpe: float
    std: float
    skewness: float
    kurtosis: float
    count: int


def sharpe_moments(excess_returns: FloatArray) -> SharpeMoments | None:
    """Moments of per-period excess returns; None with fewer than 2 returns or no dispersion."""
    count = int(excess_returns.size)
    if count < 2:
        return None
    mean = float(np.mean(excess_returns))
    centred = excess_returns - mean
    squares = centred * centred
    m2 = float(np.sum(squares)) / count
    std = math.sqrt(m2 * count / (count - 1))
    if std <= ZERO_DISPERSION:
        return None
    return SharpeMoments(
        sharpe=mean / std,
        std=std,
        skewness=float(np.dot(squares, centred)) / count / m2**1.5,
        kurtosis=float(np.dot(squares, squares)) / count / m2**2,
        count=count,
    )


def psr(moments: SharpeMoments, benchmark_sharpe: float) -> float | None:
    """PSR of per-period ``moments`` against a per-period ``benchmark_sharpe``; None when the
    variance term of the estimator is not positive (extreme skewness for the Sharpe ratio)."""
    sr = moments.sharpe
    variance = 1.0 - moments.skewness * sr + (moments.kurtosis - 1.0) / 4.0 * sr**2
    if variance <= 0.0:
        return None
    z = (sr - benchmark_sharpe) * math.sqrt(moments.count - 1) / math.sqrt(variance)
    return norm_cdf(z)


def _finite_array(values: object, what: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValidationError(f"{what} must be a non-empty 1-D sequence of numbers")
    if not bool(np.all(np.isfinite(array))):
        raise ValidationError(f"{what} contain NaN or infinite values (drop undefined trials)")
    return array


def _check_periods(periods_per_year: float) -> None:
    if not (math.isfinite(periods_per_year) and periods_per_year > 0):
        raise ValidationError(f"periods_per_year must be positive, got {periods_per_year}")


def expected_max_sharpe(trial_sharpes: object, *, periods_per_year: float) -> float:
    """SR0 of the DSR paper, annualised: the Sharpe ratio the best of N unskilled trials is
    expected to reach, from N and the variance (ddof 1) of the trials' Sharpe ratios.

    One trial has nothing to select from: the expected maximum of one draw is its mean, 0."""
    _check_periods(periods_per_year)
    sharpes = _finite_array(trial_sharpes, "trial Sharpe ratios") / math.sqrt(periods_per_year)
    trials = sharpes.size
    if trials == 1:
        return 0.0
    spread = math.sqrt(float(np.var(sharpes, ddof=1)))
    normal = NormalDist()
    gamma = EULER_MASCHERONI
    expected = (1.0 - gamma) * normal.inv_cdf(1.0 - 1.0 / trials) + gamma * normal.inv_cdf(
        1.0 - 1.0 / (trials * math.e)
    )
    return spread * expected * math.sqrt(periods_per_year)


def deflated_sharpe(
    trial_sharpes: object,
    returns_of_best: object,
    *,
    periods_per_year: float,
    risk_free_rate: float = 0.0,
) -> float | None:
    """The deflated Sharpe ratio of the best trial of a sweep: the probability (0..1) that its
    true Sharpe ratio exceeds what the best of ``len(trial_sharpes)`` unskilled trials would
    show.

    ``trial_sharpes``: the annualised Sharpe ratio of every trial (``metrics["sharpe"]``; drop
    undefined ones), computed with the same ``risk_free_rate`` and ``periods_per_year``.
    ``returns_of_best``: the best trial's per-bar simple returns (``period_returns``).
    None when the best trial's Sharpe ratio is undefined (fewer than 2 returns, no volatility)
    or the estimator's variance term is not positive.
    """
    _check_periods(periods_per_year)
    sr0 = expected_max_sharpe(trial_sharpes, periods_per_year=periods_per_year)
    returns = _finite_array(returns_of_best, "returns of the best trial")
    excess = returns - per_period_rate(risk_free_rate, periods_per_year)
    moments = sharpe_moments(excess)
    if moments is None:
        return None
    return psr(moments, sr0 / math.sqrt(periods_per_year))
