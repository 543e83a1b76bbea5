"""`trades list|show|export|today|pnl`: the fills of one account (the ``trades`` table)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from trademind.core.errors import UsageError, ValidationError
from trademind.core.orders import OrderSide
from trademind.db.models import Order as OrderRow
from trademind.db.models import Trade
from trademind.portfolio.store import LedgerStore
from trademind.services.decision_chain import DecisionView, decision_of
from trademind.services.ledger_access import AccountView, account_view, open_ledger

if TYPE_CHECKING:
    from trademind.core.clock import Clock
    from trademind.db.session import Database
    from trademind.portfolio.rows import AccountInfo

EXCHANGE_TIMEZONE: Final = ZoneInfo("America/New_York")
"""``trades today`` means the trading day in New York (NYSE)."""
ID_MAX: Final = 2**63 - 1


@dataclass(frozen=True, slots=True, kw_only=True)
class TradeView:
    """One fill. ``realized_pnl`` is what it realised (net of commissions; 0 for an entry)."""

    id: int
    executed_at: datetime
    symbol: str
    side: OrderSide
    quantity: Decimal
    price: Decimal
    notional: Decimal
    commission: Decimal
    realized_pnl: Decimal | None
    order_id: str | None
    execution_id: str | None
    strategy: str | None


TRADE_COLUMNS: Final = (
    "id",
    "executed_at",
    "symbol",
    "side",
    "quantity",
    "price",
    "notional",
    "commission",
    "realized_pnl",
    "order_id",
    "execution_id",
    "strategy",
)


def _view(row: Trade) -> TradeView:
    return TradeView(
        id=row.id,
        executed_at=row.executed_at,
        symbol=row.symbol,
        side=OrderSide(row.side),
        quantity=row.quantity,
        price=row.price,
        notional=row.quantity * row.price,
        commission=row.commission,
        realized_pnl=row.realized_pnl,
        order_id=row.client_order_id,
        execution_id=row.broker_execution_id,
        strategy=row.strategy,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class TradeList:
    account: AccountView
    trades: tuple[TradeView, ...]


def _trades(
    database: Database,
    account: AccountInfo,
    *where: sa.ColumnElement[bool],
    newest_first: bool = False,
    limit: int | None = None,
) -> tuple[TradeView, ...]:
    order = (Trade.executed_at.desc(), Trade.id.desc()) if newest_first else (Trade.id,)
    query = sa.select(Trade).where(Trade.account_id == account.id, *where).order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    with database.session() as session:
        return tuple(_view(row) for row in session.scalars(query))


def _account(database: Database, clock: Clock, account: str | None) -> AccountInfo:
    return LedgerStore(database, clock).account(account)


def list_trades(
    database: Database, clock: Clock, account: str | None, *, limit: int, symbol: str | None
) -> TradeList:
    """The latest ``limit`` fills, newest first (of ``symbol`` when given)."""
    if limit < 1:
        raise UsageError(f"--limit must be at least 1, got {limit}")
    info = _account(database, clock, account)
    where = [] if symbol is None else [Trade.symbol == symbol.upper()]
    trades = _trades(database, info, *where, newest_first=True, limit=limit)
    return TradeList(account=account_view(info), trades=trades)


def today(database: Database, clock: Clock, account: str | None) -> tuple[date, TradeList]:
    """The fills of today's trading day in New York (the clock's date there)."""
    info = _account(database, clock, account)
    day = clock.now().astimezone(EXCHANGE_TIMEZONE).date()
    start = datetime.combine(day, time(), EXCHANGE_TIMEZONE)
    end = start + timedelta(days=1)
    trades = _trades(database, info, Trade.executed_at >= start, Trade.executed_at < end)
    return day, TradeList(account=account_view(info), trades=trades)


def export_trades(
    database: Database,
    clock: Clock,
    account: str | None,
    *,
    start: date | None,
    end: date | None,
) -> TradeList:
    """Every fill from ``start`` to ``end`` (whole UTC days, both included), oldest first."""
    if start is not None and end is not None and start > end:
        raise UsageError(f"--start {start} is after --end {end}")
    info = _account(database, clock, account)
    where = []
    if start is not None:
        where.append(Trade.executed_at >= datetime.combine(start, time(), UTC))
    if end is not None:
        after = datetime.combine(end + timedelta(days=1), time(), UTC)
        where.append(Trade.executed_at < after)
    return TradeList(account=account_view(info), trades=_trades(database, info, *where))


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderView:
    """The order a fill belongs to, as last reported."""

    client_order_id: str
    broker_order_id: str | None
    order_type: str
    time_in_force: str
    quantity: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    status: str
    filled_quantity: Decimal
    avg_fill_price: Decimal | None
    commission: Decimal
    reason: str | None
    submitted_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class TradeDetail:
    """A fill with its order and what caused it. ``decision_id`` is the order's decision
    (None: a manual order, or none recorded), ``decision`` that decision with its votes as the
    decision log holds it (None when it was not logged); ``agent_signals`` is the JSON stored
    with the fill (``{}`` without a logged decision)."""

    account: AccountView
    trade: TradeView
    order: OrderView | None
    decision_id: str | None
    decision: DecisionView | None
    agent_signals: str
    reasoning: str | None


def show(database: Database, clock: Clock, account: str | None, trade_id: int) -> TradeDetail:
    """The fill ``trade_id``; it must belong to ``account`` when one is named."""
    store = LedgerStore(database, clock)
    default = store.account(account)  # no account yet / unknown name: a clear error first
    with database.session() as session:
        row = session.get(Trade, trade_id)
        if row is None or (account is not None and row.account_id != default.id):
            where = f" in account {account!r}" if account is not None else ""
            raise ValidationError(f"no trade #{trade_id}{where}; see `trademind trades list`")
        order = None if row.order_id is None else session.get(OrderRow, row.order_id)
        owner = next(a for a in store.accounts() if a.id == row.account_id)
        decision = None if order is None else order.decision_ref
        return TradeDetail(
            account=account_view(owner),
            trade=_view(row),
            order=None if order is None else order_view(order),
            decision_id=decision,
            decision=decision_of(session, row.account_id, decision),
            agent_signals=json.dumps(row.agent_signals, sort_keys=True),
            reasoning=row.reasoning,
        )


def order_view(row: OrderRow) -> OrderView:
    """The order row as last reported (``quantity``: what is, or was, working)."""
    return OrderView(
        client_order_id=row.client_order_id,
        broker_order_id=row.broker_order_id,
        order_type=row.order_type,
        time_in_force=row.time_in_force,
        quantity=row.quantity if row.working_quantity is None else row.working_quantity,
        limit_price=row.limit_price,
        stop_price=row.stop_price,
        status=row.status,
        filled_quantity=row.filled_quantity,
        avg_fill_price=row.avg_fill_price,
        commission=row.commission,
        reason=row.reject_reason,
        submitted_at=row.submitted_at,
        updated_at=row.updated_at,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SymbolPnl:
    """Realised P&L of one symbol: its closed round trips and the partial exits of the open
    position (``realized_pnl``, net of commissions); the open position and its unrealised P&L
    at the ledger's latest prices."""

    symbol: str
    round_trips: int
    wins: int
    losses: int
    realized_pnl: Decimal
    commission: Decimal
    open_quantity: Decimal
    unrealized_pnl: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class PnlReport:
    account: AccountView
    as_of: datetime
    symbols: tuple[SymbolPnl, ...]
    realized_pnl: Decimal
    unrealized_pnl: Decimal


