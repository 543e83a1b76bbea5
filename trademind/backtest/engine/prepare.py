"""Everything the engine loop needs, as flat read-only arrays: checked, merged, packed.

One symbol is passed through as zero-copy views. Several symbols are merged into one *event*
sequence in time order (a stable sort of their timestamps, so bars with the same timestamp
come in the order the symbols were given), every column gathered into that order: the loop then
reads memory sequentially (symbol-major arrays visited in time order would miss the cache on
every bar). ``symbol_of`` and ``local`` say which symbol, and which of its bars, an event is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.backtest.engine.columns import (
    P_COMM_A,
    P_COMM_B,
    P_COMM_C,
    P_INITIAL_CASH,
    P_LIMIT_OFFSET,
    P_SIZE_A,
    P_SIZE_B,
    P_SIZE_C,
    P_SLIP,
    P_STOP_LOSS,
    P_STOP_OFFSET,
    P_TAKE_PROFIT,
    P_TRAILING,
    P_VOLUME_CAP,
    PARAM_WIDTH,
    Q_CLOSE_MODE,
    Q_COMM_KIND,
    Q_FRACTIONAL,
    Q_ORDER_TYPE,
    Q_PROTECTED,
    Q_SIZE_KIND,
    Q_SLIP_KIND,
    Q_TIF,
)
from trademind.core.errors import ValidationError
from trademind.fills.jit import njit
from trademind.fills.orders import TIF_DAY
from trademind.fills.sizing import VolatilityTarget
from trademind.fills.slippage import AtrSlippage
from trademind.fills.volatility import atr_series, return_std_series

if TYPE_CHECKING:
    import numpy.typing as npt

    from trademind.backtest.engine.config import BacktestConfig
    from trademind.strategies.base import Bars, Signals

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]
    BoolArray = npt.NDArray[np.bool_]

DAILY_SECONDS: Final = 20 * 3600
"""Bars at least this far apart (median) are each their own session (daily and longer)."""
NS_PER_SECOND: Final = 1_000_000_000
BAD_BAR_REASONS: Final = (
    "",
    "timestamps are not strictly increasing",
    "a price is not a finite positive number",
    "a volume is negative or not finite",
)


@dataclass(frozen=True, eq=False)
class SymbolArrays:
    """One symbol's checked bars and signals as read-only float64/int64/bool arrays."""

    ts: IntArray
    prices: tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]  # o, h, l, c, v
    entries: BoolArray
    exits: BoolArray


@dataclass(frozen=True, eq=False)
class Flat:
    """All symbols' bars and signals as one event sequence in time order (module docstring)."""

    ts: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray
    entries: BoolArray
    exits: BoolArray
    symbol_of: IntArray  # symbol of every event; empty: one symbol
    local: IntArray  # the event's bar index within its symbol; empty: one symbol
    order: IntArray  # symbol-major (concatenated) index of every event; empty: one symbol
    symbols: tuple[SymbolArrays, ...]
    steps: int  # distinct timestamps

    def events[T: np.generic](self, per_symbol: Sequence[npt.NDArray[T]]) -> npt.NDArray[T]:
        """One array per symbol (aligned with its bars) as one array in event order."""
        return _gather(per_symbol, self.order)

    def local_index(self, event: IntArray) -> IntArray:
        """Symbol-local bar indices of event indices (-1 stays -1)."""
        if self.local.shape[0] == 0:
            return event
        result: IntArray = np.where(event >= 0, self.local[np.maximum(event, 0)], -1)
        return result


def _gather[T: np.generic](per_symbol: Sequence[npt.NDArray[T]], order: IntArray) -> npt.NDArray[T]:
    if len(per_symbol) == 1:
        return readonly(per_symbol[0], per_symbol[0].dtype.type)
    joined: npt.NDArray[T] = np.concatenate(per_symbol)[order]
    return readonly(joined, joined.dtype.type)


def readonly[T: np.generic](values: object, dtype: type[T]) -> npt.NDArray[T]:
    """A contiguous read-only view (a copy only when the layout or dtype differ): the loop
    then always sees one array type, so numba compiles it once."""
    array = np.ascontiguousarray(values, dtype=dtype)
    view = array.view()
    view.flags.writeable = False
    return view


EMPTY_INT: Final = readonly(np.empty(0, dtype=np.int64), np.int64)
EMPTY_FLOAT: Final = readonly(np.empty(0, dtype=np.float64), np.float64)


