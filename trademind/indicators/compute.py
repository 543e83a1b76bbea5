"""The indicator engine: run every kernel of a spec, in full or continuing from a state.

>>> result = compute_full(spec, prices)                  # from the first bar
>>> later = compute_incremental(spec, result.state, window, new_prices)

``later.columns`` then hold exactly (bit for bit) the values a full recompute over all bars
gives for the new bars. ``window`` is the last ``state.window_length`` bars the state has
seen, re-read from the store; it must be unchanged, else :class:`StateMismatchError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from trademind.indicators import kernels
from trademind.indicators.spec import IndicatorSpec
from trademind.indicators.state import (
    EngineState,
    FloatArray,
    IntArray,
    PriceArrays,
    StateMismatchError,
)


@dataclass(frozen=True, eq=False)
class Computation:
    """Values for the new bars (NaN in the warm-up) and the state after the last of them."""

    ts: IntArray
    columns: dict[str, FloatArray]
    state: EngineState

    def frame(self) -> pd.DataFrame:
        """``ts`` (UTC) and one float64 column per indicator."""
        data: dict[str, object] = {"ts": pd.to_datetime(self.ts, utc=True)}
        return pd.DataFrame(data | dict(self.columns))


def initial_state(spec: IndicatorSpec) -> FloatArray:
    """The state vector before the first bar (layout: see :func:`_run`)."""
    stoch = np.zeros(kernels.STOCH_SCALARS + spec.stoch_k_smoothing + spec.stoch_d_period)
    stoch[1] = stoch[3] = -1.0  # no lowest/highest bar yet
    parts = [
        np.zeros(2),  # rsi: average gain, average loss
        np.zeros(3),  # macd: fast, slow, signal
        *(np.zeros(1) for _ in spec.sma_periods),
        *(np.zeros(1) for _ in spec.ema_periods),
        np.zeros(2),  # bollinger: sum, sum of squares
        np.zeros(1),  # atr
        np.zeros(1),  # obv
        np.zeros(1),  # volume trend: volume sum
        stoch,
    ]
    return np.concatenate(parts)


def _pieces(state: FloatArray, sizes: Iterator[int]) -> Iterator[FloatArray]:
    offset = 0
    for size in sizes:
        yield state[offset : offset + size]
        offset += size


def _run(
    spec: IndicatorSpec, bars: PriceArrays, start: int, seen: int, state: FloatArray
) -> tuple[dict[str, FloatArray], FloatArray]:
    """Run every kernel over ``bars[start:]`` (``bars[:start]`` is the window)."""
    sizes = [2, 3, *([1] * len(spec.sma_periods)), *([1] * len(spec.ema_periods)), 2, 1, 1, 1]
    sizes.append(len(state) - sum(sizes))
    piece = _pieces(state, iter(sizes))
    close, high, low, volume = bars.close, bars.high, bars.low, bars.volume
    names = iter(spec.columns)
    columns: dict[str, FloatArray] = {}
    new_state: list[FloatArray] = []

    def keep(*results: FloatArray) -> None:
        *outputs, after = results
        for output in outputs:
            columns[next(names)] = output
        new_state.append(after)

    keep(*kernels.rsi_kernel(close, start, seen, spec.rsi_period, next(piece)))
    macd = (spec.macd_fast, spec.macd_slow, spec.macd_signal)
    keep(*kernels.macd_kernel(close, start, seen, *macd, next(piece)))
    for period in spec.sma_periods:
        keep(*kernels.sma_kernel(close, start, seen, period, next(piece)))
    for period in spec.ema_periods:
        keep(*kernels.ema_kernel(close, start, seen, period, next(piece)))
    bollinger = (spec.bollinger_period, spec.bollinger_std)
    keep(*kernels.bollinger_kernel(close, start, seen, *bollinger, next(piece)))
    keep(*kernels.atr_kernel(high, low, close, start, seen, spec.atr_period, next(piece)))
    keep(*kernels.obv_kernel(close, volume, start, seen, next(piece)))
    trend = spec.volume_trend_period
    keep(*kernels.volume_trend_kernel(volume, start, seen, trend, next(piece)))
    stoch = (spec.stoch_k_period, spec.stoch_k_smoothing, spec.stoch_d_period)
    keep(*kernels.stoch_kernel(high, low, close, start, seen, *stoch, next(piece)))
    return columns, np.concatenate(new_state)


def _finish(
    spec: IndicatorSpec,
    *,
    seen_bars: PriceArrays,
    bars_seen: int,
    columns: dict[str, FloatArray],
    new_ts: IntArray,
    values: FloatArray,
) -> Computation:
    window = seen_bars.tail(spec.window)
    state = EngineState(
        spec_key=spec.key,
        bars_seen=bars_seen,
        last_ts=int(window.ts[-1]),
        window_start_ts=int(window.ts[0]),
        window_length=len(window),
        window_checksum=window.checksum(),
        values=values,
    )
    return Computation(ts=new_ts, columns=columns, state=state)


def compute_full(spec: IndicatorSpec, bars: PriceArrays) -> Computation:
    """Every indicator of ``spec`` over ``bars`` from the first bar (at least one bar)."""
    if len(bars) == 0:
        raise ValueError("compute_full needs at least one bar")
    bars.check()
    columns, values = _run(spec, bars, 0, 0, initial_state(spec))
    return _finish(
        spec, seen_bars=bars, bars_seen=len(bars), columns=columns, new_ts=bars.ts, values=values
    )


def check_window(spec: IndicatorSpec, state: EngineState, window: PriceArrays) -> None:
    """Raise :class:`StateMismatchError` unless ``window`` is the state's window, unchanged."""
    if state.spec_key != spec.key:
        raise StateMismatchError("the indicator set changed since the state was saved")
    expected = min(spec.window, state.bars_seen)
    if state.window_length != expected or len(window) != expected:
        raise StateMismatchError(
            f"expected the {expected} bars before the update, found {len(window)}"
        )
    if int(window.ts[-1]) != state.last_ts or int(window.ts[0]) != state.window_start_ts:
        raise StateMismatchError("the bars before the update moved")
    if window.checksum() != state.window_checksum:
        raise StateMismatchError("the bars before the update changed (new adjustment?)")


def compute_incremental(
    spec: IndicatorSpec, state: EngineState, window: PriceArrays, new: PriceArrays
) -> Computation:
    """Continue from ``state`` over ``new`` bars; ``window`` as in :func:`check_window`."""
    check_window(spec, state, window)
    if len(new) == 0:
        return Computation(new.ts, {name: np.empty(0) for name in spec.columns}, state)
    if int(new.ts[0]) <= state.last_ts:
        raise StateMismatchError("new bars must come after the last bar of the state")
    bars = window.then(new)
    bars.check()
    columns, values = _run(spec, bars, len(window), state.bars_seen, state.values)
    return _finish(
        spec,
        seen_bars=bars,
        bars_seen=state.bars_seen + len(new),
        columns=columns,
        new_ts=new.ts,
        values=values,
    )


def warm_up() -> None:
    """Compile (or load from numba's cache) every kernel once, so timing excludes it."""
    spec = IndicatorSpec()
    rng = np.random.default_rng(0)
    close = 100 + np.cumsum(rng.normal(size=64))
    bars = PriceArrays(
        ts=np.arange(64, dtype=np.int64),
        high=close + 1,
        low=close - 1,
        close=close,
        volume=np.full(64, 1000.0),
    )
    compute_full(spec, bars)
