"""The engine runs of a strategy-selection walk-forward: each strategy on each symbol, per window.

Every run is one symbol alone in an account of its own (the ``backtest`` settings: cash, costs,
sizing, fills), the signals computed once on the whole history (they are causal) and the window
traded from a flat account. Unlike ``backtest walk-forward``, a strategy that holds a position
when the window opens (its last signal before the window was an entry) buys at the window's
first bar (filled as any entry, costs included): otherwise buy-and-hold, whose only entry is the
history's first bar, would never trade in a later window, and a trend follower would sit out a
trend it is in until the next cross. A window's portfolio
of several symbols gives each symbol the same share of the capital at the window's start and
holds the shares without rebalancing: its curve is the mean of the symbols' equity curves, each
divided by its first value (a symbol keeps its last value on a day it has no bar, and 1.0 before
its first bar in the window). The windows' curves are chained (each starts where the previous
ended) and the daily returns of the chained curve are what the Sharpe ratios are measured on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from trademind.backtest.engine.run import run_backtest
from trademind.backtest.research.runner import Window, slice_window

if TYPE_CHECKING:
    from trademind.backtest.engine.config import BacktestConfig
    from trademind.strategies.base import Bars, BoolArray, FloatArray, IntArray, Signals


@dataclass(frozen=True, eq=False)
class Curve:
    """One account's equity over a window: bar times (ns) and values."""

    ts: IntArray
    equity: FloatArray

    def returns(self) -> FloatArray:
        """``E_t / E_{t-1} - 1`` for every bar after the first."""
        values: FloatArray = self.equity[1:] / self.equity[:-1] - 1.0
        return values

    def normalised_on(self, timeline: IntArray) -> FloatArray:
        """The curve divided by its first value, on ``timeline`` (module docstring)."""
        position = np.searchsorted(self.ts, timeline, side="right") - 1
        values = self.equity[np.clip(position, 0, None)] / self.equity[0]
        result: FloatArray = np.where(position >= 0, values, 1.0)
        return result


def held(signals: Signals) -> BoolArray:
    """Whether the strategy is long after each bar: its last entry or exit was an entry."""
    events = signals.entries | signals.exits
    last = np.maximum.accumulate(np.where(events, np.arange(events.shape[0]), -1))
    result: BoolArray = (last >= 0) & signals.entries[np.clip(last, 0, None)]
    return result


def _opening_entry(cut: Signals, holding: bool) -> Signals:
    """``cut`` with an entry at its first bar when the strategy holds a position coming in."""
    if not holding or bool(cut.entries[0]) or bool(cut.exits[0]):
        return cut
    entries = cut.entries.copy()
    entries[0] = True
    confidence = cut.confidence.copy()
    confidence[0] = 1.0
    return replace(cut, entries=entries, confidence=confidence)


def window_curve(
    series: Bars, signals: Signals, config: BacktestConfig, window: Window
) -> Curve | None:
    """``series`` traded with ``signals`` inside ``window`` (None: no bar there)."""
    begin, end = np.searchsorted(series.ts, window, side="left")
    if end - begin < 2:
        return None
    inside, (cut,) = slice_window([series], [signals], window)
    holding = begin > 0 and bool(held(signals)[begin - 1])
    outcome = run_backtest(inside, [_opening_entry(cut, holding)], config)
    return Curve(outcome.ts, outcome.equity)


def window_curves(
    bars: Sequence[Bars],
    signals: Mapping[str, Sequence[Signals]],
    config: BacktestConfig,
    window: Window,
) -> dict[str, dict[str, Curve]]:
    """``{strategy: {symbol: curve}}`` for every strategy and symbol with bars in ``window``."""
    curves: dict[str, dict[str, Curve]] = {}
    for name, per_symbol in signals.items():
        curves[name] = {}
        for series, signal in zip(bars, per_symbol, strict=True):
            curve = window_curve(series, signal, config, window)
            if curve is not None:
                curves[name][series.symbol] = curve
    return curves


def timeline_of(bars: Sequence[Bars], window: Window) -> IntArray:
    """Every bar time of ``bars`` inside ``window``, sorted, once."""
    parts = [s.ts[(s.ts >= window[0]) & (s.ts < window[1])] for s in bars]
    timeline: IntArray = np.unique(np.concatenate(parts))
    return timeline


def portfolio(curves: Sequence[Curve], timeline: IntArray) -> FloatArray:
    """Equal capital per curve at the start, held (module docstring), starting at 1.0."""
    stacked = np.vstack([curve.normalised_on(timeline) for curve in curves])
    result: FloatArray = stacked.mean(axis=0)
    return result


def chain(pieces: Sequence[FloatArray]) -> FloatArray:
    """Window curves that each start at 1.0, chained into one curve starting at 1.0."""
    level, chained = 1.0, []
    for piece in pieces:
        chained.append(piece * level)
        level = float(chained[-1][-1])
    return np.concatenate(chained)
