"""The native backtest engine: signals in, an honest account history and trades out.

``run_backtest(bars, signals, config)`` simulates a long-only portfolio over several symbols
whose bars may follow different calendars (a symbol only fills on its own bars), sharing one
cash account. The loop is numba (``trademind.backtest.engine.kernel``); nothing per bar is a Python
object.

Semantics (the contract the backtrader adapter and the paper broker follow):

* ``entries[t]`` / ``exits[t]`` are decided at bar ``t``'s close. A flat symbol without working
  orders turns an entry into a buy order; a held symbol turns an exit into a market sell of the
  whole position (cancelling what is left of a partly filled entry). Entries while holding, and
  exits while flat, do nothing (an exit cancels a working, still unfilled entry order).
* Market orders fill at the open of bar ``t + 1 + latency`` (``fill_price="next_open"``) or at
  the close of bar ``t + latency`` (``"close"``). Limit, stop and stop-limit entries are priced
  from the close of ``t`` and work from bar ``t + 1 + latency`` (``trademind.fills.orders``:
  gap-through fills at the open). DAY orders expire with their first active session; exit
  orders work until the position is flat.
* The size is decided at the entry's first fill, from the fill price (slippage included), the
  equity then (cash + positions at their last close) and the affordable quantity (no margin):
  all-in buys ``cash / (price * (1 + rate))`` with a percentage commission.
* Slippage moves a fill against the trader, then the price is clamped into the fill bar's
  ``[low, high]`` (no trade happened outside it), then never past a limit
  (``trademind.fills.slippage.slipped_price``).
* A volume cap fills at most ``participation * volume`` shares of a symbol per bar; the rest
  keeps working (the next bars' opens, or closes in close mode).
* Stop-loss and take-profit are fractions of the average entry price, the trailing stop of the
  highest price since entry (the entry fills' rule prices before slippage, then each checked
  bar's high after its checks). They are checked in every bar from the entry bar on (from the
  next bar when the entry filled inside a bar or at the close: the trailing reference then
  starts at the fill price, not that bar's high): a gap through a level fills at the open,
  otherwise at the level; when both the stop and the target lie inside one bar the stop is
  assumed first.
* At a timestamp shared by several symbols, every symbol's open and inside-bar fills happen
  before any of their closes: sizing at an open never sees a close of the same bar.
* Equity after every timestamp = cash + every position at its last close. Final equity =
  initial cash + the sum of every trade's pnl (open trades valued at the last close).
* No equity floor: the engine trades while the cash affords a positive quantity. Only an entry
  worth less than 1e-9 of the equity (the rounding residue an all-in buy leaves) is rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from trademind.backtest.engine import prepare
from trademind.backtest.engine.columns import (
    A_CASH,
    A_COMMISSION,
    A_SLIPPAGE,
    ACCOUNT,
    C_CANCELLED,
    C_EXPIRED,
    C_FILLS,
    C_OPEN_ORDERS,
    C_ORDERS,
    C_PARTIAL_FILLS,
    C_REJECTED,
    C_TRADES,
    F_WIDTH,
    I_EO_SESSION,
    I_LATENCY,
    I_WIDTH,
    T_COMMISSION,
    T_ENTRY_PRICE,
    T_EXIT_PRICE,
    T_PNL,
    T_QTY,
    T_SLIPPAGE,
    TRADE_WIDTH,
    U_ENTRY,
    U_ENTRY_SIGNAL,
    U_EXIT,
    U_EXIT_KIND,
    U_EXIT_SIGNAL,
    U_SYMBOL,
)
from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.engine.kernel import run_kernel
from trademind.backtest.engine.outcome import BacktestOutcome, OrderCounts, TradeLog

if TYPE_CHECKING:
    import numpy.typing as npt

    from trademind.strategies.base import Bars, Signals

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]


def run_backtest(
    bars: Sequence[Bars], signals: Sequence[Signals], config: BacktestConfig | None = None
) -> BacktestOutcome:
    """Backtest ``signals[k]`` on ``bars[k]`` for every symbol ``k`` in one cash account."""
    config = config if config is not None else BacktestConfig()
    flat = prepare.flatten(bars, signals)
    sessions = prepare.sessions(flat, config)
    atr_before, atr_at, size_vol = prepare.volatility_inputs(flat, config)
    fp = prepare.parameters(config)
    count = len(flat.symbols)
    fs = np.zeros((count + 1, F_WIDTH))  # the last row: the account
    fs[ACCOUNT, A_CASH] = config.initial_cash
    is_ = np.zeros((count + 1, I_WIDTH), dtype=np.int64)  # the last row: counters
    is_[:count, I_EO_SESSION] = -1
    is_[:count, I_LATENCY] = prepare.latencies(flat, config)
    capacity = max(1, int(np.count_nonzero(flat.entries)))  # a round trip needs an entry
    tr = np.empty((capacity, TRADE_WIDTH))
    equity = np.empty(flat.steps)
    cash = np.empty(flat.steps)
    step_ts = np.empty(flat.steps if count > 1 else 0, dtype=np.int64)
    run_kernel(
        flat.ts,
        (flat.open, flat.high, flat.low, flat.close, flat.volume),
        flat.entries,
        flat.exits,
        flat.symbol_of,
        flat.local,
        (sessions, atr_before, atr_at, size_vol),
        fs,
        is_,
        fp,
        tr,
        (equity, cash, step_ts),
    )
    counters = is_[ACCOUNT]
    return BacktestOutcome(
        symbols=tuple(b.symbol for b in bars),
        ts=step_ts if count > 1 else flat.ts,
        equity=equity,
        cash=cash,
        log=_trade_log(tr[: int(counters[C_TRADES])], flat),
        counts=_counts(counters),
        initial_cash=float(config.initial_cash),
        total_commission=float(fs[ACCOUNT, A_COMMISSION]),
        total_slippage=float(fs[ACCOUNT, A_SLIPPAGE]),
        config=config,
        bars=tuple(bars),
        signals=tuple(signals),
    )


def _counts(counters: IntArray) -> OrderCounts:
    return OrderCounts(
        orders=int(counters[C_ORDERS]),
        fills=int(counters[C_FILLS]),
        partial_fills=int(counters[C_PARTIAL_FILLS]),
        rejected=int(counters[C_REJECTED]),
        cancelled=int(counters[C_CANCELLED]),
        expired=int(counters[C_EXPIRED]),
        open_at_end=int(counters[C_OPEN_ORDERS]),
    )


def _trade_log(rows: FloatArray, flat: prepare.Flat) -> TradeLog:
    """Trade rows as symbol-local arrays sorted by entry time, then symbol."""
    if rows.shape[0] > 1 and len(flat.symbols) > 1:  # one symbol: already in entry order
        entry_ts = flat.ts[rows[:, U_ENTRY].astype(np.int64)]
        rows = rows[np.lexsort((rows[:, U_SYMBOL], entry_ts))]
    columns = np.ascontiguousarray(rows.T)  # one contiguous array per field

    def index(column: int) -> IntArray:
        return flat.local_index(columns[column].astype(np.int64))

    return TradeLog(
        symbol=columns[U_SYMBOL].astype(np.int64),
        quantity=columns[T_QTY],
        entry_index=index(U_ENTRY),
        exit_index=index(U_EXIT),
        entry_price=columns[T_ENTRY_PRICE],
        exit_price=columns[T_EXIT_PRICE],
        commission=columns[T_COMMISSION],
        pnl=columns[T_PNL],
        slippage=columns[T_SLIPPAGE],
        entry_signal=index(U_ENTRY_SIGNAL),
        exit_signal=index(U_EXIT_SIGNAL),
        exit_kind=columns[U_EXIT_KIND].astype(np.int64),
    )