@njit
def _first_bad_bar(  # noqa: PLR0917 - numba takes positional arguments
    ts: IntArray,
    open_: FloatArray,
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    volume: FloatArray,
) -> tuple[int, int]:
    for i in range(ts.shape[0]):
        if i > 0 and ts[i] <= ts[i - 1]:
            return i, 1
        for price in (open_[i], high[i], low[i], close[i]):
            if not 0.0 < price < math.inf:
                return i, 2
        if not 0.0 <= volume[i] < math.inf:
            return i, 3
    return -1, 0


def _timestamps(bars: Bars) -> IntArray:
    ts = np.asarray(bars.ts)
    if ts.dtype.kind == "M":
        ts = ts.astype("datetime64[ns]").view(np.int64)
    if ts.dtype != np.int64:
        raise ValidationError(f"{bars.symbol}: ts must be int64 epoch nanoseconds, not {ts.dtype}")
    return readonly(ts, np.int64)


def _check_symbol(bars: Bars, signals: Signals) -> None:
    size = len(bars)
    if size == 0:
        raise ValidationError(f"{bars.symbol}: no bars to backtest")
    columns = (bars.open, bars.high, bars.low, bars.close, bars.volume)
    if any(np.shape(column) != (size,) for column in columns):
        raise ValidationError(f"{bars.symbol}: bar arrays differ in length")
    for name in ("entries", "exits"):
        values = np.asarray(getattr(signals, name))
        if values.shape != (size,) or values.dtype != np.bool_:
            raise ValidationError(
                f"{bars.symbol}: signal {name} must be {size} booleans, got {values.dtype} "
                f"{values.shape}"
            )
    if np.any(np.logical_and(signals.entries, signals.exits)):
        raise ValidationError(f"{bars.symbol}: a bar has both an entry and an exit signal")


def _symbol_arrays(bars: Bars, signals: Signals) -> SymbolArrays:
    _check_symbol(bars, signals)
    ts = _timestamps(bars)
    o, h, l, c, v = (  # noqa: E741
        readonly(column, np.float64)
        for column in (bars.open, bars.high, bars.low, bars.close, bars.volume)
    )
    index, code = _first_bad_bar(ts, o, h, l, c, v)
    if code:
        raise ValidationError(f"{bars.symbol}: bar {index}: {BAD_BAR_REASONS[code]}")
    entries = readonly(signals.entries, np.bool_)
    return SymbolArrays(ts, (o, h, l, c, v), entries, readonly(signals.exits, np.bool_))


def flatten(bars: Sequence[Bars], signals: Sequence[Signals]) -> Flat:
    """Check every symbol's bars and signals and lay them out for the loop."""
    if not bars:
        raise ValidationError("no symbols to backtest")
    if len(bars) != len(signals):
        raise ValidationError(f"{len(bars)} bar series but {len(signals)} signal series")
    names = [b.symbol for b in bars]
    if len(set(names)) != len(names):
        raise ValidationError(f"a symbol appears twice: {', '.join(names)}")
    symbols = tuple(_symbol_arrays(b, s) for b, s in zip(bars, signals, strict=True))
    if len(symbols) == 1:
        one = symbols[0]
        o, h, l, c, v = one.prices  # noqa: E741
        nothing = (EMPTY_INT, EMPTY_INT, EMPTY_INT)
        return Flat(one.ts, o, h, l, c, v, one.entries, one.exits, *nothing, symbols, len(one.ts))
    lengths = [len(one.ts) for one in symbols]
    joined_ts = np.concatenate([one.ts for one in symbols])
    order = readonly(np.argsort(joined_ts, kind="stable"), np.int64)
    ts = readonly(joined_ts[order], np.int64)
    del joined_ts
    steps = 1 + int(np.count_nonzero(np.diff(ts)))
    symbol_of = np.repeat(np.arange(len(symbols), dtype=np.int64), lengths)
    local = np.concatenate([np.arange(size, dtype=np.int64) for size in lengths])
    o, h, l, c, v = (_gather([one.prices[k] for one in symbols], order) for k in range(5))  # noqa: E741
    return Flat(
        ts,
        o,
        h,
        l,
        c,
        v,
        _gather([one.entries for one in symbols], order),
        _gather([one.exits for one in symbols], order),
        readonly(symbol_of[order], np.int64),
        readonly(local[order], np.int64),
        order,
        symbols,
        steps,
    )


def median_interval_seconds(ts: IntArray) -> float:
    """The median spacing of ``ts`` in seconds (NaN for fewer than two bars)."""
    if ts.shape[0] < 2:
        return math.nan
    return float(np.median(np.diff(ts))) / NS_PER_SECOND


