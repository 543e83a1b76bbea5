"""Indicator kernels: numba state machines that continue exactly where they stopped.

Every kernel has the shape ``kernel(inputs, start, seen, parameters, state) -> (outputs,
new_state)``:

* ``inputs`` are float64 arrays holding *window bars* followed by *new bars*; ``start`` is the
  index of the first new bar. The window bars (already processed) are only read for values
  that leave a rolling window and for the previous close.
* ``seen`` is how many bars the state has processed, i.e. the absolute index of
  ``inputs[start]`` in the symbol's history. Warm-ups are decided on absolute indices.
* ``state`` is a float64 vector with exactly what the recursion carries (running sums, Wilder
  averages, EMA values, ring buffers of derived series); the kernel returns an updated copy.
* outputs cover the new bars only; NaN marks bars still in the warm-up.

A full computation is the same kernel from the initial state with no window. Because an
incremental update performs the very same floating-point operations, in the same order, from
the very same state, its results are bitwise equal to a full recomputation.

The arithmetic mirrors TA-Lib 0.6+ (``ta_SMA.c``, ``ta_EMA.c``, ``ta_RSI.c``, ``ta_ATR.c``,
``ta_TRANGE.c``, ``ta_MACD.c``, ``ta_BBANDS.c``, ``ta_STOCH.c``, ``ta_OBV.c``) operation by
operation, TA-Lib's unstable period is 0 and its compatibility mode the default; see
docs/indicators.md for the definitions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numba  # type: ignore[import-untyped]
import numpy as np

if TYPE_CHECKING:  # the state module imports pandas; the kernels must not (backtest memory)
    from trademind.indicators.state import FloatArray

TA_EPSILON = 0.00000001
"""TA-Lib's TA_IS_ZERO threshold: RSI is 0 when average gain + loss is within it of zero, and
Bollinger's standard deviation is 0 when the variance is below it."""


def _compile[F: Callable[..., Any]](function: F) -> F:
    """``numba.njit(cache=True)``, or without the on-disk cache when no cache directory is
    writable (a read-only install without a user cache directory): slower start, same code."""
    try:
        compiled = numba.njit(cache=True, nogil=True)(function)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        compiled = numba.njit(nogil=True)(function)
    return cast("F", compiled)


NAN = np.nan


