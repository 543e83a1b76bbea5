"""Per-bar volatility series the engine feeds to ATR slippage and volatility-target sizing.

Both are causal (bar ``t`` uses bars ``0..t``) and defined from the first bar on:

* :func:`atr_series`: TA-Lib's Wilder ATR (``trademind.indicators.kernels.atr_kernel``); before
  its first value (bar ``period``) the mean of the true ranges so far, the first bar's true
  range being its high minus its low.
* :func:`return_std_series`: the population standard deviation of the last ``period``
  close-to-close returns (of all returns so far until there are ``period``), times the close,
  in dollars per share; NaN until two returns exist.
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
