"""Performance metrics of a backtest: pure numpy functions of the equity curve and the trades.

``compute_metrics`` returns one flat dict (snake_case names, plain ``float``/``int``/``None``,
ready for JSON). A value that is undefined for the run (no trades for a win rate, no losing
trade for a profit factor, no volatility for a Sharpe ratio) is ``None``: never NaN, never
infinite, never a stand-in 0. docs/metrics.md gives every formula, unit and undefined case.

Conventions: returns are fractions (0.05 is +5%); drawdowns are negative fractions of the
running peak; money is in the account currency; Sharpe-type ratios and volatility are
annualised with ``periods_per_year`` (inferred from the timestamps when not given).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.backtest.analytics.periods import (
    MonthlyReturns,
    as_timestamps,
    infer_periods_per_year,
    monthly_returns,
    years_between,
)
from trademind.backtest.analytics.sharpe import (
    ZERO_DISPERSION,
    deflated_sharpe,
    per_period_rate,
    psr,
    sharpe_moments,
)
from trademind.core.errors import ValidationError

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]

__all__ = [
    "MonthlyReturns",
    "TradeStats",
    "compute_metrics",
    "deflated_sharpe",
    "drawdown_series",
    "monthly_returns",
    "period_returns",
]

Metric = float | int | None
_NS_PER_DAY: Final = 86_400 * 1_000_000_000


def _frozen_floats(values: object, what: str) -> FloatArray:
    array: FloatArray = np.array(values, dtype=np.float64, copy=True)
    if array.ndim != 1:
        raise ValidationError(f"{what} must be a 1-D array")
    if not bool(np.all(np.isfinite(array))):
        raise ValidationError(f"{what} contains NaN or infinite values")
    array.setflags(write=False)
    return array


def _frozen_ints(values: object, what: str) -> IntArray:
    array: IntArray = np.array(values, dtype=np.int64, copy=True)
    if array.ndim != 1:
        raise ValidationError(f"{what} must be a 1-D array")
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class TradeStats:
    """The closed round trips of a run, one element per trade, in any order.

    ``pnl``: net profit in account currency (after commission on both legs).
    ``return_fraction``: net return of the trade on its entry cost as a fraction (0.05 is +5%;
    the engine's ``RoundTrip.return_pct`` is in percent: divide it by 100).
    ``bars_held``: bars from the entry fill to the exit fill.
    Open positions are not trades yet: leave them out (their value is in the equity curve).
    """

    pnl: FloatArray
    return_fraction: FloatArray
    bars_held: IntArray

    def __post_init__(self) -> None:
        pnl = _frozen_floats(self.pnl, "trade pnl")
        returns = _frozen_floats(self.return_fraction, "trade return_fraction")
        bars = _frozen_ints(self.bars_held, "trade bars_held")
        if not pnl.size == returns.size == bars.size:
            raise ValidationError(
                f"trade arrays differ in length: pnl {pnl.size}, return_fraction {returns.size}, "
                f"bars_held {bars.size}"
            )
        if bool(np.any(bars < 0)):
            raise ValidationError("trade bars_held must not be negative")
        object.__setattr__(self, "pnl", pnl)
        object.__setattr__(self, "return_fraction", returns)
        object.__setattr__(self, "bars_held", bars)

    @classmethod
    def empty(cls) -> TradeStats:
        """A run without closed trades."""
        return cls(pnl=np.empty(0), return_fraction=np.empty(0), bars_held=np.empty(0, np.int64))

    @property
    def count(self) -> int:
        return int(self.pnl.size)


def _curve(values: object, size: int, what: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (size,):
        raise ValidationError(f"{what} has shape {array.shape}, expected ({size},) like ts")
    if not bool(np.all(np.isfinite(array))):
        raise ValidationError(f"{what} contains NaN or infinite values")
    return array


def period_returns(equity: object) -> FloatArray | None:
    """Per-bar simple returns ``equity[t] / equity[t-1] - 1`` (length n - 1), or None when an
    equity value before the last is not positive (a return from 0 or below is undefined)."""
    values = np.asarray(equity, dtype=np.float64)
    if values.ndim != 1:
        raise ValidationError("equity must be a 1-D array")
    if bool(np.any(values[:-1] <= 0)):
        return None
    return values[1:] / values[:-1] - 1.0


def drawdown_series(equity: object) -> FloatArray:
    """``equity / running peak - 1`` per bar: 0 at a new high, -0.25 a quarter below the peak."""
    values = np.asarray(equity, dtype=np.float64)
    if values.ndim != 1 or values.size == 0 or values[0] <= 0:
        raise ValidationError("equity must be a non-empty 1-D array starting above 0")
    drawdown: FloatArray = values / np.maximum.accumulate(values) - 1.0
    return drawdown


def _drawdown_stats(ts: IntArray, equity: FloatArray) -> tuple[float, int, float]:
    """Max drawdown depth and the longest time below a previous peak, in bars and in days.

    A spell runs from the bar of the peak to the first bar back at or above it (or the last
    bar when the curve never recovers). Bars and days are maximised separately."""
    peaks = np.maximum.accumulate(equity)
    depth = float(np.min(equity / peaks)) - 1.0
    under = equity < peaks
    if not bool(under.any()):
        return depth, 0, 0.0
    edges = np.diff(np.concatenate(([False], under, [False])).astype(np.int8))
    starts = np.flatnonzero(edges == 1) - 1  # the peak bar before the first bar under water
    ends = np.minimum(np.flatnonzero(edges == -1), equity.size - 1)  # recovery bar or last bar
    bars = int(np.max(ends - starts))
    days = float(np.max(ts[ends] - ts[starts])) / _NS_PER_DAY
    return depth, bars, days


def _cagr(ts: IntArray, equity: FloatArray) -> float | None:
    years = years_between(int(ts[0]), int(ts[-1]))
    growth = float(equity[-1] / equity[0])
    if years <= 0 or growth < 0:
        return None
    if growth == 0:
        return -1.0
    try:
        return math.exp(math.log(growth) / years) - 1.0
    except OverflowError:  # a short span with a large gain: too large to be a number
        return None


def _return_metrics(returns: FloatArray | None, ppy: float | None, rf: float) -> dict[str, Metric]:
    out: dict[str, Metric] = dict.fromkeys(
        ("volatility", "sharpe", "sortino", "probabilistic_sharpe")
    )
    if returns is None or ppy is None or returns.size < 2:
        return out
    scale = math.sqrt(ppy)
    excess = returns - per_period_rate(rf, ppy)
    moments = sharpe_moments(excess)  # excess returns have the volatility of the returns
    out["volatility"] = 0.0 if moments is None else moments.std * scale
    if moments is not None:
        out["sharpe"] = moments.sharpe * scale
        out["probabilistic_sharpe"] = psr(moments, 0.0)
    shortfall = np.minimum(excess, 0.0)
    downside = math.sqrt(float(np.dot(shortfall, shortfall)) / excess.size)
    if downside > ZERO_DISPERSION:
        out["sortino"] = float(np.mean(excess)) / downside * scale
    return out


def _trade_metrics(trades: TradeStats) -> dict[str, Metric]:
    pnl, returns = trades.pnl, trades.return_fraction
    wins, losses = pnl > 0, pnl < 0
    count = trades.count

    def mean_or_none(values: FloatArray) -> float | None:
        return float(np.mean(values)) if values.size else None

    gross_loss = -float(np.sum(pnl[losses]))
    return {
        "trade_count": count,
        "win_rate": float(np.count_nonzero(wins)) / count if count else None,
        "profit_factor": float(np.sum(pnl[wins])) / gross_loss if gross_loss > 0 else None,
        "average_win": mean_or_none(pnl[wins]),
        "average_loss": mean_or_none(pnl[losses]),
        "expectancy": mean_or_none(pnl),
        "average_win_return": mean_or_none(returns[wins]),
        "average_loss_return": mean_or_none(returns[losses]),
        "expectancy_return": mean_or_none(returns),
        "average_bars_held": mean_or_none(trades.bars_held.astype(np.float64)),
    }


def _benchmark_metrics(
    returns: FloatArray | None,
    benchmark: FloatArray | None,
    ppy: float | None,
    rf: float,
) -> dict[str, Metric]:
    """CAPM against the benchmark: beta = cov(r, b) / var(b); alpha = per-bar Jensen's alpha
    ``mean(r - rf) - beta mean(b - rf)`` times periods per year."""
    out: dict[str, Metric] = {"alpha": None, "beta": None}
    if benchmark is None or returns is None or ppy is None or returns.size < 2:
        return out
    bench_returns = period_returns(benchmark)
    if bench_returns is None:
        return out
    centred_bench = bench_returns - float(np.mean(bench_returns))
    bench_variance = float(np.dot(centred_bench, centred_bench))  # both sums over n - 1
    if math.sqrt(bench_variance / (bench_returns.size - 1)) <= ZERO_DISPERSION:
        return out
    beta = float(np.dot(returns - float(np.mean(returns)), centred_bench)) / bench_variance
    rf_period = per_period_rate(rf, ppy)
    alpha = float(np.mean(returns - rf_period)) - beta * float(np.mean(bench_returns - rf_period))
    out["alpha"] = alpha * ppy
    out["beta"] = beta
    return out


def _resolve_periods(ts: IntArray, periods_per_year: float | None) -> float | None:
    if periods_per_year is not None:
        if not (math.isfinite(periods_per_year) and periods_per_year > 0):
            raise ValidationError(f"periods_per_year must be positive, got {periods_per_year}")
        return float(periods_per_year)
    return infer_periods_per_year(ts) if ts.size >= 2 else None


def _check_scalars(turnover_notional: float, risk_free_rate: float) -> None:
    if not (math.isfinite(turnover_notional) and turnover_notional >= 0):
        raise ValidationError(f"turnover_notional must be >= 0, got {turnover_notional}")
    if not (math.isfinite(risk_free_rate) and risk_free_rate > -1):
        raise ValidationError(f"risk_free_rate must be a rate above -1, got {risk_free_rate}")


def compute_metrics(
    ts_ns: object,
    equity: object,
    trades: TradeStats,
    *,
    benchmark_equity: object | None,
    exposure: object | None,
    turnover_notional: float,
    risk_free_rate: float,
    periods_per_year: float | None = None,
) -> dict[str, Metric]:
    """Every metric of one run (see the module docstring and docs/metrics.md).

    ``ts_ns``: bar times (int64 epoch ns, strictly increasing); ``equity``: account value at
    each bar's close (first value = starting capital, > 0); ``benchmark_equity``: the
    buy-and-hold curve on the same bars (alpha and beta are None without it); ``exposure``:
    invested fraction of equity per bar (None: exposure is None); ``turnover_notional``:
    traded value of every fill, buys and sells, in currency; ``risk_free_rate``: annual,
    a fraction; ``periods_per_year``: bars per year, inferred from ``ts_ns`` when None.
    """
    ts = as_timestamps(ts_ns)
    curve = _curve(equity, ts.size, "equity")
    if curve[0] <= 0:
        raise ValidationError(f"initial equity must be positive, got {curve[0]}")
    _check_scalars(turnover_notional, risk_free_rate)
    bench = None if benchmark_equity is None else _curve(benchmark_equity, ts.size, "benchmark")
    invested = None if exposure is None else _curve(exposure, ts.size, "exposure")
    ppy = _resolve_periods(ts, periods_per_year)
    returns = period_returns(curve)

    cagr = _cagr(ts, curve)
    max_drawdown, duration_bars, duration_days = _drawdown_stats(ts, curve)
    risk = _return_metrics(returns, ppy, risk_free_rate)
    out: dict[str, Metric] = {
        "total_return": float(curve[-1] / curve[0] - 1.0),
        "cagr": cagr,
        "volatility": risk["volatility"],
        "sharpe": risk["sharpe"],
        "sortino": risk["sortino"],
        "calmar": cagr / -max_drawdown if cagr is not None and max_drawdown < 0 else None,
        "max_drawdown": max_drawdown,
        "max_drawdown_duration": duration_bars,
        "max_drawdown_duration_days": duration_days,
    }
    out |= _trade_metrics(trades)
    mean_equity = float(np.mean(curve))
    out["exposure"] = None if invested is None else float(np.mean(invested))
    out["turnover"] = turnover_notional / mean_equity if mean_equity > 0 else None
    out |= _benchmark_metrics(returns, bench, ppy, risk_free_rate)
    out["probabilistic_sharpe"] = risk["probabilistic_sharpe"]
    out["periods_per_year"] = ppy
    return out
