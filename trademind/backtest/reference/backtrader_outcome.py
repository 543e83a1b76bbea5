"""backtrader's fills as the native engine's outcome: round trips, counts, account history.

Round trips pair each symbol's buy with its following sell. A closed trade's ``pnl`` is
backtrader's own ``Trade.pnlcomm`` (net of both commissions); the position still open at the end
is valued at the symbol's last close, net of its entry commission, as the native engine does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from trademind.backtest.engine.outcome import BacktestOutcome, OrderCounts, TradeLog
from trademind.backtest.reference.backtrader_engine import BUY, BacktraderRunError, BtFill, BtRun
from trademind.fills.protective import EXIT_OPEN, EXIT_SIGNAL

if TYPE_CHECKING:
    from trademind.backtest.engine.config import BacktestConfig
    from trademind.backtest.engine.prepare import Flat
    from trademind.strategies.base import Bars, Signals

Row = tuple[int, BtFill, BtFill | None, float]
"""``(symbol index, entry fill, exit fill or None, net pnl)``."""


def round_trips(run: BtRun, bars: Sequence[Bars]) -> list[Row]:
    """Every round trip in entry order (then symbol order), open ones last per symbol."""
    index = {one.symbol: k for k, one in enumerate(bars)}
    open_entry: dict[str, BtFill] = {}
    closed_seen: dict[str, int] = defaultdict(int)
    rows: list[Row] = []
    for fill in run.fills:
        if fill.side == BUY:
            if fill.symbol in open_entry:
                raise BacktraderRunError(f"{fill.symbol}: a second buy while long")
            open_entry[fill.symbol] = fill
            continue
        entry = open_entry.pop(fill.symbol)
        pnl = run.closed_pnl[fill.symbol][closed_seen[fill.symbol]]
        closed_seen[fill.symbol] += 1
        rows.append((index[fill.symbol], entry, fill, pnl))
    for symbol, entry in open_entry.items():
        last_close = float(bars[index[symbol]].close[-1])
        pnl = entry.quantity * last_close - entry.quantity * entry.price - entry.commission
        rows.append((index[symbol], entry, None, pnl))
    rows.sort(key=lambda row: (int(bars[row[0]].ts[row[1].bar]), row[0]))
    return rows


def _trade_log(rows: list[Row]) -> TradeLog:
    def ints(values: list[int]) -> np.ndarray[Any, np.dtype[np.int64]]:
        return np.array(values, dtype=np.int64)

    def floats(values: list[float]) -> np.ndarray[Any, np.dtype[np.float64]]:
        return np.array(values, dtype=np.float64)

    exits = [row[2] for row in rows]
    return TradeLog(
        symbol=ints([row[0] for row in rows]),
        quantity=floats([row[1].quantity for row in rows]),
        entry_index=ints([row[1].bar for row in rows]),
        exit_index=ints([-1 if fill is None else fill.bar for fill in exits]),
        entry_price=floats([row[1].price for row in rows]),
        exit_price=floats([np.nan if fill is None else fill.price for fill in exits]),
        commission=floats(
            [row[1].commission + (0.0 if row[2] is None else row[2].commission) for row in rows]
        ),
        pnl=floats([row[3] for row in rows]),
        slippage=floats([_slippage(row[1]) + _slippage(row[2]) for row in rows]),
        entry_signal=ints([row[1].signal_bar for row in rows]),
        exit_signal=ints([-1 if fill is None else fill.signal_bar for fill in exits]),
        exit_kind=ints([EXIT_OPEN if fill is None else EXIT_SIGNAL for fill in exits]),
    )


def _slippage(fill: BtFill | None) -> float:
    if fill is None:
        return 0.0
    return (fill.price - fill.rule_price) * fill.quantity * fill.side


def outcome_from_run(
    run: BtRun,
    bars: Sequence[Bars],
    signals: Sequence[Signals],
    config: BacktestConfig,
    flat: Flat,
) -> BacktestOutcome:
    """The native outcome type, filled from what backtrader did."""
    steps = (
        np.asarray(bars[0].ts, dtype=np.int64)
        if len(bars) == 1
        else np.unique(np.asarray(flat.ts, dtype=np.int64))
    )
    counts = OrderCounts(
        orders=run.orders,
        fills=len(run.fills),
        partial_fills=0,
        rejected=run.rejected,
        cancelled=0,
        expired=0,
        open_at_end=run.pending,
    )
    return BacktestOutcome(
        symbols=tuple(one.symbol for one in bars),
        ts=steps,
        equity=run.equity,
        cash=run.cash,
        log=_trade_log(round_trips(run, bars)),
        counts=counts,
        initial_cash=float(config.initial_cash),
        total_commission=float(sum(fill.commission for fill in run.fills)),
        total_slippage=float(sum(_slippage(fill) for fill in run.fills)),
        config=config,
        bars=tuple(bars),
        signals=tuple(signals),
    )
