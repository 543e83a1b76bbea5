"""The one place where ledger rows become core types and back.

``orders`` rows <-> :class:`~trademind.core.order_state.OrderState`, ``trades`` rows <->
:class:`~trademind.core.orders.Fill`, ``accounts`` rows -> :class:`AccountInfo`, and the
values of ``holdings`` and ``portfolio_snapshots`` rows from the ledger's
:class:`~trademind.portfolio.book.OpenPosition` and
:class:`~trademind.portfolio.book.LedgerSnapshot`. Decimals come back with the database's 8
decimal places (equal in value to what was written).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from trademind.core.errors import DatabaseError
from trademind.core.market import TradingMode
from trademind.core.order_state import OrderState
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Fill, Order, OrderSide, OrderType, TimeInForce
from trademind.db.models import Account, Holding, PortfolioSnapshot, Trade
from trademind.db.models import Order as OrderRow
from trademind.db.types import to_exact_decimal
from trademind.portfolio.book import LedgerSnapshot, OpenPosition


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountInfo:
    """A named account as stored."""

    id: int
    name: str
    mode: TradingMode
    broker: str
    starting_cash: Decimal
    currency: str
    created_at: datetime
    last_used_at: datetime


def account_from_row(row: Account) -> AccountInfo:
    return AccountInfo(
        id=row.id,
        name=row.name,
        mode=TradingMode(row.mode),
        broker=row.broker,
        starting_cash=row.starting_cash,
        currency=row.currency,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
    )


def order_from_row(row: OrderRow) -> Order:
    """The order as TradeMind asked for it."""
    return Order(
        client_order_id=row.client_order_id,
        symbol=row.symbol,
        side=OrderSide(row.side),
        quantity=row.quantity,
        order_type=OrderType(row.order_type),
        time_in_force=TimeInForce(row.time_in_force),
        limit_price=row.limit_price,
        stop_price=row.stop_price,
        decision_id=row.decision_ref,
    )


def order_state_from_row(row: OrderRow) -> OrderState:
    """The order's latest state as recorded."""
    return OrderState(
        order=order_from_row(row),
        status=OrderStatus(row.status),
        quantity=row.quantity if row.working_quantity is None else row.working_quantity,
        filled_quantity=row.filled_quantity,
        average_fill_price=row.avg_fill_price,
        submitted_at=row.created_at if row.submitted_at is None else row.submitted_at,
        updated_at=row.updated_at,
        reason=row.reject_reason,
        broker_order_id=row.broker_order_id,
    )


def new_order_row(account: AccountInfo, state: OrderState) -> OrderRow:
    """A new ``orders`` row for ``state`` of ``account`` (its state set by
    :func:`update_order_row`)."""
    order = state.order
    row = OrderRow(
        account_id=account.id,
        client_order_id=order.client_order_id,
        broker=account.broker,
        mode=account.mode.value,
        decision_ref=order.decision_id,
        symbol=order.symbol,
        side=order.side.value,
        order_type=order.order_type.value,
        time_in_force=order.time_in_force.value,
        quantity=order.quantity,
        limit_price=order.limit_price,
        stop_price=order.stop_price,
        created_at=state.submitted_at,
    )
    update_order_row(row, state)
    return row


def update_order_row(row: OrderRow, state: OrderState) -> None:
    """Set the status part of ``row`` from ``state`` (what a broker report changes)."""
    row.status = state.status.value
    same = to_exact_decimal(state.quantity) == to_exact_decimal(state.order.quantity)
    row.working_quantity = None if same else state.quantity  # compared as stored (8 decimals)
    row.filled_quantity = state.filled_quantity
    row.avg_fill_price = state.average_fill_price
    row.submitted_at = state.submitted_at
    row.updated_at = state.updated_at
    row.reject_reason = state.reason
    row.broker_order_id = state.broker_order_id
    row.closed_at = state.updated_at if state.status.is_terminal else None


def fill_from_row(row: Trade) -> Fill:
    """The fill a ``trades`` row holds."""
    if row.client_order_id is None:
        raise DatabaseError(
            f"trade #{row.id} names no order (written before revision 0006 without an order)"
        )
    return Fill(
        order_id=row.client_order_id,
        symbol=row.symbol,
        side=OrderSide(row.side),
        quantity=row.quantity,
        price=row.price,
        ts=row.executed_at,
        commission=row.commission,
        execution_id=row.broker_execution_id,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class FillContext:
    """What the ledger knows about a fill besides the fill: its order's row id and strategy,
    the agent signals and reasoning behind it, the P&L it realised and when it was stored."""

    order_row_id: int | None
    strategy: str | None
    realized_pnl: Decimal | None
    recorded_at: datetime
    agent_signals: dict[str, Any] | None = None
    reasoning: str | None = None


def row_from_fill(account: AccountInfo, fill: Fill, context: FillContext) -> Trade:
    """A new ``trades`` row for ``fill`` of ``account``."""
    return Trade(
        account_id=account.id,
        order_id=context.order_row_id,
        client_order_id=fill.order_id,
        broker_execution_id=fill.execution_id,
        mode=account.mode.value,
        strategy=context.strategy,
        symbol=fill.symbol,
        side=fill.side.value,
        quantity=fill.quantity,
        price=fill.price,
        commission=fill.commission,
        realized_pnl=context.realized_pnl,
        currency=account.currency,
        executed_at=fill.ts,
        agent_signals=dict(context.agent_signals or {}),
        reasoning=context.reasoning,
        created_at=context.recorded_at,
    )


def holding_values(position: OpenPosition, now: datetime) -> dict[str, Any]:
    """The columns of a ``holdings`` row for ``position`` (valued at its last price)."""
    return {
        "quantity": position.quantity,
        "avg_cost": position.avg_cost,
        "market_price": position.last_price,
        "market_value": position.market_value,
        "unrealized_pnl": position.unrealized_pnl,
        "realized_pnl": position.realized_pnl,
        "opened_at": position.opened_at,
        "updated_at": now,
    }


def new_holding_row(account: AccountInfo, position: OpenPosition, now: datetime) -> Holding:
    return Holding(
        account_id=account.id,
        mode=account.mode.value,
        symbol=position.symbol,
        currency=account.currency,
        **holding_values(position, now),
    )


def snapshot_values(snapshot: LedgerSnapshot) -> dict[str, Any]:
    """The columns of a ``portfolio_snapshots`` row (positions as a JSON list)."""
    return {
        "cash": snapshot.cash,
        "positions_value": snapshot.positions_value,
        "equity": snapshot.equity,
        "buying_power": None,
        "unrealized_pnl": snapshot.unrealized_pnl,
        "realized_pnl": snapshot.realized_pnl,
        "positions": [
            {
                "symbol": position.symbol,
                "quantity": str(position.quantity),
                "avg_cost": str(position.avg_cost),
                "market_price": str(position.market_price),
            }
            for position in snapshot.positions
        ],
    }


def new_snapshot_row(account: AccountInfo, snapshot: LedgerSnapshot) -> PortfolioSnapshot:
    return PortfolioSnapshot(
        account_id=account.id,
        mode=account.mode.value,
        ts=snapshot.ts,
        currency=account.currency,
        **snapshot_values(snapshot),
    )
