"""An account's orders: the working ones (the dashboard's open orders) or the latest, each
with the decision that placed it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.core.errors import UsageError, ValidationError
from trademind.core.order_status import TERMINAL_STATUSES
from trademind.db.models import Order as OrderRow
from trademind.portfolio.store import LedgerStore
from trademind.services.ledger_access import AccountView, account_view
from trademind.services.trades_service import OrderView, order_view

if TYPE_CHECKING:
    from trademind.core.clock import Clock
    from trademind.db.session import Database

LIMIT_MAX = 1000
_ORDERS: Final = cast(sa.Table, OrderRow.__table__)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderItem(OrderView):
    """One order as last reported (:class:`OrderView`), with what it trades and why."""

    symbol: str
    side: str
    strategy: str | None
    decision_id: str | None
    created_at: datetime


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
    table = _ORDERS
    query = sa.select(table).where(table.c.account_id == info.id)
    if open_only:
        terminal = [status.value for status in TERMINAL_STATUSES]
        query = query.where(table.c.status.not_in(terminal))
    query = query.order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit)
    with database.session() as session:  # rows without the ORM: the columns are its names
        found = session.connection().execute(query)
        orders = tuple(_item(cast(OrderRow, row)) for row in found)
    return OrderList(account=account_view(info), open_only=open_only, orders=orders)


_VIEW_FIELDS = tuple(field.name for field in fields(OrderView))


def _item(row: OrderRow) -> OrderItem:
    view = order_view(row)  # its fields are scalars: copied as they are (asdict deep-copies)
    return OrderItem(
        **{name: getattr(view, name) for name in _VIEW_FIELDS},
        symbol=row.symbol,
        side=row.side,
        strategy=row.strategy,
        decision_id=row.decision_ref,
        created_at=row.created_at,
    )


def decision(database: Database, clock: Clock, account: str | None, decision_id: str) -> Any:
    """The logged decision ``decision_id`` of ``account`` (an order's ``decision_id``), or a
    ValidationError when none is logged under it."""
    from trademind.services.decision_chain import decision_of

    info = LedgerStore(database, clock).account(account)
    with database.session() as session:
        found = decision_of(session, info.id, decision_id)
    if found is None:
        raise ValidationError(f"no decision {decision_id!r} is logged for {info.name}")
    return found