def _sessions_of(ts: IntArray, timezone: str) -> IntArray:
    if not median_interval_seconds(ts) < DAILY_SECONDS:
        return np.arange(ts.shape[0], dtype=np.int64)  # daily bars: each bar is a session
    import pandas as pd  # only intraday DAY orders need it: keep it off the import path

    try:
        local = pd.DatetimeIndex(ts.view("datetime64[ns]"), tz="UTC").tz_convert(timezone)
    except (KeyError, ValueError) as error:
        raise ValidationError(f"session_timezone: unknown time zone {timezone!r}") from error
    days = local.tz_localize(None).to_numpy().view(np.int64) // (86_400 * NS_PER_SECOND)
    return np.asarray(days, dtype=np.int64)


def sessions(flat: Flat, config: BacktestConfig) -> IntArray:
    """Session id of every event, or empty when no order can outlive its first bar (GTC, or
    market orders without a volume cap) and sessions do not matter."""
    persistent = config.order_type != "market" or config.volume_cap is not None
    if config.order.tif_code != TIF_DAY or not persistent:
        return EMPTY_INT
    return flat.events([_sessions_of(one.ts, config.session_timezone) for one in flat.symbols])


def latencies(flat: Flat, config: BacktestConfig) -> IntArray:
    """Every symbol's latency in bars (a latency in seconds uses its bar interval)."""
    if config.latency_seconds <= 0.0:
        return np.full(len(flat.symbols), config.latency_bars, dtype=np.int64)
    result = np.empty(len(flat.symbols), dtype=np.int64)
    for s, one in enumerate(flat.symbols):
        interval = config.bar_interval_seconds
        if interval is None:
            interval = median_interval_seconds(one.ts)
        result[s] = config.latency.to_bars(interval)
    return result


def _previous(values: FloatArray) -> FloatArray:
    """``values`` shifted one bar later (the first bar keeps its own value)."""
    return np.concatenate((values[:1], values[:-1]))


def volatility_inputs(
    flat: Flat, config: BacktestConfig
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(ATR known before each event, ATR at its close, sizing volatility at its close)`` in
    event order; empty when unused."""
    before: FloatArray = EMPTY_FLOAT
    at: FloatArray = EMPTY_FLOAT
    if isinstance(config.slippage, AtrSlippage):
        period = config.slippage.period
        atrs = [
            atr_series(one.prices[1], one.prices[2], one.prices[3], period) for one in flat.symbols
        ]
        before = flat.events([_previous(atr) for atr in atrs])
        at = flat.events(atrs)
    size: FloatArray = EMPTY_FLOAT
    sizing = config.sizing
    if isinstance(sizing, VolatilityTarget):
        if sizing.source == "atr":
            parts = [
                atr_series(one.prices[1], one.prices[2], one.prices[3], sizing.period)
                for one in flat.symbols
            ]
        else:
            parts = [return_std_series(one.prices[3], sizing.period) for one in flat.symbols]
        size = flat.events(parts)
    return before, at, size


def parameters(config: BacktestConfig) -> FloatArray:
    """The config packed into the loop's parameter vector (integer codes as floats)."""
    fp = np.zeros(PARAM_WIDTH)
    protected = (config.stop_loss, config.take_profit, config.trailing_stop)
    fp[P_INITIAL_CASH] = config.initial_cash
    fp[[P_COMM_A, P_COMM_B, P_COMM_C]] = config.commission.parameters()
    fp[P_SLIP] = config.slippage.parameter()
    fp[[P_SIZE_A, P_SIZE_B, P_SIZE_C]] = config.sizing.parameters()
    fp[P_LIMIT_OFFSET] = config.limit_offset
    fp[P_STOP_OFFSET] = config.stop_offset
    fp[P_STOP_LOSS] = config.stop_loss or 0.0
    fp[P_TAKE_PROFIT] = config.take_profit or 0.0
    fp[P_TRAILING] = config.trailing_stop or 0.0
    fp[P_VOLUME_CAP] = config.volume_cap.participation if config.volume_cap else 0.0
    fp[Q_COMM_KIND] = config.commission.kind
    fp[Q_SLIP_KIND] = config.slippage.kind
    fp[Q_SIZE_KIND] = config.sizing.kind
    fp[Q_ORDER_TYPE] = config.order.type_code
    fp[Q_TIF] = config.order.tif_code
    fp[Q_CLOSE_MODE] = 1.0 if config.fill_price == "close" else 0.0
    fp[Q_FRACTIONAL] = 1.0 if config.fractional_shares else 0.0
    fp[Q_PROTECTED] = 1.0 if any(value is not None for value in protected) else 0.0
    return fp
