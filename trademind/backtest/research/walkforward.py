"""Walk-forward analysis: optimise in sample, trade the winner out of sample, repeat.

The run's timeline (the union of the symbols' bar times) is cut into an in-sample span and
``windows`` out-of-sample spans that follow one another. With ``in_sample_ratio`` r the
out-of-sample length is ``bars / (r + windows)`` and the in-sample length r times that.

* rolling: window i optimises on the r*L bars just before its out-of-sample span;
* anchored: window i optimises on everything from the first bar to its out-of-sample span.

Each window sweeps the candidates on its in-sample span (in parallel), picks the best on the
chosen metric and runs it on its out-of-sample span. The out-of-sample equity curves are
stitched (each starts where the previous ended). Walk-forward efficiency is the mean of the
windows' out-of-sample CAGR over the mean of their in-sample CAGR (Pardo): near 1 the
in-sample performance carried over, near 0 or below it did not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final, Literal

import numpy as np

from trademind.backtest.analytics.metrics import Metric
from trademind.backtest.research.parallel import Progress, job_pool
from trademind.backtest.research.runner import RunSpec, Window, run_window
from trademind.backtest.research.sweep import sweep
from trademind.core.errors import ValidationError

if TYPE_CHECKING:
    from trademind.backtest.engine.outcome import BacktestOutcome
    from trademind.backtest.research.bar_source import BarSource
    from trademind.strategies.base import Bars, FloatArray, IntArray, ParamValue

Mode = Literal["rolling", "anchored"]
MIN_OUT_OF_SAMPLE_BARS: Final = 20
"""The shortest out-of-sample window, in bars: a window's return, Sharpe ratio and CAGR over
fewer bars (under a month of daily bars) say nothing, and 1,000 two-bar windows are noise."""


@dataclass(frozen=True)
class WalkForwardWindow:
    """One window: its spans, the parameters chosen in sample and both sides' metrics."""

    in_sample: Window
    out_of_sample: Window
    params: Mapping[str, ParamValue]
    in_sample_metrics: Mapping[str, Metric]
    out_of_sample_metrics: Mapping[str, Metric]


@dataclass(frozen=True, eq=False)
class WalkForwardResult:
    """Every window, the stitched out-of-sample equity and the walk-forward efficiency."""

    strategy: str
    mode: Mode
    metric: str
    windows: tuple[WalkForwardWindow, ...]
    ts: IntArray
    equity: FloatArray
    efficiency: float | None