def pnl(database: Database, clock: Clock, account: str | None, symbol: str | None) -> PnlReport:
    opened = open_ledger(database, clock, account)
    ledger = opened.ledger
    positions = {p.symbol: p for p in ledger.positions()}
    prices = {p.symbol: p.market_price for p in opened.valuation.positions}
    names = {f.symbol for f in ledger.fills}
    if symbol is not None:
        names &= {symbol.upper()}
    rows = []
    for name in sorted(names):
        trips = [t for t in ledger.round_trips if t.symbol == name]
        position = positions.get(name)
        commission = sum((f.commission for f in ledger.fills if f.symbol == name), Decimal(0))
        still_open = Decimal(0) if position is None else position.realized_pnl
        unrealized = Decimal(0)
        if position is not None:
            unrealized = position.quantity * prices[name] - position.cost
        rows.append(
            SymbolPnl(
                symbol=name,
                round_trips=len(trips),
                wins=sum(1 for t in trips if t.pnl > 0),
                losses=sum(1 for t in trips if t.pnl <= 0),
                realized_pnl=sum((t.pnl for t in trips), still_open),
                commission=commission,
                open_quantity=Decimal(0) if position is None else position.quantity,
                unrealized_pnl=unrealized,
            )
        )
    return PnlReport(
        account=opened.view,
        as_of=opened.valuation.ts,
        symbols=tuple(rows),
        realized_pnl=sum((r.realized_pnl for r in rows), Decimal(0)),
        unrealized_pnl=sum((r.unrealized_pnl for r in rows), Decimal(0)),
    )
