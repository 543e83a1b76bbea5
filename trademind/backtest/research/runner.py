"""One backtest as a pure function: (bars or a data reference, strategy, parameters, config).

:func:`run_on_bars` computes the strategy's signals on each symbol's whole history, runs the
native engine and measures the result; :func:`evaluate` does the same from a
:class:`~trademind.backtest.research.bar_source.BarSource` and returns only the metrics, which is
what sweeps and walk-forward windows need from a worker process. Bars are loaded once per
process and reused.

The benchmark is equal-weight buy-and-hold of the same symbols, bought at the first close and
held without costs: ``initial_cash * mean_k(close_k(t) / close_k(0))`` on the run's timeline
(a symbol without a bar at ``t`` keeps its last close).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.backtest.analytics.metrics import Metric, TradeStats, compute_metrics
from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.engine.run import run_backtest
from trademind.core.errors import ValidationError
from trademind.strategies.registry import get_strategy, resolve

if TYPE_CHECKING:
    from trademind.backtest.engine.outcome import BacktestOutcome
    from trademind.backtest.research.bar_source import BarSource
    from trademind.strategies.base import Bars, FloatArray, IntArray, ParamValue, Signals


@dataclass(frozen=True)
class RunSpec:
    """What to run: a strategy by name, its parameters (validated) and the engine config."""

    strategy: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    config: BacktestConfig = field(default_factory=BacktestConfig)
    risk_free_rate: float = 0.0

    def resolved(self) -> RunSpec:
        """The spec with the strategy's defaults filled in and every value checked."""
        name = get_strategy(self.strategy).name
        return RunSpec(name, resolve(name, self.params), self.config, self.risk_free_rate)


@dataclass(frozen=True, eq=False)
class RunResult:
    """A finished run: the engine's outcome, the benchmark curve and the metrics."""

    spec: RunSpec
    outcome: BacktestOutcome
    benchmark: FloatArray
    metrics: dict[str, Metric]


def compute_signals(bars: Sequence[Bars], spec: RunSpec) -> list[Signals]:
    """Each symbol's signals; a symbol with fewer bars than the warm-up is an error."""
    strategy = get_strategy(spec.strategy)
    warmup = strategy.warmup(spec.params)
    for series in bars:
        if len(series) <= warmup:
            raise ValidationError(
                f"{series.symbol}: {len(series)} bars is too little history for "
                f"{strategy.name} (its warm-up needs {warmup} bars before the first signal)"
            )
    return [strategy.signals(series, spec.params) for series in bars]


def benchmark_curve(bars: Sequence[Bars], ts: IntArray, initial_cash: float) -> FloatArray:
    """Equal-weight, cost-free buy-and-hold of ``bars`` on the timeline ``ts``."""
    total = np.zeros(ts.shape[0])
    for series in bars:
        position = np.searchsorted(series.ts, ts, side="right") - 1
        closes = series.close[np.clip(position, 0, None)]
        closes = np.where(position >= 0, closes, series.close[0])
        total += closes / series.close[0]
    curve: FloatArray = initial_cash * total / len(bars)
    return curve


def trade_stats(outcome: BacktestOutcome) -> tuple[TradeStats, float]:
    """The closed trades for the metrics, and the traded notional of every fill."""
    log = outcome.log
    closed = ~log.is_open
    entry_value = log.quantity * log.entry_price
    exit_value = np.where(closed, log.quantity * log.exit_price, 0.0)
    stats = TradeStats(
        pnl=log.pnl[closed],
        return_fraction=log.pnl[closed] / entry_value[closed],
        bars_held=(log.exit_index - log.entry_index)[closed],
    )
    return stats, float(entry_value.sum() + exit_value.sum())


def measure(bars: Sequence[Bars], outcome: BacktestOutcome, spec: RunSpec) -> RunResult:
    """Metrics of ``outcome`` against the buy-and-hold benchmark of the same bars."""
    benchmark = benchmark_curve(bars, outcome.ts, outcome.initial_cash)
    stats, turnover = trade_stats(outcome)
    metrics = compute_metrics(
        outcome.ts,
        outcome.equity,
        stats,
        benchmark_equity=benchmark,
        exposure=outcome.exposure,
        turnover_notional=turnover,
        risk_free_rate=spec.risk_free_rate,
    )
    return RunResult(spec, outcome, benchmark, metrics)


def run_on_bars(bars: Sequence[Bars], spec: RunSpec) -> RunResult:
    """Signals, engine and metrics for ``bars`` (the spec is resolved first)."""
    spec = spec.resolved()
    signals = compute_signals(bars, spec)
    return measure(bars, run_backtest(bars, signals, spec.config), spec)


Window = tuple[int, int]
"""A time window ``(start_ns, end_ns)``: bars with ``start_ns <= ts < end_ns``."""


def _cut[T](values: T, begin: int, end: int) -> T:
    return values[begin:end]  # type: ignore[index,no-any-return]


def slice_window(
    bars: Sequence[Bars], signals: Sequence[Signals], window: Window
) -> tuple[list[Bars], list[Signals]]:
    """The bars and their (already computed, causal) signals inside ``window``; symbols
    without a bar there are left out, and a window without any bar is an error."""
    kept_bars, kept_signals = [], []
    for series, signal in zip(bars, signals, strict=True):
        begin, end = np.searchsorted(series.ts, window, side="left")
        if end <= begin:
            continue
        kept_bars.append(
            replace(
                series,
                **{name: _cut(getattr(series, name), begin, end) for name in _BAR_ARRAYS},
            )
        )
        kept_signals.append(
            replace(
                signal,
                **{name: _cut(getattr(signal, name), begin, end) for name in _SIGNAL_ARRAYS},
            )
        )
    if not kept_bars:
        raise ValidationError(f"no bars in the window {_day(window[0])} to {_day(window[1])}")
    return kept_bars, kept_signals


_BAR_ARRAYS: Final = ("ts", "open", "high", "low", "close", "volume")
_SIGNAL_ARRAYS: Final = ("entries", "exits", "confidence", "reason", "reason_value")


def _day(ts_ns: int) -> str:
    return str(np.datetime64(int(ts_ns), "ns").astype("datetime64[D]"))


def run_window(bars: Sequence[Bars], spec: RunSpec, window: Window | None) -> RunResult:
    """:func:`run_on_bars`, trading only inside ``window``. Signals are computed on the whole
    history first (they are causal), so indicators are warm when the window opens."""
    if window is None:
        return run_on_bars(bars, spec)
    spec = spec.resolved()
    inside, signals = slice_window(bars, compute_signals(bars, spec), window)
    return measure(inside, run_backtest(inside, signals, spec.config), spec)


@lru_cache(maxsize=4)
def _cached_bars(ref: BarSource) -> tuple[Bars, ...]:
    return tuple(ref.load())


def evaluate(ref: BarSource, spec: RunSpec, window: Window | None = None) -> dict[str, Metric]:
    """The metrics of one run on the bars ``ref`` names, optionally inside ``window``:
    a picklable job for a worker process."""
    return run_window(_cached_bars(ref), spec, window).metrics


def evaluate_job(job: tuple[BarSource, RunSpec, Window | None]) -> dict[str, Metric]:
    """:func:`evaluate` taking one tuple (what
    :func:`~trademind.backtest.research.parallel.run_jobs` maps over)."""
    return evaluate(*job)
