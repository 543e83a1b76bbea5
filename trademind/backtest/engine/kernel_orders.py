# ruff: noqa: PLR0917 - numba functions take positional arguments only
"""The engine loop's orders (numba): signals become orders, entry orders work through bars,
protective exits trigger, DAY orders expire.

Only the array bookkeeping lives here; the rules are ``trademind.fills``'s: the signal policy
(``fills.policy``), order prices and fills within a bar and DAY expiry (``fills.orders``), the
activation bar (``fills.latency``), protective exits (``fills.protective``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from trademind.backtest.engine.columns import (
    ACCOUNT,
    C_CANCELLED,
    C_EXPIRED,
    C_ORDERS,
    F_ENTRY_QTY,
    F_ENTRY_VALUE,
    F_EO_COMM,
    F_EO_FILLED,
    F_EO_LIMIT,
    F_EO_STOP,
    F_EO_TARGET,
    F_EO_VALUE,
    F_PEAK,
    F_POS,
    F_XO_COMM,
    F_XO_FILLED,
    F_XO_VALUE,
    I_EO_ACT,
    I_EO_SESSION,
    I_EO_SIGNAL,
    I_EO_STATE,
    I_EO_TRIG,
    I_EO_TYPE,
    I_LATENCY,
    I_XO_ACT,
    I_XO_KIND,
    I_XO_SIGNAL,
    I_XO_STATE,
    P_LIMIT_OFFSET,
    P_STOP_LOSS,
    P_STOP_OFFSET,
    P_TAKE_PROFIT,
    P_TRAILING,
    Q_CLOSE_MODE,
    Q_ORDER_TYPE,
    Q_TIF,
)
from trademind.backtest.engine.kernel_fills import buy
from trademind.fills.jit import njit
from trademind.fills.latency import activation_bar
from trademind.fills.orders import (
    ORDER_LIMIT,
    ORDER_MARKET,
    ORDER_STOP_LIMIT,
    bar_fill,
    day_order_expired,
    order_prices,
)
from trademind.fills.policy import CANCEL_ENTRY, PLACE_ENTRY, PLACE_EXIT, signal_action
from trademind.fills.protective import EXIT_SIGNAL, protective_exit

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]


@njit
def entry_alive(s: int, session: int, is_: IntArray, fp: FloatArray) -> bool:
    """False (and the order expired) when a DAY entry order's session has ended."""
    if is_[s, I_EO_SESSION] < 0:
        is_[s, I_EO_SESSION] = session
        return True
    if day_order_expired(int(fp[Q_TIF]), is_[s, I_EO_SESSION], session):
        is_[s, I_EO_STATE] = 0
        is_[ACCOUNT, C_EXPIRED] += 1
        return False
    return True


@njit
def open_exit_order(
    s: int, act: int, kind: int, signal: int, fs: FloatArray, is_: IntArray
) -> None:
    """A new exit order for the whole position; cancels what is left of the entry order."""
    if is_[s, I_XO_STATE] == 1:
        is_[ACCOUNT, C_CANCELLED] += 1  # a stop replaces a pending, still unfilled exit order
    is_[ACCOUNT, C_ORDERS] += 1
    is_[s, I_XO_STATE] = 1
    is_[s, I_XO_ACT] = act
    is_[s, I_XO_KIND] = kind
    is_[s, I_XO_SIGNAL] = signal
    fs[s, F_XO_FILLED] = 0.0
    fs[s, F_XO_VALUE] = 0.0
    fs[s, F_XO_COMM] = 0.0
    if is_[s, I_EO_STATE] == 1:
        is_[s, I_EO_STATE] = 0
        is_[ACCOUNT, C_CANCELLED] += 1


