"""Per-bar volatility series the engine feeds to ATR slippage and volatility-target sizing.

Both are causal (bar ``t`` uses bars ``0..t``) and defined from the first bar on:

* :func:`atr_series`: TA-Lib's Wilder ATR (``trademind.indicators.kernels.atr_kernel``); before
  its first value (bar ``period``) the mean of the true ranges so far, the first bar's true
  range being its high minus its low.
* :func:`return_std_series`: the population standard deviation of the last ``period``
  close-to-close returns (of all returns so far until there are ``period``), times the close,
  in dollars per share; NaN until two returns exist.

:func:`atr_step` and :func:`return_std_step` compute the same values one bar at a time (the
paper broker sees bars as they come), with the very same float64 operations in the same order.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from trademind.fills.jit import njit

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]


@njit
def _fill_warmup(atr: FloatArray, high: FloatArray, low: FloatArray, close: FloatArray) -> None:
    total = 0.0
    for i in range(atr.shape[0]):
        if not math.isnan(atr[i]):
            return
        true_range = high[i] - low[i]
        if i > 0:
            previous = close[i - 1]
            true_range = max(true_range, abs(previous - high[i]), abs(previous - low[i]))
        total += true_range
        atr[i] = total / (i + 1)


def atr_series(high: FloatArray, low: FloatArray, close: FloatArray, period: int) -> FloatArray:
    """ATR of every bar, the warm-up filled with the mean true range so far."""
    from trademind.indicators.kernels import atr_kernel  # lazy: it brings pandas along

    atr, _ = atr_kernel(high, low, close, 0, 0, period, np.zeros(1))
    _fill_warmup(atr, high, low, close)
    return atr


@njit
def return_std_series(close: FloatArray, period: int) -> FloatArray:
    """Rolling standard deviation of close-to-close returns times the close (see above)."""
    size = close.shape[0]
    out = np.full(size, np.nan)
    returns = np.zeros(max(size, 1))
    total = 0.0
    squares = 0.0
    for i in range(1, size):
        value = close[i] / close[i - 1] - 1.0
        returns[i] = value
        total += value
        squares += value * value
        count = i
        if i > period:
            old = returns[i - period]
            total -= old
            squares -= old * old
            count = period
        if count >= 2:
            mean = total / count
            out[i] = math.sqrt(max(squares / count - mean * mean, 0.0)) * close[i]
    return out


@njit
def atr_step(
    index: int,
    bar: tuple[float, float, float],
    period: int,
    wilder: float,
    warm_total: float,
) -> tuple[float, float, float]:
    """One bar of :func:`atr_series` for a caller that sees bars one at a time (the paper
    broker): ``bar`` is ``(high, low, previous close)`` of bar ``index`` (the previous close
    is ignored at bar 0); ``wilder`` and ``warm_total`` are the running sums (0 before bar 0).
    Returns ``(ATR at this bar, wilder, warm_total)``, bit for bit what the series gives."""
    high, low, previous = bar
    if index == 0:
        warm_total += high - low
        return warm_total / 1, wilder, warm_total
    greatest = high - low
    greatest = max(greatest, abs(previous - high))
    greatest = max(greatest, abs(previous - low))
    if index > period:
        wilder *= period - 1
        wilder += greatest
        wilder /= period
        return wilder, wilder, warm_total
    if index == period:
        wilder += greatest
        wilder = wilder / period
        return wilder, wilder, warm_total
    wilder += greatest
    warm_total += greatest
    return warm_total / (index + 1), wilder, warm_total


@njit
def return_std_step(  # noqa: PLR0917
    index: int,
    closes: tuple[float, float],
    old_return: float,
    period: int,
    total: float,
    squares: float,
) -> tuple[float, float, float, float]:
    """One bar of :func:`return_std_series` for a caller that sees bars one at a time:
    ``closes`` is ``(close, previous close)`` of bar ``index``; ``old_return`` the return of
    bar ``index - period`` (used once ``index > period``); ``total`` and ``squares`` the running
    sums. Returns ``(value at this bar, this bar's return, total, squares)``."""
    if index == 0:
        return math.nan, 0.0, total, squares
    close, previous = closes
    value = close / previous - 1.0
    total += value
    squares += value * value
    count = index
    if index > period:
        total -= old_return
        squares -= old_return * old_return
        count = period
    result = math.nan
    if count >= 2:
        mean = total / count
        result = math.sqrt(max(squares / count - mean * mean, 0.0)) * close
    return result, value, total, squares
