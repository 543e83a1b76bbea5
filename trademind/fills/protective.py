"""Protective exits of a long position: stop-loss, trailing stop, take-profit.

Levels (fractions ``stop_loss``, ``trailing``, ``take_profit``; 0 = off), from the position's
average entry price ``average`` (entry value / entry quantity of the round trip, fill prices
with slippage) and its ``peak``::

    stop  = max(average * (1 - stop_loss) if stop_loss > 0,
                peak * (1 - trailing) if trailing > 0)      # -inf when both are off
    target = average * (1 + take_profit) if take_profit > 0 else +inf

the stop being a trailing stop only when the trailing level is strictly above the stop-loss
level. In one bar, checked in this order (:func:`protective_exit`):

1. ``open <= stop``: gap through the stop: sells at the open (a market order);
2. ``open >= target``: gap through the target: sells at the open, limit ``target``;
3. ``low <= stop``: sells at the stop level (market once triggered);
4. ``high >= target``: sells at the target (a limit order at the target);

so when the stop and the target both lie inside one bar, the stop is assumed first. The sale
is an exit order for the whole position that replaces a pending exit order; it goes through
slippage (never past the target's limit), the volume cap (what the cap leaves keeps working at
the following opens as a market exit order) and commission like any sell.

When the check runs: on every bar from the bar after the entry's first fill on, or from the
entry bar itself when that fill was at the bar's open (:func:`first_checked_bar`); never while
an exit order of the position is partly filled, and never for a flat position. The peak starts
at the rule price (before slippage) of the round trip's first fill, rises to each later entry
fill's rule price, and after each checked bar's close to the bar's high
(:func:`raised_peak`, at the close, after the bar's fills).
"""

from __future__ import annotations

import math
from typing import Final

from trademind.fills.jit import njit

EXIT_OPEN: Final = -1
EXIT_SIGNAL: Final = 0
EXIT_STOP_LOSS: Final = 1
EXIT_TAKE_PROFIT: Final = 2
EXIT_TRAILING: Final = 3
EXIT_KIND_NAMES: Final[dict[int, str]] = {
    EXIT_SIGNAL: "signal",
    EXIT_STOP_LOSS: "stop_loss",
    EXIT_TAKE_PROFIT: "take_profit",
    EXIT_TRAILING: "trailing_stop",
}


@njit
def protective_exit(  # noqa: PLR0917 - numba functions take positional arguments
    average: float,
    peak: float,
    levels: tuple[float, float, float],
    open_: float,
    high: float,
    low: float,
) -> tuple[float, int, float]:
    """``(rule price, EXIT_* kind, limit)`` of a protective exit in this bar; a NaN price:
    none triggers. ``levels`` are ``(stop_loss, trailing, take_profit)`` fractions."""
    stop_loss, trailing, take_profit = levels
    level = -math.inf
    kind = EXIT_STOP_LOSS
    if stop_loss > 0.0:
        level = average * (1.0 - stop_loss)
    if trailing > 0.0:
        trail = peak * (1.0 - trailing)
        if trail > level:
            level = trail
            kind = EXIT_TRAILING
    target = average * (1.0 + take_profit) if take_profit > 0.0 else math.inf
    if open_ <= level:
        return open_, kind, math.nan
    if open_ >= target:
        return open_, EXIT_TAKE_PROFIT, target
    if low <= level:
        return level, kind, math.nan
    if high >= target:
        return target, EXIT_TAKE_PROFIT, target
    return math.nan, kind, math.nan


@njit
def first_checked_bar(fill_bar: int, at_open: bool) -> int:
    """The first bar whose range may trigger the protective exits (and raise the peak) of a
    round trip whose first entry fill was in ``fill_bar`` (at its open or not)."""
    return fill_bar if at_open else fill_bar + 1


@njit
def raised_peak(peak: float, high: float) -> float:
    """The trailing reference after a checked bar whose high is ``high``."""
    return max(peak, high)
