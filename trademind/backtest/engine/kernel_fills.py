# ruff: noqa: PLR0917 - numba functions take positional arguments only
"""The engine loop's fills: buying into and selling out of one symbol's position (numba).

Only the array bookkeeping lives here: every rule is a scalar function of ``trademind.fills``
(sizing at the first fill and the dust rule: ``fills.sizing.entry_target``; the part a bar
allows: ``fills.parts``; the cash shrink and per-order commission: ``fills.cash``; slippage
clamped into the fill's bar: ``fills.slippage``). A fill moves cash by exactly ``value +
commission`` (buys) or ``value - commission`` (sells); round trips are written to preallocated
trade rows when the position is flat again.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from trademind.backtest.engine.columns import (
    A_CASH,
    A_COMMISSION,
    A_SLIPPAGE,
    ACCOUNT,
    C_FILLS,
    C_PARTIAL_FILLS,
    C_REJECTED,
    C_TRADES,
    F_ENTRY_COMM,
    F_ENTRY_QTY,
    F_ENTRY_VALUE,
    F_EO_COMM,
    F_EO_FILLED,
    F_EO_TARGET,
    F_EO_VALUE,
    F_EXIT_COMM,
    F_EXIT_QTY,
    F_EXIT_VALUE,
    F_LAST_CLOSE,
    F_PEAK,
    F_POS,
    F_SLIP,
    F_VOL_USED,
    F_XO_COMM,
    F_XO_FILLED,
    F_XO_VALUE,
    I_CHECK_FROM,
    I_ENTRY_FLAT,
    I_ENTRY_SIGNAL,
    I_EO_SIGNAL,
    I_EO_STATE,
    I_XO_KIND,
    I_XO_SIGNAL,
    I_XO_STATE,
    P_COMM_A,
    P_COMM_B,
    P_COMM_C,
    P_SIZE_A,
    P_SIZE_B,
    P_SIZE_C,
    P_SLIP,
    P_VOLUME_CAP,
    Q_COMM_KIND,
    Q_FRACTIONAL,
    Q_SIZE_KIND,
    Q_SLIP_KIND,
    T_COMMISSION,
    T_ENTRY_PRICE,
    T_EXIT_PRICE,
    T_PNL,
    T_QTY,
    T_SLIPPAGE,
    U_ENTRY,
    U_ENTRY_SIGNAL,
    U_EXIT,
    U_EXIT_KIND,
    U_EXIT_SIGNAL,
    U_SYMBOL,
)
from trademind.fills.cash import order_commission, shrink_to_cash
from trademind.fills.jit import njit
from trademind.fills.parts import entry_part, exit_part
from trademind.fills.protective import first_checked_bar, raised_peak
from trademind.fills.sizing import entry_target
from trademind.fills.slippage import slipped_price

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]


@njit
def equity(fs: FloatArray) -> float:
    """Cash plus every position at its last close."""
    total = float(fs[ACCOUNT, A_CASH])
    for s in range(fs.shape[0] - 1):
        quantity = fs[s, F_POS]
        if quantity != 0.0:
            total += quantity * fs[s, F_LAST_CLOSE]
    return total


@njit
def commission_of(fp: FloatArray) -> tuple[int, float, float, float]:
    """The commission model ``(kind, a, b, c)`` of the parameter vector."""
    return int(fp[Q_COMM_KIND]), fp[P_COMM_A], fp[P_COMM_B], fp[P_COMM_C]


@njit
def _size(price: float, volatility: float, fs: FloatArray, fp: FloatArray) -> float:
    """Target quantity of a new entry order at its first fill (:func:`entry_target`)."""
    sizing = (int(fp[Q_SIZE_KIND]), fp[P_SIZE_A], fp[P_SIZE_B], fp[P_SIZE_C])
    fractional = fp[Q_FRACTIONAL] != 0.0
    cash = fs[ACCOUNT, A_CASH]
    return entry_target(sizing, commission_of(fp), fractional, price, cash, equity(fs), volatility)


@njit
def _reject(s: int, is_: IntArray) -> None:
    is_[s, I_EO_STATE] = 0
    is_[ACCOUNT, C_REJECTED] += 1


@njit
def buy(
    s: int,
    e: int,
    i: int,
    raw: float,
    limit: float,
    at_open: bool,
    bar: tuple[float, float, float],
    atr: float,
    volatility: float,
    fs: FloatArray,
    is_: IntArray,
    fp: FloatArray,
) -> None:
    """Fill (part of) symbol ``s``'s entry order at rule price ``raw`` in bar ``i`` (flat
    ``e``) given as ``(low, high, volume)``; ``volatility`` is the sizing volatility at its
    signal bar."""
    low, high, bar_volume = bar
    price = slipped_price(int(fp[Q_SLIP_KIND]), fp[P_SLIP], raw, atr, True, limit, (low, high))
    if fs[s, F_EO_FILLED] == 0.0:
        target = _size(price, volatility, fs, fp)
        if not target > 0.0:
            _reject(s, is_)
            return
        fs[s, F_EO_TARGET] = target
    remaining = fs[s, F_EO_TARGET] - fs[s, F_EO_FILLED]
    fractional = fp[Q_FRACTIONAL] != 0.0
    used = fs[s, F_VOL_USED]
    quantity = entry_part(remaining, bar_volume, used, fp[P_VOLUME_CAP], fractional)
    if quantity <= 0.0:
        return  # no volume left in this bar: the order keeps working
    complete = quantity >= remaining
    wanted = quantity
    so_far = (fs[s, F_EO_FILLED], fs[s, F_EO_VALUE], fs[s, F_EO_COMM])
    cash = fs[ACCOUNT, A_CASH]
    quantity, commission = shrink_to_cash(
        commission_of(fp), fractional, quantity, price, cash, so_far
    )
    if quantity < wanted:  # cash ran out (other symbols spent it): the rest is rejected
        _reject(s, is_)
        if quantity <= 0.0:
            return
        complete = True
    _book_buy(s, e, i, raw, price, quantity, commission, at_open, fs, is_)
    if complete:
        is_[s, I_EO_STATE] = 0
    else:
        is_[ACCOUNT, C_PARTIAL_FILLS] += 1


@njit
def _book_buy(
    s: int,
    e: int,
    i: int,
    raw: float,
    price: float,
    quantity: float,
    commission: float,
    at_open: bool,
    fs: FloatArray,
    is_: IntArray,
) -> None:
    value = quantity * price
    slip = (price - raw) * quantity
    fs[ACCOUNT, A_CASH] -= value + commission
    fs[ACCOUNT, A_COMMISSION] += commission
    fs[ACCOUNT, A_SLIPPAGE] += slip
    if fs[s, F_ENTRY_QTY] == 0.0:  # a new round trip
        is_[s, I_ENTRY_FLAT] = e
        is_[s, I_ENTRY_SIGNAL] = is_[s, I_EO_SIGNAL]
        is_[s, I_CHECK_FROM] = first_checked_bar(i, at_open)
        fs[s, F_PEAK] = raw
    fs[s, F_PEAK] = raised_peak(fs[s, F_PEAK], raw)
    fs[s, F_POS] += quantity
    fs[s, F_ENTRY_QTY] += quantity
    fs[s, F_ENTRY_VALUE] += value
    fs[s, F_ENTRY_COMM] += commission
    fs[s, F_SLIP] += slip
    fs[s, F_EO_FILLED] += quantity
    fs[s, F_EO_VALUE] += value
    fs[s, F_EO_COMM] += commission
    fs[s, F_VOL_USED] += quantity
    is_[ACCOUNT, C_FILLS] += 1


@njit
def sell(
    s: int,
    e: int,
    raw: float,
    limit: float,
    bar: tuple[float, float, float],
    atr: float,
    fs: FloatArray,
    is_: IntArray,
    fp: FloatArray,
    tr: FloatArray,
) -> None:
    """Fill (part of) symbol ``s``'s exit order at rule price ``raw`` in a bar given as
    ``(low, high, volume)``; flat again: a trade."""
    low, high, bar_volume = bar
    price = slipped_price(int(fp[Q_SLIP_KIND]), fp[P_SLIP], raw, atr, False, limit, (low, high))
    held = fs[s, F_POS]
    fractional = fp[Q_FRACTIONAL] != 0.0
    quantity = exit_part(held, bar_volume, fs[s, F_VOL_USED], fp[P_VOLUME_CAP], fractional)
    if quantity <= 0.0:
        return
    value = quantity * price
    filled, filled_value, paid = fs[s, F_XO_FILLED], fs[s, F_XO_VALUE], fs[s, F_XO_COMM]
    commission = order_commission(commission_of(fp), filled, filled_value, paid, quantity, value)
    total_quantity = filled + quantity
    total_value = filled_value + value
    slip = (raw - price) * quantity
    fs[ACCOUNT, A_CASH] += value - commission
    fs[ACCOUNT, A_COMMISSION] += commission
    fs[ACCOUNT, A_SLIPPAGE] += slip
    fs[s, F_EXIT_QTY] += quantity
    fs[s, F_EXIT_VALUE] += value
    fs[s, F_EXIT_COMM] += commission
    fs[s, F_SLIP] += slip
    fs[s, F_XO_FILLED] = total_quantity
    fs[s, F_XO_VALUE] = total_value
    fs[s, F_XO_COMM] += commission
    fs[s, F_VOL_USED] += quantity
    is_[ACCOUNT, C_FILLS] += 1
    if quantity < held:
        fs[s, F_POS] = held - quantity
        is_[ACCOUNT, C_PARTIAL_FILLS] += 1
        return
    fs[s, F_POS] = 0.0
    is_[s, I_XO_STATE] = 0
    record_trade(s, e, fs, is_, tr)


@njit
def record_trade(s: int, e: int, fs: FloatArray, is_: IntArray, tr: FloatArray) -> None:
    """Write symbol ``s``'s round trip (closed at flat index ``e``, or open when ``e < 0``,
    valued at the last close) as the next trade row and start a fresh one."""
    row = is_[ACCOUNT, C_TRADES]
    commission = fs[s, F_ENTRY_COMM] + fs[s, F_EXIT_COMM]
    tr[row, T_QTY] = fs[s, F_ENTRY_QTY]
    tr[row, T_ENTRY_PRICE] = fs[s, F_ENTRY_VALUE] / fs[s, F_ENTRY_QTY]
    tr[row, T_COMMISSION] = commission
    tr[row, T_SLIPPAGE] = fs[s, F_SLIP]
    marked = fs[s, F_EXIT_VALUE] + fs[s, F_POS] * fs[s, F_LAST_CLOSE]
    tr[row, T_PNL] = marked - fs[s, F_ENTRY_VALUE] - commission
    tr[row, T_EXIT_PRICE] = fs[s, F_EXIT_VALUE] / fs[s, F_EXIT_QTY] if e >= 0 else math.nan
    tr[row, U_SYMBOL] = s
    tr[row, U_ENTRY] = is_[s, I_ENTRY_FLAT]
    tr[row, U_EXIT] = e
    tr[row, U_ENTRY_SIGNAL] = is_[s, I_ENTRY_SIGNAL]
    tr[row, U_EXIT_SIGNAL] = is_[s, I_XO_SIGNAL] if e >= 0 else -1
    tr[row, U_EXIT_KIND] = is_[s, I_XO_KIND] if e >= 0 else -1
    is_[ACCOUNT, C_TRADES] = row + 1
    fs[s, F_ENTRY_QTY] = 0.0
    fs[s, F_ENTRY_VALUE] = 0.0
    fs[s, F_ENTRY_COMM] = 0.0
    fs[s, F_EXIT_QTY] = 0.0
    fs[s, F_EXIT_VALUE] = 0.0
    fs[s, F_EXIT_COMM] = 0.0
    fs[s, F_SLIP] = 0.0
