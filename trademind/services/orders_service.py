"""An account's orders: the working ones (the dashboard's open orders) or the latest, each
with the decision that placed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa

from trademind.core.errors import UsageError
from trademind.core.order_status import TERMINAL_STATUSES
from trademind.db.models import Order as OrderRow
from trademind.portfolio.store import LedgerStore
from trademind.services.ledger_access import AccountView, account_view

if TYPE_CHECKING:
    from trademind.core.clock import Clock
    from trademind.db.session import Database

LIMIT_MAX = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderItem:
    """One order as last reported; ``quantity`` is what is (or was) working."""

    client_order_id: str
    symbol: str
    side: str
    order_type: str
    quantity: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    status: str
    filled_quantity: Decimal
    avg_fill_price: Decimal | None
    strategy: str | None
    decision_id: str | None
    reason: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderList:
    account: AccountView
    open_only: bool
    orders: tuple[OrderItem, ...]


def list_orders(
    database: Database, clock: Clock, account: str | None, *, open_only: bool, limit: int = 100
) -> OrderList:
    """The latest ``limit`` orders of ``account``, newest first (only working ones with
    ``open_only``)."""
    if not 1 <= limit <= LIMIT_MAX:
        raise UsageError(f"limit must be in 1..{LIMIT_MAX}, got {limit}")
    info = LedgerStore(database, clock).account(account)
    query = sa.select(OrderRow).where(OrderRow.account_id == info.id)
    if open_only:
        terminal = [status.value for status in TERMINAL_STATUSES]
        query = query.where(OrderRow.status.not_in(terminal))
    query = query.order_by(OrderRow.created_at.desc(), OrderRow.id.desc()).limit(limit)
    with database.session() as session:
        orders = tuple(_item(row) for row in session.scalars(query))
    return OrderList(account=account_view(info), open_only=open_only, orders=orders)


def _item(row: OrderRow) -> OrderItem:
    return OrderItem(
        client_order_id=row.client_order_id,
        symbol=row.symbol,
        side=row.side,
        order_type=row.order_type,
        quantity=row.quantity if row.working_quantity is None else row.working_quantity,
        limit_price=row.limit_price,
        stop_price=row.stop_price,
        status=row.status,
        filled_quantity=row.filled_quantity,
        avg_fill_price=row.avg_fill_price,
        strategy=row.strategy,
        decision_id=row.decision_ref,
        reason=row.reject_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
