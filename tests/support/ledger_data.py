"""A small ledger written through the real store and journal, for service and CLI tests.

Account ``demo`` (replay, 100,000 starting cash):
- day 1 (2024-01-02): buy 10 AAPL at 100 (commission 1), buy 5 MSFT at 200 (commission 1);
  snapshot at the close with AAPL 102, MSFT 210.
- day 2 (2024-01-03): sell 4 AAPL at 110 (commission 1); snapshot with AAPL 108, MSFT 205.
- day 3 (2024-01-04): sell 5 MSFT at 190 (commission 1): a losing round trip; no snapshot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trademind.core.clock import TestClock
from trademind.core.market import TradingMode
from trademind.core.order_state import OrderState
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Fill, Order, OrderSide
from trademind.db.session import Database
from trademind.portfolio.journal import SqlBrokerJournal

DAY1 = datetime(2024, 1, 2, 21, tzinfo=UTC)
FILLS = (
    ("o1", "AAPL", "buy", "10", "100", DAY1 - timedelta(hours=5)),
    ("o2", "MSFT", "buy", "5", "200", DAY1 - timedelta(hours=4)),
    ("o3", "AAPL", "sell", "4", "110", DAY1 + timedelta(days=1, hours=-5)),
    ("o4", "MSFT", "sell", "5", "190", DAY1 + timedelta(days=2, hours=-5)),
)
SNAPSHOTS = (
    (DAY1, {"AAPL": "102", "MSFT": "210"}),
    (DAY1 + timedelta(days=1), {"AAPL": "108", "MSFT": "205"}),
)


def write_demo_ledger(
    database: Database, name: str = "demo", *, until: int = 4, used_at: datetime | None = None
) -> None:
    """Write the account ``name`` with the first ``until`` fills (see the module docstring),
    opened (last used) at ``used_at`` (default: the day before the first fill)."""
    clock = TestClock(used_at or DAY1 - timedelta(days=1))
    journal = SqlBrokerJournal(database, clock)
    journal.store.open_account(
        name, mode=TradingMode.REPLAY, broker="paper", starting_cash=Decimal(100_000)
    )
    snapshots = list(SNAPSHOTS)
    for cid, symbol, side, quantity, price, ts in FILLS[:until]:
        while snapshots and snapshots[0][0] < ts:
            _snapshot(journal, name, *snapshots.pop(0))
        order = Order(
            client_order_id=cid,
            symbol=symbol,
            side=OrderSide(side),
            quantity=Decimal(quantity),
            decision_id=f"decision-{cid}",
        )
        journal.record_order(
            name,
            OrderState(
                order=order,
                status=OrderStatus.FILLED,
                quantity=order.quantity,
                filled_quantity=order.quantity,
                average_fill_price=Decimal(price),
                submitted_at=ts,
                updated_at=ts,
            ),
        )
        fill = Fill(
            order_id=cid,
            symbol=symbol,
            side=OrderSide(side),
            quantity=Decimal(quantity),
            price=Decimal(price),
            ts=ts,
            commission=Decimal(1),
            execution_id=f"x-{cid}",
        )
        journal.record_fill(name, fill)
    for ts, prices in snapshots:
        if ts <= FILLS[until - 1][5] + timedelta(days=1):
            _snapshot(journal, name, ts, prices)


def _snapshot(journal: SqlBrokerJournal, name: str, ts: datetime, prices: dict[str, str]) -> None:
    ledger = journal.ledger(name)
    held = {p.symbol for p in ledger.positions()}
    marks = {symbol: Decimal(price) for symbol, price in prices.items() if symbol in held}
    journal.record_snapshot(name, ledger.mark(ts, marks))
