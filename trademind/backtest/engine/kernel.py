# ruff: noqa: PLR0917 - numba functions take positional arguments only
"""The engine loop (numba): every bar of every symbol in time order, no Python objects.

Bars arrive as one sequence of events in time order (``trademind.backtest.engine.prepare``):
event ``e`` is bar ``local[e]`` of symbol ``symbol_of[e]``. Within one bar of a symbol:

1. open: a working exit order fills at the open (next-open mode), then the entry order (market
   at the open; limit, stop and stop-limit against the bar's range, gap-through first);
2. inside the bar: stop-loss / trailing stop / take-profit of the position (gaps at the open
   first; when the stop and the target are both inside the range, the stop is assumed first);
3. close: the last close updates, the trailing peak takes the bar's high, the bar's signals
   become orders, and in close mode working market orders fill at the close.

After the last bar of each timestamp the account is valued: equity = cash + positions at their
last close.

Numba keys each function's on-disk cache on that function's own file only; at import this
module drops the cached code of every engine function when any engine source
(``kernel_fills.py``, ``kernel_orders.py``, ``columns.py``, every module of ``trademind/fills``)
changed since it was cached (:func:`trademind.fills.jit.invalidate_when_changed`).
"""

from __future__ import annotations

import math
import sys
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from trademind.backtest.engine.columns import (
    A_CASH,
    ACCOUNT,
    C_OPEN_ORDERS,
    F_ENTRY_QTY,
    F_LAST_CLOSE,
    F_PEAK,
    F_POS,
    F_VOL_USED,
    F_XO_FILLED,
    I_CHECK_FROM,
    I_EO_ACT,
    I_EO_SIGNAL,
    I_EO_STATE,
    I_EO_TYPE,
    I_XO_ACT,
    I_XO_STATE,
    Q_CLOSE_MODE,
    Q_PROTECTED,
)
from trademind.backtest.engine.kernel_fills import buy, equity, record_trade, sell
from trademind.backtest.engine.kernel_orders import (
    entry_alive,
    entry_in_bar,
    open_exit_order,
    signals,
    stop_trigger,
)
from trademind.fills.jit import invalidate_when_changed, njit
from trademind.fills.orders import ORDER_MARKET
from trademind.fills.protective import raised_peak

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]
    BoolArray = npt.NDArray[np.bool_]


@njit
def _protect(
    s: int,
    e: int,
    i: int,
    open_: float,
    high: float,
    low: float,
    volume: float,
    atr: float,
    fs: FloatArray,
    is_: IntArray,
    fp: FloatArray,
    tr: FloatArray,
) -> None:
    """Stop-loss, trailing stop and take-profit of symbol ``s``'s position inside bar ``i``."""
    exiting = is_[s, I_XO_STATE] == 1 and fs[s, F_XO_FILLED] > 0.0
    if fs[s, F_POS] <= 0.0 or i < is_[s, I_CHECK_FROM] or exiting:
        return
    raw, kind, limit = stop_trigger(s, open_, high, low, fs, fp)
    if not math.isnan(raw):
        open_exit_order(s, i, kind, -1, fs, is_)
        sell(s, e, raw, limit, (low, high, volume), atr, fs, is_, fp, tr)


@njit
def _close_fills(
    s: int,
    e: int,
    i: int,
    bar: tuple[float, float, float, float, float],
    atr: float,
    volatility: float,
    session: int,
    fs: FloatArray,
    is_: IntArray,
    fp: FloatArray,
    tr: FloatArray,
) -> None:
    """Close mode: working market orders fill at bar ``i``'s close."""
    _open, high, low, close, volume = bar
    span = (low, high, volume)
    if is_[s, I_XO_STATE] == 1 and is_[s, I_XO_ACT] <= i:
        sell(s, e, close, math.nan, span, atr, fs, is_, fp, tr)
    working = is_[s, I_EO_STATE] == 1 and is_[s, I_EO_ACT] <= i
    if working and is_[s, I_EO_TYPE] == ORDER_MARKET and entry_alive(s, session, is_, fp):
        buy(s, e, i, close, math.nan, False, span, atr, volatility, fs, is_, fp)


@njit
def open_phase(
    s: int,
    e: int,
    i: int,
    bar: tuple[float, float, float, float, float],
    session: int,
    atrs: tuple[float, float],
    volatility: float,
    fs: FloatArray,
    is_: IntArray,
    fp: FloatArray,
    tr: FloatArray,
) -> None:
    """The open and the inside of bar ``i`` of symbol ``s``: working orders, stops, targets."""
    open_, high, low, _close, volume = bar
    fs[s, F_VOL_USED] = 0.0
    close_mode = fp[Q_CLOSE_MODE] == 1.0
    if is_[s, I_XO_STATE] == 1 and is_[s, I_XO_ACT] <= i and not close_mode:
        sell(s, e, open_, math.nan, (low, high, volume), atrs[0], fs, is_, fp, tr)
    if is_[s, I_EO_STATE] == 1 and is_[s, I_EO_ACT] <= i:
        entry_in_bar(s, e, i, open_, high, low, volume, atrs[0], volatility, session, fs, is_, fp)
    if fp[Q_PROTECTED] == 1.0:
        _protect(s, e, i, open_, high, low, volume, atrs[0], fs, is_, fp, tr)


