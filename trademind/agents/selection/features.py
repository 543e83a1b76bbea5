"""Regime features of one symbol, causal: the value at bar ``t`` uses bars ``0..t`` only.

* **Trend strength**: Wilder's ADX(14) (TA-Lib's definition): true range and directional
  movement smoothed with Wilder's running sum, ``DX = 100 |+DI - -DI| / (+DI + -DI)``, ADX the
  Wilder average of DX. First value at bar ``2 * 14 - 1``. 25 and above is a strong trend.
* **Volatility percentile**: the 20-bar realised volatility (sample standard deviation of log
  returns) ranked in its own trailing 252 values, current one included: the share of those
  values at or below the current one, in [0, 1]. First value at bar ``20 + 251``.
* **Range behaviour**: Kaufman's efficiency ratio over 20 bars,
  ``|c_t - c_{t-20}| / sum |c_i - c_{i-1}|`` in [0, 1]: 1 for a straight line, about
  ``1/sqrt(20) = 0.22`` for a random walk, near 0 for a market going back and forth (0 when
  the price did not move at all).
* **Correlation to the index**: Pearson correlation of the 60 latest one-bar returns of the
  symbol with the index's over the same bars (bars matched by timestamp; a window with a bar the
  index lacks has no value). No index given: the feature is missing (None), and said so.

Missing values (warm-up) are NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

if TYPE_CHECKING:
    from trademind.strategies.base import Bars, FloatArray, IntArray

ADX_PERIOD: Final = 14
VOL_WINDOW: Final = 20
VOL_HISTORY: Final = 252
EFFICIENCY_WINDOW: Final = 20
CORRELATION_WINDOW: Final = 60


@dataclass(frozen=True, eq=False)
class RegimeFeatures:
    """One value per bar of the symbol (NaN during the warm-up)."""

    symbol: str
    adx: FloatArray
    vol_percentile: FloatArray
    efficiency: FloatArray
    index_correlation: FloatArray | None
    index_symbol: str | None = None


def _wilder_sum(values: FloatArray, period: int) -> FloatArray:
    """Wilder's running sum from ``values[1:]`` as TA-Lib seeds it: the plain sum of the first
    ``period - 1`` values, then ``S_t = S_{t-1} - S_{t-1} / period + x_t`` (first at index
    ``period``)."""
    out = np.full(values.shape[0], np.nan)
    if values.shape[0] <= period:
        return out
    total = float(np.sum(values[1:period]))
    for index in range(period, values.shape[0]):
        total = total - total / period + float(values[index])
        out[index] = total
    return out


def adx(bars: Bars, period: int = ADX_PERIOD) -> FloatArray:
    """Wilder's ADX (module docstring); NaN before bar ``2 * period - 1``."""
    high, low, close = bars.high, bars.low, bars.close
    size = close.shape[0]
    result = np.full(size, np.nan)
    if size < 2 * period:
        return result
    up = np.concatenate(([0.0], np.diff(high)))
    down = np.concatenate(([0.0], -np.diff(low)))
    plus_dm = np.where((up > down) & (up > 0), up, 0.0)
    minus_dm = np.where((down > up) & (down > 0), down, 0.0)
    previous = np.concatenate(([close[0]], close[:-1]))
    true_range = np.maximum(high - low, np.maximum(abs(high - previous), abs(low - previous)))
    smoothed_tr = _wilder_sum(true_range, period)
    with np.errstate(divide="ignore", invalid="ignore"):
        plus_di = 100.0 * _wilder_sum(plus_dm, period) / smoothed_tr
        minus_di = 100.0 * _wilder_sum(minus_dm, period) / smoothed_tr
        dx = 100.0 * np.abs(plus_di - minus_di) / (plus_di + minus_di)
    dx = np.where(np.isfinite(dx), dx, 0.0)
    first = 2 * period - 1
    value = float(np.mean(dx[period : first + 1]))
    result[first] = value
    for index in range(first + 1, size):
        value = (value * (period - 1) + float(dx[index])) / period
        result[index] = value
    return result


def realised_volatility(close: FloatArray, window: int = VOL_WINDOW) -> FloatArray:
    """Sample standard deviation of the ``window`` latest log returns (NaN before bar
    ``window``), per bar (not annualised: the percentile does not need it)."""
    out = np.full(close.shape[0], np.nan)
    returns = np.diff(np.log(close))
    if returns.shape[0] >= window:
        out[window:] = np.std(sliding_window_view(returns, window), axis=1, ddof=1)
    return out


def volatility_percentile(
    close: FloatArray, window: int = VOL_WINDOW, history: int = VOL_HISTORY
) -> FloatArray:
    """The share of the trailing ``history`` volatility values (current included) at or
    below the current one; NaN until ``history`` values exist."""
    vol = realised_volatility(close, window)
    out = np.full(close.shape[0], np.nan)
    start = window + history - 1
    if close.shape[0] <= start:
        return out
    frames = sliding_window_view(vol[window:], history)
    out[start:] = np.mean(frames <= frames[:, -1:], axis=1)
    return out


def efficiency_ratio(close: FloatArray, window: int = EFFICIENCY_WINDOW) -> FloatArray:
    """Kaufman's efficiency ratio (module docstring); NaN before bar ``window``."""
    out = np.full(close.shape[0], np.nan)
    if close.shape[0] <= window:
        return out
    net = np.abs(close[window:] - close[:-window])
    steps = np.abs(np.diff(close))
    path = np.sum(sliding_window_view(steps, window), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[window:] = np.where(path > 0, net / path, 0.0)
    return out


def _returns_on(ts: IntArray, index: Bars) -> FloatArray:
    """The index's one-bar return at each of ``ts`` (NaN where the index lacks the bar or the
    bar before it)."""
    position = np.searchsorted(index.ts, ts)
    position = np.clip(position, 0, index.ts.shape[0] - 1)
    matched = index.ts[position] == ts
    closes = np.where(matched, index.close[position], np.nan)
    out = np.full(ts.shape[0], np.nan)
    out[1:] = closes[1:] / closes[:-1] - 1.0
    return out


def index_correlation(bars: Bars, index: Bars, window: int = CORRELATION_WINDOW) -> FloatArray:
    """Trailing ``window``-bar correlation of one-bar returns with ``index`` (module doc)."""
    out = np.full(len(bars), np.nan)
    if len(bars) <= window:
        return out
    own = np.full(len(bars), np.nan)
    own[1:] = bars.close[1:] / bars.close[:-1] - 1.0
    theirs = _returns_on(bars.ts, index)
    a = sliding_window_view(own[1:], window)
    b = sliding_window_view(theirs[1:], window)
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.sum(a * b, axis=1) / np.sqrt(np.sum(a * a, axis=1) * np.sum(b * b, axis=1))
    out[window:] = corr
    return out


def regime_features(bars: Bars, index: Bars | None = None) -> RegimeFeatures:
    """Every feature of ``bars`` (the correlation only with an ``index``)."""
    return RegimeFeatures(
        symbol=bars.symbol,
        adx=adx(bars),
        vol_percentile=volatility_percentile(bars.close),
        efficiency=efficiency_ratio(bars.close),
        index_correlation=None if index is None else index_correlation(bars, index),
        index_symbol=None if index is None else index.symbol,
    )
