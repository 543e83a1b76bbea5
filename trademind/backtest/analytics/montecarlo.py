"""Monte Carlo trade-sequence bootstrap: how much of a result is the luck of the trade order.

Each run draws as many trades as the backtest made, with replacement, from its trade returns
and compounds them from an equity of 1.0. Over all runs we report percentiles of the total
return and of the maximum drawdown, the share of runs that lose money, and the fan: the
percentile equity after each trade number, for the report's fan chart.

``bootstrap_trades`` is a pure function of (trade returns, runs, seed, percentiles, fan
points): the same arguments give the same bits on any machine or worker (numpy's PCG64
``Generator`` seeded with ``seed``), so it can run on a Dask or Ray worker unchanged.

Compounding trade returns assumes each trade risks the whole equity, one trade at a time
(all-in sizing). For other sizing pass each trade's return on account equity
(pnl / equity at entry) instead of its return on cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

import numba  # type: ignore[import-untyped]
import numpy as np

from trademind.core.errors import ValidationError

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]

DEFAULT_PERCENTILES: Final = (5.0, 25.0, 50.0, 75.0, 95.0)
MAX_RUNS: Final = 100_000
"""The fan keeps runs x fan points values in memory (8 MB per 10,000 runs at 101 points)."""
_CHUNK_DRAWS: Final = 1 << 20  # random trade indices drawn per block (8 MB of int64)


def _compile[F: Callable[..., Any]](function: F) -> F:
    """``numba.njit(cache=True)``, or without the disk cache where none is writable."""
    try:
        compiled = numba.njit(cache=True, nogil=True)(function)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        compiled = numba.njit(nogil=True)(function)
    return cast("F", compiled)


@_compile
def _simulate_block(
    returns: FloatArray, picks: IntArray, fan_at: IntArray, fan_out: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Compound each row of ``picks`` (indices into ``returns``): final return, max drawdown
    (negative fraction of the running peak, starting equity 1.0 counts as a peak) and the
    equity after trade number ``fan_at[j]`` written to ``fan_out[row, j]``."""
    runs, trades = picks.shape
    totals = np.empty(runs)
    drawdowns = np.empty(runs)
    for row in range(runs):
        equity = 1.0
        peak = 1.0
        worst = 0.0
        slot = 0
        if fan_at[0] == 0:
            fan_out[row, 0] = 1.0
            slot = 1
        for k in range(trades):
            equity *= 1.0 + returns[picks[row, k]]
            peak = max(peak, equity)
            worst = min(worst, equity / peak - 1.0)
            if slot < fan_at.size and fan_at[slot] == k + 1:
                fan_out[row, slot] = equity
                slot += 1
        totals[row] = equity - 1.0
        drawdowns[row] = worst
    return totals, drawdowns


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """Percentiles over the bootstrap runs; all returns and drawdowns are fractions.

    ``total_return[i]`` and ``max_drawdown[i]`` are the ``percentiles[i]``-th percentile over
    runs (drawdowns are negative, so the 5th percentile is the bad tail). ``fan[i, j]`` is
    the ``percentiles[i]``-th percentile of equity (start 1.0) after trade number
    ``fan_trade_numbers[j]``, taken per trade number across runs (a band, not one path).
    """

    runs: int
    trades: int
    seed: int
    percentiles: tuple[float, ...]
    total_return: tuple[float, ...]
    max_drawdown: tuple[float, ...]
    probability_of_loss: float
    fan_trade_numbers: IntArray
    fan: FloatArray

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready values; percentile keys are ``p5``, ``p25``, ..."""
        keys = [f"p{p:g}" for p in self.percentiles]
        return {
            "runs": self.runs,
            "trades": self.trades,
            "seed": self.seed,
            "total_return": dict(zip(keys, self.total_return, strict=True)),
            "max_drawdown": dict(zip(keys, self.max_drawdown, strict=True)),
            "probability_of_loss": self.probability_of_loss,
            "fan": {
                "trade_numbers": self.fan_trade_numbers.tolist(),
                **{key: row.tolist() for key, row in zip(keys, self.fan, strict=True)},
            },
        }


def _validate(
    trade_returns: object, runs: int, percentiles: tuple[float, ...], fan_points: int
) -> FloatArray:
    returns = np.ascontiguousarray(trade_returns, dtype=np.float64)
    if returns.ndim != 1 or returns.size == 0:
        raise ValidationError("Monte Carlo needs at least one closed trade; the run has none")
    if not bool(np.all(np.isfinite(returns))):
        raise ValidationError("trade returns contain NaN or infinite values")
    if not 1 <= runs <= MAX_RUNS:
        raise ValidationError(f"Monte Carlo runs must be between 1 and {MAX_RUNS}, got {runs}")
    if not percentiles or not all(0 <= p <= 100 for p in percentiles):
        raise ValidationError(f"percentiles must lie in 0..100, got {percentiles}")
    if fan_points < 2:
        raise ValidationError(f"fan_points must be at least 2, got {fan_points}")
    return returns


def block_indices(rng: np.random.Generator, rows: int, size: int, block_length: int) -> IntArray:
    """Indices into ``size`` values in time order for ``rows`` resamples: the circular block
    bootstrap (Politis and Romano, 1992), ``ceil(size / block_length)`` blocks of
    ``block_length`` consecutive indices, each starting at a uniformly drawn index and wrapping
    past the end, the first ``size`` kept; ``block_length`` 1 is the plain draw with
    replacement. Shared by every bootstrap of returns in time order."""
    if block_length == 1:
        return rng.integers(0, size, size=(rows, size), dtype=np.int64)
    blocks = -(-size // block_length)
    starts = rng.integers(0, size, size=(rows, blocks), dtype=np.int64)
    offsets = np.arange(block_length, dtype=np.int64)
    joined = (starts[:, :, None] + offsets) % size
    return np.ascontiguousarray(joined.reshape(rows, blocks * block_length)[:, :size])


def _simulate(
    returns: FloatArray, runs: int, seed: int, fan_at: IntArray, block_length: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Every run's total return, max drawdown and fan values, a chunk of runs at a time."""
    trades = int(returns.size)
    block_length = min(block_length, trades)
    rng = np.random.default_rng(seed)
    totals = np.empty(runs)
    drawdowns = np.empty(runs)
    fan_values = np.empty((runs, fan_at.size))
    chunk = max(1, _CHUNK_DRAWS // trades)
    for start in range(0, runs, chunk):
        stop = min(runs, start + chunk)
        picks = block_indices(rng, stop - start, trades, block_length)
        totals[start:stop], drawdowns[start:stop] = _simulate_block(
            returns, picks, fan_at, fan_values[start:stop]
        )
    return totals, drawdowns, fan_values


def bootstrap_trades(
    trade_returns: object,
    runs: int,
    seed: int,
    *,
    percentiles: tuple[float, ...] = DEFAULT_PERCENTILES,
    fan_points: int = 101,
    block_length: int = 1,
) -> MonteCarloResult:
    """Resample ``trade_returns`` (fractions, one per closed trade) with replacement ``runs``
    times; see the module docstring. ``fan_points`` trade numbers, evenly spaced from 0 to the
    trade count (all of them when there are fewer trades), make up the fan.

    ``block_length`` ``L`` > 1 makes it a circular block bootstrap (Politis and Romano, 1992) for
    returns in time order, such as daily returns: each run joins ``ceil(n / L)`` blocks of
    ``L`` consecutive returns, each starting at a uniformly drawn index and wrapping past the
    end to the start, and keeps the first ``n``; runs of bad days stay together. ``L`` is cut to
    ``n``; ``L`` = 1 is the plain draw (the same bits as before it existed)."""
    if block_length < 1:
        raise ValidationError(f"block_length must be at least 1, got {block_length}")
    returns = _validate(trade_returns, runs, percentiles, fan_points)
    trades = int(returns.size)
    fan_at = np.unique(np.rint(np.linspace(0, trades, min(fan_points, trades + 1))))
    fan_at = fan_at.astype(np.int64)
    totals, drawdowns, fan_values = _simulate(returns, runs, seed, fan_at, block_length)
    levels = np.asarray(percentiles, dtype=np.float64)
    return MonteCarloResult(
        runs=runs,
        trades=trades,
        seed=seed,
        percentiles=tuple(float(p) for p in percentiles),
        total_return=tuple(float(v) for v in np.percentile(totals, levels)),
        max_drawdown=tuple(float(v) for v in np.percentile(drawdowns, levels)),
        probability_of_loss=float(np.count_nonzero(totals < 0)) / runs,
        fan_trade_numbers=fan_at,
        fan=np.percentile(fan_values, levels, axis=0),
    )
