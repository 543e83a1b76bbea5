"""Sharpe ratios of daily return series with block-bootstrap confidence intervals, paired.

The Sharpe ratio of returns ``r_1..r_n`` is ``mean(r - rf) / std(r - rf) * sqrt(P)`` with
the sample standard deviation (ddof 1), ``P`` periods per year (252 for daily bars) and ``rf``
the per-period rate compounding to the annual risk-free rate; undefined (NaN) with fewer than 2
returns or no variation.

Intervals: ``runs`` circular block-bootstrap resamples of the time indices
(:func:`~trademind.backtest.analytics.montecarlo.block_indices`, blocks of ``block_length``
consecutive days so that volatility clusters and autocorrelation survive the resampling), the
**same** indices for every series, so a difference of two series' Sharpe ratios is measured
pair by pair (paired bootstrap); the interval is the percentile interval
(``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the resampled values, resamples with an
undefined value left out). Seeded: the same arguments give the same bits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.backtest.analytics.montecarlo import MAX_RUNS, block_indices
from trademind.backtest.analytics.sharpe import per_period_rate
from trademind.core.errors import ValidationError

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

BLOCK_LENGTH: Final = 10
"""Trading days per bootstrap block: two weeks (as ``safety validate``'s bootstrap)."""
LEVEL: Final = 0.95
_CHUNK_VALUES: Final = 1 << 22  # resampled values held at once (32 MB of float64)


@dataclass(frozen=True)
class Interval:
    """A point estimate and its bootstrap percentile interval (None where undefined)."""

    estimate: float | None
    low: float | None
    high: float | None


def sharpe_rows(returns: FloatArray, periods_per_year: float, risk_free_rate: float) -> FloatArray:
    """The annualised Sharpe ratio of each row of ``returns`` (NaN where undefined)."""
    excess = returns - per_period_rate(risk_free_rate, periods_per_year)
    if excess.shape[-1] < 2:
        return np.full(excess.shape[:-1], np.nan)
    mean = excess.mean(axis=-1)
    std = excess.std(axis=-1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        result: FloatArray = np.where(std > 1e-12, mean / std, np.nan) * np.sqrt(periods_per_year)
    return result


def _interval(estimate: float, draws: FloatArray, level: float) -> Interval:
    kept = draws[np.isfinite(draws)]
    point = float(estimate) if np.isfinite(estimate) else None
    if kept.size == 0:
        return Interval(point, None, None)
    low, high = np.quantile(kept, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return Interval(point, float(low), float(high))


@dataclass(frozen=True)
class BootstrapSharpe:
    """Each series' Sharpe interval and each asked difference's (paired) interval."""

    sharpe: Mapping[str, Interval]
    differences: Mapping[tuple[str, str], Interval]
    runs: int
    seed: int
    block_length: int
    level: float


def bootstrap_sharpe(
    series: Mapping[str, FloatArray],
    differences: tuple[tuple[str, str], ...] = (),
    *,
    runs: int,
    seed: int,
    periods_per_year: float,
    risk_free_rate: float = 0.0,
    block_length: int = BLOCK_LENGTH,
    level: float = LEVEL,
) -> BootstrapSharpe:
    """Sharpe intervals of equally long, aligned ``series`` and of the differences
    ``a - b`` for each ``(a, b)`` in ``differences`` (module docstring)."""
    names = list(series)
    matrix = _matrix(series)
    if not 1 <= runs <= MAX_RUNS:
        raise ValidationError(f"bootstrap runs must be between 1 and {MAX_RUNS}, got {runs}")
    block = max(1, min(block_length, matrix.shape[1]))
    draws = _draws(matrix, runs, seed, block, periods_per_year, risk_free_rate)
    estimates = sharpe_rows(matrix, periods_per_year, risk_free_rate)
    where = {name: row for row, name in enumerate(names)}
    sharpe = {n: _interval(estimates[where[n]], draws[:, where[n]], level) for n in names}
    paired = {
        (a, b): _interval(
            estimates[where[a]] - estimates[where[b]],
            draws[:, where[a]] - draws[:, where[b]],
            level,
        )
        for a, b in differences
    }
    return BootstrapSharpe(sharpe, paired, runs, seed, block, level)


def _matrix(series: Mapping[str, FloatArray]) -> FloatArray:
    if not series:
        raise ValidationError("the Sharpe bootstrap needs at least one return series")
    lengths = {np.asarray(values).shape for values in series.values()}
    if len(lengths) != 1:
        raise ValidationError("the Sharpe bootstrap needs return series of equal length")
    matrix = np.vstack([np.asarray(values, dtype=np.float64) for values in series.values()])
    if matrix.shape[1] < 2 or not bool(np.all(np.isfinite(matrix))):
        raise ValidationError("the Sharpe bootstrap needs at least 2 finite returns per series")
    return matrix


def _draws(  # noqa: PLR0917 - the bootstrap's settings
    matrix: FloatArray,
    runs: int,
    seed: int,
    block: int,
    periods_per_year: float,
    risk_free_rate: float,
) -> FloatArray:
    """``runs x series`` resampled Sharpe ratios, the same indices for every series."""
    rng = np.random.default_rng(seed)
    count, size = matrix.shape
    out = np.empty((runs, count))
    chunk = max(1, _CHUNK_VALUES // (size * count))
    for start in range(0, runs, chunk):
        stop = min(runs, start + chunk)
        picks = block_indices(rng, stop - start, size, block)
        resampled = matrix[:, picks]  # series x runs x days
        out[start:stop] = sharpe_rows(resampled, periods_per_year, risk_free_rate).T
    return out