@njit
def _open_entry_order(
    s: int, e: int, i: int, close: float, fs: FloatArray, is_: IntArray, fp: FloatArray
) -> None:
    order_type = int(fp[Q_ORDER_TYPE])
    limit, stop = order_prices(order_type, True, close, fp[P_LIMIT_OFFSET], fp[P_STOP_OFFSET])
    at_close = fp[Q_CLOSE_MODE] == 1.0 and order_type == ORDER_MARKET
    is_[ACCOUNT, C_ORDERS] += 1
    is_[s, I_EO_STATE] = 1
    is_[s, I_EO_TYPE] = order_type
    is_[s, I_EO_ACT] = activation_bar(i, is_[s, I_LATENCY], at_close)
    is_[s, I_EO_SESSION] = -1
    is_[s, I_EO_TRIG] = 0
    is_[s, I_EO_SIGNAL] = e
    fs[s, F_EO_LIMIT] = limit
    fs[s, F_EO_STOP] = stop
    fs[s, F_EO_TARGET] = 0.0
    fs[s, F_EO_FILLED] = 0.0
    fs[s, F_EO_VALUE] = 0.0
    fs[s, F_EO_COMM] = 0.0


@njit
def signals(
    s: int,
    e: int,
    i: int,
    close: float,
    entry: bool,
    exit_: bool,
    fs: FloatArray,
    is_: IntArray,
    fp: FloatArray,
) -> None:
    """Turn bar ``i``'s signals (``entry``, ``exit_``) into orders (``fills.policy``)."""
    held = fs[s, F_POS] > 0.0
    entry_working = is_[s, I_EO_STATE] == 1
    action = signal_action(entry, exit_, held, entry_working, is_[s, I_XO_STATE] == 1)
    if action == PLACE_EXIT:
        act = activation_bar(i, is_[s, I_LATENCY], fp[Q_CLOSE_MODE] == 1.0)
        open_exit_order(s, act, EXIT_SIGNAL, e, fs, is_)
    elif action == CANCEL_ENTRY:
        is_[s, I_EO_STATE] = 0
        is_[ACCOUNT, C_CANCELLED] += 1
    elif action == PLACE_ENTRY:
        _open_entry_order(s, e, i, close, fs, is_, fp)


@njit
def stop_trigger(
    s: int, open_: float, high: float, low: float, fs: FloatArray, fp: FloatArray
) -> tuple[float, int, float]:
    """``(rule price, EXIT_* kind, limit)`` of symbol ``s``'s protective exit in this bar
    (``fills.protective.protective_exit``); NaN price: none."""
    average = fs[s, F_ENTRY_VALUE] / fs[s, F_ENTRY_QTY]
    levels = (fp[P_STOP_LOSS], fp[P_TRAILING], fp[P_TAKE_PROFIT])
    return protective_exit(average, fs[s, F_PEAK], levels, open_, high, low)


@njit
def entry_in_bar(
    s: int,
    e: int,
    i: int,
    open_: float,
    high: float,
    low: float,
    volume: float,
    atr: float,
    volatility: float,
    session: int,
    fs: FloatArray,
    is_: IntArray,
    fp: FloatArray,
) -> None:
    """The working entry order at the open or inside bar ``i``."""
    if not entry_alive(s, session, is_, fp):
        return
    order_type = is_[s, I_EO_TYPE]
    bar = (low, high, volume)
    if order_type == ORDER_MARKET:
        if fp[Q_CLOSE_MODE] == 0.0:
            buy(s, e, i, open_, math.nan, True, bar, atr, volatility, fs, is_, fp)
        return
    limit = fs[s, F_EO_LIMIT]
    triggered = is_[s, I_EO_TRIG] == 1
    price, triggered = bar_fill(
        order_type, True, limit, fs[s, F_EO_STOP], triggered, open_, high, low
    )
    is_[s, I_EO_TRIG] = 1 if triggered else 0
    if math.isnan(price):
        return
    if order_type not in (ORDER_LIMIT, ORDER_STOP_LIMIT):
        limit = math.nan
    buy(s, e, i, price, limit, price == open_, bar, atr, volatility, fs, is_, fp)