@njit
def close_phase(
    s: int,
    e: int,
    i: int,
    bar: tuple[float, float, float, float, float],
    entry: bool,
    exit_: bool,
    session: int,
    atrs: tuple[float, float],
    volatility: float,
    fs: FloatArray,
    is_: IntArray,
    fp: FloatArray,
    tr: FloatArray,
) -> None:
    """The close of bar ``i`` of symbol ``s``: last close, trailing peak, new orders."""
    _open, high, _low, close, _volume = bar
    fs[s, F_LAST_CLOSE] = close
    if fs[s, F_POS] > 0.0 and i >= is_[s, I_CHECK_FROM]:
        fs[s, F_PEAK] = raised_peak(fs[s, F_PEAK], high)
    signals(s, e, i, close, entry, exit_, fs, is_, fp)
    if fp[Q_CLOSE_MODE] == 1.0:
        _close_fills(s, e, i, bar, atrs[1], volatility, session, fs, is_, fp, tr)


@njit
def finish(fs: FloatArray, is_: IntArray, tr: FloatArray) -> None:
    """Count orders still working and write open positions as open trades."""
    for s in range(fs.shape[0] - 1):
        is_[ACCOUNT, C_OPEN_ORDERS] += is_[s, I_EO_STATE] + is_[s, I_XO_STATE]
        if fs[s, F_ENTRY_QTY] > 0.0:
            record_trade(s, -1, fs, is_, tr)


@njit
def _busy(
    s: int,
    e: int,
    entries: BoolArray,
    exits: BoolArray,
    fs: FloatArray,
    is_: IntArray,
    fp: FloatArray,
) -> bool:
    """Whether anything but the close can happen in this bar (else the loop only records it)."""
    if entries[e] or exits[e] or is_[s, I_EO_STATE] == 1 or is_[s, I_XO_STATE] == 1:
        return True
    return bool(fp[Q_PROTECTED] == 1.0 and fs[s, F_POS] > 0.0)


@njit
def _quiet_run(
    e: int,
    entries: BoolArray,
    exits: BoolArray,
    close: FloatArray,
    fs: FloatArray,
    equity_out: FloatArray,
    cash_out: FloatArray,
) -> int:
    """One symbol without orders (and without a protected position) from bar ``e`` on: only
    the account's value moves until the next signal. Returns the first bar with a signal."""
    cash = fs[ACCOUNT, A_CASH]
    held = fs[0, F_POS]
    size = close.shape[0]
    while e < size and not (entries[e] or exits[e]):
        equity_out[e] = cash + held * close[e]
        cash_out[e] = cash
        e += 1
    fs[0, F_LAST_CLOSE] = close[e - 1]
    return e


@njit
def run_kernel(
    ts: IntArray,
    prices: tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray],
    entries: BoolArray,
    exits: BoolArray,
    symbol_of: IntArray,
    local: IntArray,
    extras: tuple[IntArray, FloatArray, FloatArray, FloatArray],
    fs: FloatArray,
    is_: IntArray,
    fp: FloatArray,
    tr: FloatArray,
    outputs: tuple[FloatArray, FloatArray, IntArray],
) -> None:
    """Run every event (one symbol's bar) in time order and write equity and cash after each
    timestamp into ``outputs`` (the timestamps themselves too unless that array is empty: one
    symbol, whose ts are the timeline).

    ``prices``: open, high, low, close, volume; ``symbol_of`` / ``local``: each event's symbol
    and bar index within it (empty: one symbol); ``extras``: sessions, slippage ATR before and
    at each bar, sizing volatility (each empty when unused).
    """
    open_, high, low, close, volume = prices
    sessions, atr_before, atr_at, size_vol = extras
    equity_out, cash_out, step_ts = outputs
    size = ts.shape[0]
    multi = symbol_of.shape[0] > 0
    step = 0
    e = 0
    while e < size:
        if not multi and not _busy(0, e, entries, exits, fs, is_, fp):
            e = _quiet_run(e, entries, exits, close, fs, equity_out, cash_out)
            step = e  # one symbol: every bar is a timestamp; skipped to the next signal
            continue
        end = e + 1
        while end < size and ts[end] == ts[e]:
            end += 1
        # Every symbol's open and inside-bar fills of this timestamp before any of its closes:
        # sizing at one symbol's open must not see another symbol's close of the same bar.
        for phase in range(2):
            for k in range(e, end):
                s = symbol_of[k] if multi else 0
                i = local[k] if multi else k
                session = sessions[k] if sessions.shape[0] > 0 else i
                atrs = (atr_before[k], atr_at[k]) if atr_at.shape[0] > 0 else (0.0, 0.0)
                # sizing volatility at the entry's signal bar (this bar for an order it places)
                signal_bar = is_[s, I_EO_SIGNAL] if is_[s, I_EO_STATE] == 1 else k
                volatility = size_vol[signal_bar] if size_vol.shape[0] > 0 else math.nan
                bar = (open_[k], high[k], low[k], close[k], volume[k])
                if phase == 0:
                    open_phase(s, k, i, bar, session, atrs, volatility, fs, is_, fp, tr)
                else:
                    close_phase(
                        s, k, i, bar, entries[k], exits[k], session, atrs, volatility,
                        fs, is_, fp, tr,
                    )  # fmt: skip
        e = end
        cash = fs[ACCOUNT, A_CASH]
        equity_out[step] = equity(fs) if multi else cash + fs[0, F_POS] * fs[0, F_LAST_CLOSE]
        cash_out[step] = cash
        if step_ts.shape[0] > 0:
            step_ts[step] = ts[e - 1]
        step += 1
    finish(fs, is_, tr)


def _engine_modules() -> list[ModuleType]:
    from trademind.backtest.engine import columns, kernel_fills, kernel_orders
    from trademind.fills import (
        cash,
        commission,
        latency,
        orders,
        parts,
        policy,
        protective,
        sizing,
        slippage,
        volatility,
    )

    engine = [sys.modules[__name__], kernel_fills, kernel_orders, columns]
    shared = [cash, commission, latency, orders, parts, policy, protective, sizing, slippage]
    return [*engine, *shared, volatility]


invalidate_when_changed(run_kernel, _engine_modules())