@_compile
def sma_kernel(
    values: FloatArray, start: int, seen: int, period: int, state: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Simple moving average with TA-Lib's running sum. State: ``[running_sum]``."""
    size = values.shape[0]
    out = np.empty(size - start)
    offset = seen - start
    total = state[0]
    for i in range(start, size):
        total += values[i]
        if offset + i >= period - 1:
            out[i - start] = total / period
            total -= values[i - period + 1]
        else:
            out[i - start] = NAN
    new_state = state.copy()
    new_state[0] = total
    return out, new_state


@_compile
def ema_kernel(
    values: FloatArray, start: int, seen: int, period: int, state: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """EMA seeded with the SMA of the first ``period`` values. State: ``[sum_or_ema]``."""
    size = values.shape[0]
    out = np.empty(size - start)
    offset = seen - start
    factor = 2.0 / (period + 1)
    value = state[0]
    for i in range(start, size):
        index = offset + i
        if index >= period:
            value = ((values[i] - value) * factor) + value
        elif index == period - 1:
            value += values[i]
            value = value / period
        else:
            value += values[i]
            out[i - start] = NAN
            continue
        out[i - start] = value
    new_state = state.copy()
    new_state[0] = value
    return out, new_state


@_compile
def rsi_kernel(
    close: FloatArray, start: int, seen: int, period: int, state: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Wilder RSI; the first value is at bar ``period``. State: ``[avg_gain, avg_loss]``."""
    size = close.shape[0]
    out = np.empty(size - start)
    offset = seen - start
    gain = state[0]
    loss = state[1]
    for i in range(start, size):
        index = offset + i
        if index == 0:
            out[i - start] = NAN
            continue
        change = close[i] - close[i - 1]
        if index > period:
            loss *= period - 1
            gain *= period - 1
        if change < 0:
            loss -= change
        else:
            gain += change
        if index < period:
            out[i - start] = NAN
            continue
        loss /= period
        gain /= period
        total = gain + loss
        if -TA_EPSILON < total < TA_EPSILON:
            out[i - start] = 0.0
        else:
            out[i - start] = 100.0 * (gain / total)
    new_state = state.copy()
    new_state[0] = gain
    new_state[1] = loss
    return out, new_state


@_compile
def atr_kernel(  # noqa: PLR0917 - numba kernels take positional arguments only
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    start: int,
    seen: int,
    period: int,
    state: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Wilder ATR of TA-Lib's true range; first value at bar ``period``. State: ``[atr]``."""
    size = close.shape[0]
    out = np.empty(size - start)
    offset = seen - start
    atr = state[0]
    for i in range(start, size):
        index = offset + i
        if index == 0:
            out[i - start] = NAN
            continue
        previous = close[i - 1]
        greatest = high[i] - low[i]
        greatest = max(greatest, abs(previous - high[i]))
        greatest = max(greatest, abs(previous - low[i]))
        if index > period:
            atr *= period - 1
            atr += greatest
            atr /= period
        elif index == period:
            atr += greatest
            atr = atr / period
        else:
            atr += greatest
            out[i - start] = NAN
            continue
        out[i - start] = atr
    new_state = state.copy()
    new_state[0] = atr
    return out, new_state


@_compile
def _ema_step(ema: float, value: float, index: int, period: int, factor: float) -> float:
    """One EMA step at ``index`` (0-based from the EMA's first input): sum while seeding, the
    seed (the SMA) at ``period - 1``, then the recursion, as TA-Lib's INT_EMA does it."""
    if index < period - 1:
        return ema + value
    if index == period - 1:
        return (ema + value) / period
    return ((value - ema) * factor) + ema


@_compile
def macd_kernel(  # noqa: PLR0917 - numba kernels take positional arguments only
    values: FloatArray,
    start: int,
    seen: int,
    fast: int,
    slow: int,
    signal: int,
    state: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """TA-Lib MACD: the fast EMA is seeded on the ``fast`` bars ending where the slow EMA's
    seed ends, so both start at bar ``slow - 1``; the signal is an SMA-seeded EMA of the line.
    State: ``[fast_ema, slow_ema, signal_ema]`` (sums while seeding)."""
    size = values.shape[0]
    line_out = np.empty(size - start)
    signal_out = np.empty(size - start)
    hist_out = np.empty(size - start)
    offset = seen - start
    fast_factor = 2.0 / (fast + 1)
    slow_factor = 2.0 / (slow + 1)
    signal_factor = 2.0 / (signal + 1)
    fast_begin = slow - fast
    fast_ema, slow_ema, signal_ema = state[0], state[1], state[2]
    for i in range(start, size):
        index = offset + i
        value = values[i]
        j = i - start
        if index >= slow + signal - 1:
            slow_ema = ((value - slow_ema) * slow_factor) + slow_ema
            fast_ema = ((value - fast_ema) * fast_factor) + fast_ema
            line = fast_ema - slow_ema
            signal_ema = ((line - signal_ema) * signal_factor) + signal_ema
            line_out[j] = line
            signal_out[j] = signal_ema
            hist_out[j] = line - signal_ema
            continue
        slow_ema = _ema_step(slow_ema, value, index, slow, slow_factor)
        if index >= fast_begin:
            fast_ema = _ema_step(fast_ema, value, index - fast_begin, fast, fast_factor)
        line_out[j] = signal_out[j] = hist_out[j] = NAN
        line_index = index - (slow - 1)
        if line_index < 0:
            continue
        line = fast_ema - slow_ema
        signal_ema += line
        if line_index == signal - 1:
            signal_ema = signal_ema / signal
            line_out[j] = line
            signal_out[j] = signal_ema
            hist_out[j] = line - signal_ema
    new_state = state.copy()
    new_state[0], new_state[1], new_state[2] = fast_ema, slow_ema, signal_ema
    return line_out, signal_out, hist_out, new_state


@_compile
def bollinger_kernel(  # noqa: PLR0917 - numba kernels take positional arguments only
    close: FloatArray,
    start: int,
    seen: int,
    period: int,
    deviations: float,
    state: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """TA-Lib BBANDS (SMA middle, population deviation from running sums of x and x*x), plus
    bandwidth ``(upper - lower) / middle`` and %B ``(close - lower) / (upper - lower)``.
    State: ``[running_sum, running_sum_of_squares]``."""
    size = close.shape[0]
    count = size - start
    lower, middle, upper = np.empty(count), np.empty(count), np.empty(count)
    bandwidth, percent_b = np.empty(count), np.empty(count)
    offset = seen - start
    total, total_squares = state[0], state[1]
    for i in range(start, size):
        value = close[i]
        total += value
        total_squares += value * value
        j = i - start
        if offset + i < period - 1:
            lower[j] = middle[j] = upper[j] = bandwidth[j] = percent_b[j] = NAN
            continue
        leaving = close[i - period + 1]
        mean = total / period
        total -= leaving
        variance = total_squares / period
        total_squares -= leaving * leaving
        variance -= mean * mean
        deviation = math.sqrt(variance) if not variance < TA_EPSILON else 0.0
        width = deviation * deviations
        top = mean + width
        bottom = mean - width
        lower[j], middle[j], upper[j] = bottom, mean, top
        bandwidth[j] = (top - bottom) / mean if mean != 0.0 else NAN
        percent_b[j] = (value - bottom) / (top - bottom) if top != bottom else NAN
    new_state = state.copy()
    new_state[0], new_state[1] = total, total_squares
    return lower, middle, upper, bandwidth, percent_b, new_state


@_compile
def obv_kernel(
    close: FloatArray, volume: FloatArray, start: int, seen: int, state: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """TA-Lib OBV: starts at the first bar's volume. State: ``[obv]``."""
    size = close.shape[0]
    out = np.empty(size - start)
    offset = seen - start
    obv = state[0]
    for i in range(start, size):
        if offset + i == 0:
            obv = volume[i]
        elif close[i] > close[i - 1]:
            obv += volume[i]
        elif close[i] < close[i - 1]:
            obv -= volume[i]
        out[i - start] = obv
    new_state = state.copy()
    new_state[0] = obv
    return out, new_state


@_compile
def volume_trend_kernel(
    volume: FloatArray, start: int, seen: int, period: int, state: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Volume divided by its TA-Lib SMA over ``period`` bars (NaN where that SMA is 0).
    State: ``[running_sum]``."""
    size = volume.shape[0]
    out = np.empty(size - start)
    offset = seen - start
    total = state[0]
    for i in range(start, size):
        total += volume[i]
        if offset + i >= period - 1:
            average = total / period
            total -= volume[i - period + 1]
            out[i - start] = volume[i] / average if average != 0.0 else NAN
        else:
            out[i - start] = NAN
    new_state = state.copy()
    new_state[0] = total
    return out, new_state


STOCH_SCALARS = 6
"""Stochastic state: lowest, its bar, highest, its bar, slow %K running sum, %D running sum,
then the last ``k_smoothing`` fast %K values and the last ``d_period`` slow %K values."""


@_compile
def _window_extreme(
    values: FloatArray, first: int, last: int, offset: int, lowest: bool
) -> tuple[float, int]:
    """TA-Lib's rescan: the first extreme of ``values`` over absolute bars first..last."""
    best_index = first
    best = values[first - offset]
    for index in range(first + 1, last + 1):
        value = values[index - offset]
        if (value < best) if lowest else (value > best):
            best_index = index
            best = value
    return best, best_index


@_compile
def stoch_kernel(  # noqa: PLR0917 - numba kernels take positional arguments only
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    start: int,
    seen: int,
    k_period: int,
    k_smoothing: int,
    d_period: int,
    state: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """TA-Lib STOCH with SMA slow %K and SMA %D. State: see :data:`STOCH_SCALARS`."""
    size = close.shape[0]
    k_out, d_out = np.empty(size - start), np.empty(size - start)
    offset = seen - start
    new_state = state.copy()
    lowest, lowest_index = new_state[0], int(new_state[1])
    highest, highest_index = new_state[2], int(new_state[3])
    k_total, d_total = new_state[4], new_state[5]
    fast_ring = new_state[STOCH_SCALARS : STOCH_SCALARS + k_smoothing]
    slow_ring = new_state[STOCH_SCALARS + k_smoothing :]
    for i in range(start, size):
        index = offset + i
        trailing = index - k_period + 1
        k_out[i - start] = d_out[i - start] = NAN
        if trailing < 0:
            continue
        if lowest_index < trailing:
            lowest, lowest_index = _window_extreme(low, trailing, index, offset, True)
        elif low[i] <= lowest:
            lowest, lowest_index = low[i], index
        if highest_index < trailing:
            highest, highest_index = _window_extreme(high, trailing, index, offset, False)
        elif high[i] >= highest:
            highest, highest_index = high[i], index
        spread = (highest - lowest) / 100.0
        fast_k = (close[i] - lowest) / spread if spread != 0.0 else 0.0
        fast_ring[trailing % k_smoothing] = fast_k
        k_total += fast_k
        if trailing < k_smoothing - 1:
            continue
        slow_k = k_total / k_smoothing
        k_total -= fast_ring[(trailing + 1) % k_smoothing]
        slow_index = trailing - (k_smoothing - 1)
        slow_ring[slow_index % d_period] = slow_k
        d_total += slow_k
        if slow_index < d_period - 1:
            continue
        k_out[i - start] = slow_k
        d_out[i - start] = d_total / d_period
        d_total -= slow_ring[(slow_index + 1) % d_period]
    new_state[0], new_state[1] = lowest, lowest_index
    new_state[2], new_state[3] = highest, highest_index
    new_state[4], new_state[5] = k_total, d_total
    return k_out, d_out, new_state