def split_windows(
    timeline: IntArray,
    windows: int,
    in_sample_ratio: float,
    mode: Mode,
    *,
    warmup: int = 0,
    min_out_of_sample: int = MIN_OUT_OF_SAMPLE_BARS,
) -> list[tuple[Window, Window]]:
    """``(in_sample, out_of_sample)`` windows (ns, end exclusive) over ``timeline``.

    Refused (a ValidationError saying what would fit) when an out-of-sample window would
    have fewer than ``min_out_of_sample`` bars, or when the in-sample span would not be longer
    than ``warmup`` bars: the first span starts at the first bar, where no signal is warm."""
    if windows < 1:
        raise ValidationError(f"walk-forward needs at least 1 window, got {windows}")
    if not in_sample_ratio > 0 or not np.isfinite(in_sample_ratio):
        raise ValidationError(f"in-sample ratio must be positive, got {in_sample_ratio}")
    if mode not in ("rolling", "anchored"):
        raise ValidationError(f"walk-forward mode must be rolling or anchored, not {mode!r}")
    size = timeline.shape[0]
    oos = int(size // (in_sample_ratio + windows))
    in_sample = int(oos * in_sample_ratio)
    if oos < max(min_out_of_sample, 2) or in_sample < 2:
        fits = int(size // max(min_out_of_sample, 2) - in_sample_ratio)
        advice = f"use at most {fits} windows or" if fits >= 1 else "use"
        raise ValidationError(
            f"{size} bars are too few for {windows} walk-forward windows with an in-sample "
            f"ratio of {in_sample_ratio:g}: each out-of-sample window would have {oos} bars, "
            f"at least {min_out_of_sample} are needed; {advice} a longer period"
        )
    if in_sample <= warmup:
        raise ValidationError(
            f"each in-sample span would have {in_sample} bars, but the parameters need a "
            f"warm-up of {warmup} bars (the first span starts at the first bar, where no signal "
            f"is warm yet); use fewer windows, a larger --in-sample-ratio or a longer period"
        )
    edges = np.append(timeline, timeline[-1] + 1)
    spans = []
    for index in range(windows):
        oos_start = in_sample + index * oos
        oos_end = size if index == windows - 1 else oos_start + oos
        is_start = 0 if mode == "anchored" else oos_start - in_sample
        spans.append(
            (
                (int(edges[is_start]), int(edges[oos_start])),
                (int(edges[oos_start]), int(edges[oos_end])),
            )
        )
    return spans


def _timeline(bars: Sequence[Bars]) -> IntArray:
    timeline: IntArray = np.unique(np.concatenate([series.ts for series in bars]))
    return timeline


def walk_forward(
    ref: BarSource,
    bars: Sequence[Bars],
    base: RunSpec,
    candidates: Sequence[Mapping[str, ParamValue]],
    *,
    windows: int = 5,
    in_sample_ratio: float = 3.0,
    mode: Mode = "rolling",
    metric: str = "sharpe",
    workers: int | None = None,
    progress: Progress | None = None,
    warmup: int = 0,
) -> WalkForwardResult:
    """Optimise on each in-sample span, trade the winner on the next out-of-sample span
    (``warmup``: the longest warm-up of the candidates, see :func:`split_windows`)."""
    spans = split_windows(_timeline(bars), windows, in_sample_ratio, mode, warmup=warmup)
    results = []
    with job_pool(workers) as pool:  # one set of worker processes for every window
        for index, (in_sample, out_of_sample) in enumerate(spans):
            found = sweep(
                ref, base, candidates, metric=metric, window=in_sample, workers=1, pool=pool
            )
            if found.best is None:  # pragma: no cover - sweep raises when nothing can run
                raise ValidationError("walk-forward: no parameter set could be run in sample")
            chosen = replace(base, params=dict(found.best.params))
            tested = run_window(bars, chosen, out_of_sample)
            results.append((in_sample, out_of_sample, found.best, tested))
            if progress is not None:
                progress(index + 1, len(spans))
    ts, equity = _stitch([tested.outcome for *_, tested in results], base.config.initial_cash)
    chosen_windows = tuple(
        WalkForwardWindow(i, o, dict(best.params), best.metrics, tested.metrics)
        for i, o, best, tested in results
    )
    return WalkForwardResult(
        base.strategy, mode, metric, chosen_windows, ts, equity, _efficiency(chosen_windows)
    )


def _stitch(
    outcomes: Sequence[BacktestOutcome], initial_cash: float
) -> tuple[IntArray, FloatArray]:
    times, curves, level = [], [], initial_cash
    for outcome in outcomes:
        curves.append(outcome.equity / outcome.equity[0] * level)
        times.append(outcome.ts)
        level = float(curves[-1][-1])
    return np.concatenate(times), np.concatenate(curves)


def _efficiency(windows: Sequence[WalkForwardWindow]) -> float | None:
    in_sample = [w.in_sample_metrics.get("cagr") for w in windows]
    out_of_sample = [w.out_of_sample_metrics.get("cagr") for w in windows]
    if any(value is None for value in (*in_sample, *out_of_sample)):
        return None
    mean_in = float(np.mean(np.asarray(in_sample, dtype=np.float64)))
    if mean_in <= 0:
        return None
    return float(np.mean(np.asarray(out_of_sample, dtype=np.float64))) / mean_in
