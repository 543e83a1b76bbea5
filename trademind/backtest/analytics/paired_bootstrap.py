"""The paired block bootstrap of two daily return series on the same days (the A/B tests).

``a`` and ``b`` are the daily returns of variants A and B on the same ``n`` trading days, in
time order. Each figure is computed per series and the difference is B minus A:

- **Sharpe**: ``mean(r) / std(r, ddof=1) * sqrt(252)`` (risk-free rate 0, 252 trading days a
  year); a series without variation (``std`` 0) has Sharpe 0;
- **total return**: ``prod(1 + r) - 1``;
- **max drawdown**: ``min_t(P_t / max_{s<=t} P_s - 1)`` of the path ``P`` compounded from 1.0
  (``P_0 = 1`` counts as a peak), a negative fraction; B - A > 0 means B's is shallower.

The point estimate is the difference on the observed series. The interval comes from
``resamples`` circular block bootstrap resamples (Politis and Romano, 1992; blocks of
``block_length`` consecutive days, each starting at a uniformly drawn day and wrapping past the
end, joined until ``n`` days are drawn: :func:`~trademind.backtest.analytics.montecarlo.
block_indices`). The resampling is **paired**: the same drawn days are taken from both series,
so a day's A and B returns stay together and what both variants share (the market) cancels
in the difference. The interval is the percentile interval of the resampled differences
(2.5th and 97.5th percentiles for 95%). Seeded with numpy's PCG64, the same arguments give
the same bits anywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.backtest.analytics.montecarlo import block_indices
from trademind.core.errors import ValidationError

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

TRADING_DAYS: Final = 252
MIN_DAYS: Final = 20
"""Fewer common days than this make no interval worth printing."""
LEVEL: Final = 0.95
_CHUNK_VALUES: Final = 1 << 21  # resampled days held at once per series (16 MB of float64)


@dataclass(frozen=True, slots=True, kw_only=True)
class Interval:
    """A difference (B - A): its point estimate and its percentile interval at ``level``."""

    estimate: float
    low: float
    high: float
    level: float = LEVEL

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0.0 or self.high < 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesFigures:
    """One variant's figures on the common days."""

    sharpe: float
    total_return: float
    max_drawdown: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PairedBootstrap:
    """Both variants' figures and the three differences with their intervals."""

    a: SeriesFigures
    b: SeriesFigures
    sharpe: Interval
    total_return: Interval
    max_drawdown: Interval
    days: int
    resamples: int
    block_length: int
    seed: int


def _sharpe(returns: FloatArray) -> FloatArray:
    """Annualised Sharpe of each row (0 for a row without variation)."""
    std = returns.std(axis=-1, ddof=1)
    mean = returns.mean(axis=-1)
    safe = np.where(std > 0, std, 1.0)
    result: FloatArray = np.where(std > 0, mean / safe * math.sqrt(TRADING_DAYS), 0.0)
    return result


def _total_return(returns: FloatArray) -> FloatArray:
    result: FloatArray = np.expm1(np.log1p(returns).sum(axis=-1))
    return result


def _max_drawdown(returns: FloatArray) -> FloatArray:
    path = np.cumprod(1.0 + returns, axis=-1)
    peaks = np.maximum(np.maximum.accumulate(path, axis=-1), 1.0)
    result: FloatArray = np.minimum((path / peaks - 1.0).min(axis=-1), 0.0)
    return result


_FIGURES: Final = (_sharpe, _total_return, _max_drawdown)


def _checked(a: object, b: object) -> tuple[FloatArray, FloatArray]:
    first = np.ascontiguousarray(a, dtype=np.float64)
    second = np.ascontiguousarray(b, dtype=np.float64)
    if first.ndim != 1 or first.shape != second.shape:
        raise ValidationError("the two daily return series must be one-dimensional, same length")
    if first.size < MIN_DAYS:
        raise ValidationError(
            f"only {first.size} common trading day(s) in the window: at least {MIN_DAYS} are "
            "needed for a bootstrap (widen it with --start/--end)"
        )
    if not (np.all(np.isfinite(first)) and np.all(np.isfinite(second))):
        raise ValidationError("the daily returns contain NaN or infinite values")
    if bool(np.any(first <= -1.0)) or bool(np.any(second <= -1.0)):
        raise ValidationError("a daily return of -100% or worse: the equity was wiped out")
    return first, second


def _figures(returns: FloatArray) -> SeriesFigures:
    sharpe, total, drawdown = (float(figure(returns)) for figure in _FIGURES)
    return SeriesFigures(sharpe=sharpe, total_return=total, max_drawdown=drawdown)


def _resampled_differences(
    a: FloatArray, b: FloatArray, resamples: int, seed: int, block_length: int
) -> FloatArray:
    """Row ``i``: the resampled differences (B - A) of Sharpe, total return, max drawdown."""
    rng = np.random.default_rng(seed)
    size = int(a.size)
    out = np.empty((len(_FIGURES), resamples))
    chunk = max(1, _CHUNK_VALUES // size)
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        picks = block_indices(rng, stop - start, size, block_length)
        drawn_a, drawn_b = a[picks], b[picks]
        for row, figure in enumerate(_FIGURES):
            out[row, start:stop] = figure(drawn_b) - figure(drawn_a)
    return out


def paired_bootstrap(
    a: object, b: object, *, resamples: int, seed: int, block_length: int
) -> PairedBootstrap:
    """The module docstring's figures, differences and 95% intervals (``block_length`` is cut
    to the number of days)."""
    first, second = _checked(a, b)
    if resamples < 1:
        raise ValidationError(f"resamples must be at least 1, got {resamples}")
    if block_length < 1:
        raise ValidationError(f"block_length must be at least 1, got {block_length}")
    length = min(block_length, int(first.size))
    figures_a, figures_b = _figures(first), _figures(second)
    drawn = _resampled_differences(first, second, resamples, seed, length)
    tail = (1.0 - LEVEL) / 2.0 * 100.0
    lows, highs = np.percentile(drawn, (tail, 100.0 - tail), axis=1)
    estimates = (
        figures_b.sharpe - figures_a.sharpe,
        figures_b.total_return - figures_a.total_return,
        figures_b.max_drawdown - figures_a.max_drawdown,
    )
    sharpe, total, drawdown = (
        Interval(estimate=float(e), low=float(lo), high=float(hi))
        for e, lo, hi in zip(estimates, lows, highs, strict=True)
    )
    return PairedBootstrap(
        a=figures_a,
        b=figures_b,
        sharpe=sharpe,
        total_return=total,
        max_drawdown=drawdown,
        days=int(first.size),
        resamples=resamples,
        block_length=length,
        seed=seed,
    )
