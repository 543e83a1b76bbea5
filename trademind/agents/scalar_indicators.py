"""RSI, MACD and Bollinger Bands one close at a time, in Python floats.

The kernels of :mod:`trademind.indicators.kernels` continued one value per call
(:class:`~trademind.strategies.stepping.KernelStep`) cost an array append and a numba call
each, about 5 µs a bar; the agents' indicator book advances every symbol at every bar close.
These steppers repeat the kernels' operations in the same order on the same float64 values
(the kernels are compiled without fast-math, so numba's arithmetic is IEEE float64 as
Python's is, ``math.sqrt`` included): their values are bitwise the kernels' (a test compares
them on long random series), as :class:`~trademind.strategies.stepping.ScalarSma` is the SMA
kernel's.
"""

from __future__ import annotations

import math
from collections import deque

from trademind.indicators.kernels import TA_EPSILON

NAN = math.nan


class ScalarRsi:
    """:func:`~trademind.indicators.kernels.rsi_kernel`: Wilder RSI, first value at bar
    ``period``."""

    def __init__(self, period: int) -> None:
        self._period = period
        self._gain = 0.0
        self._loss = 0.0
        self._previous = NAN
        self._seen = 0

    def push(self, close: float) -> float:
        index, self._seen = self._seen, self._seen + 1
        previous, self._previous = self._previous, close
        if index == 0:
            return NAN
        period = self._period
        change = close - previous
        gain, loss = self._gain, self._loss
        if index > period:
            loss *= period - 1
            gain *= period - 1
        if change < 0:
            loss -= change
        else:
            gain += change
        if index < period:
            self._gain, self._loss = gain, loss
            return NAN
        loss /= period
        gain /= period
        self._gain, self._loss = gain, loss
        total = gain + loss
        if -TA_EPSILON < total < TA_EPSILON:
            return 0.0
        return 100.0 * (gain / total)


def _ema_step(ema: float, value: float, index: int, period: int, factor: float) -> float:
    if index < period - 1:
        return ema + value
    if index == period - 1:
        return (ema + value) / period
    return ((value - ema) * factor) + ema


class ScalarMacd:
    """:func:`~trademind.indicators.kernels.macd_kernel`: ``push`` gives (line, signal,
    histogram), NaN while warming up."""

    def __init__(self, fast: int, slow: int, signal: int) -> None:
        self._fast, self._slow, self._signal = fast, slow, signal
        self._fast_factor = 2.0 / (fast + 1)
        self._slow_factor = 2.0 / (slow + 1)
        self._signal_factor = 2.0 / (signal + 1)
        self._fast_ema = self._slow_ema = self._signal_ema = 0.0
        self._seen = 0

    def push(self, value: float) -> tuple[float, float, float]:
        index, self._seen = self._seen, self._seen + 1
        slow, signal = self._slow, self._signal
        if index >= slow + signal - 1:
            slow_ema = ((value - self._slow_ema) * self._slow_factor) + self._slow_ema
            fast_ema = ((value - self._fast_ema) * self._fast_factor) + self._fast_ema
            line = fast_ema - slow_ema
            signal_ema = ((line - self._signal_ema) * self._signal_factor) + self._signal_ema
            self._fast_ema, self._slow_ema, self._signal_ema = fast_ema, slow_ema, signal_ema
            return line, signal_ema, line - signal_ema
        return self._warming(value, index)

    def _warming(self, value: float, index: int) -> tuple[float, float, float]:
        fast, slow, signal = self._fast, self._slow, self._signal
        self._slow_ema = _ema_step(self._slow_ema, value, index, slow, self._slow_factor)
        fast_begin = slow - fast
        if index >= fast_begin:
            self._fast_ema = _ema_step(
                self._fast_ema, value, index - fast_begin, fast, self._fast_factor
            )
        line_index = index - (slow - 1)
        if line_index < 0:
            return NAN, NAN, NAN
        line = self._fast_ema - self._slow_ema
        self._signal_ema += line
        if line_index == signal - 1:
            self._signal_ema = self._signal_ema / signal
            return line, self._signal_ema, line - self._signal_ema
        return NAN, NAN, NAN


class ScalarBollinger:
    """:func:`~trademind.indicators.kernels.bollinger_kernel`'s bands: ``push`` gives (lower,
    middle, upper), NaN while warming up."""

    def __init__(self, period: int, deviations: float) -> None:
        self._period = period
        self._deviations = deviations
        self._window: deque[float] = deque(maxlen=period)
        self._total = 0.0
        self._squares = 0.0
        self._seen = 0

    def push(self, value: float) -> tuple[float, float, float]:
        self._window.append(value)
        self._total += value
        self._squares += value * value
        index, self._seen = self._seen, self._seen + 1
        period = self._period
        if index < period - 1:
            return NAN, NAN, NAN
        leaving = self._window[0]  # the value period - 1 bars back
        mean = self._total / period
        self._total -= leaving
        variance = self._squares / period
        self._squares -= leaving * leaving
        variance -= mean * mean
        deviation = math.sqrt(variance) if not variance < TA_EPSILON else 0.0
        width = deviation * self._deviations
        return mean - width, mean, mean + width
