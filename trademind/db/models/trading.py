"""The ledger: orders, trades (fills), current holdings and portfolio snapshots.

Quantities and money are exact decimals (:class:`~trademind.db.types.ExactDecimal`).
``mode`` separates paper, live, backtest and replay books in the same database.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from trademind.core.market import TradingMode
from trademind.core.order_status import OrderStatus
from trademind.core.orders import OrderSide
from trademind.db.base import (
    NAME_LENGTH,
    SHORT_TEXT,
    SYMBOL_LENGTH,
    Base,
    BigId,
    one_of,
)

_ZERO = Decimal(0)
# SQLite keeps exact decimals as TEXT, and TEXT compares greater than any number there: cast.
_POSITIVE_QUANTITY = "CAST(quantity AS NUMERIC) > 0"


class Order(Base):
    """An order as TradeMind sent it and as the broker reported it back.

    ``client_order_id`` is ours (unique, idempotent resubmission); ``broker_order_id`` is the
    broker's. ``parent_order_id`` links bracket/OCO children to their parent.
    """

    __tablename__ = "orders"
    __table_args__ = (
        one_of("mode", TradingMode),
        one_of("side", OrderSide),
        one_of("status", OrderStatus),
        sa.CheckConstraint(_POSITIVE_QUANTITY, name="quantity_positive"),
        sa.Index("ix_orders_status_created_at", "status", "created_at"),
        sa.Index("ix_orders_created_at", "created_at"),
        sa.Index("ix_orders_symbol_created_at", "symbol", "created_at"),
        sa.Index("ix_orders_broker_order_id", "broker_order_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    client_order_id: Mapped[str] = mapped_column(sa.String(NAME_LENGTH), unique=True)
    broker_order_id: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    broker: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    mode: Mapped[str] = mapped_column(sa.String(16))
    parent_order_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("orders.id"))
    decision_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("agent_decisions.id"))
    strategy: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    symbol: Mapped[str] = mapped_column(sa.String(SYMBOL_LENGTH))
    side: Mapped[str] = mapped_column(sa.String(8))
    order_type: Mapped[str] = mapped_column(sa.String(16))
    time_in_force: Mapped[str] = mapped_column(sa.String(8), default="day")
    quantity: Mapped[Decimal]
    limit_price: Mapped[Decimal | None]
    stop_price: Mapped[Decimal | None]
    status: Mapped[str] = mapped_column(sa.String(20), default=OrderStatus.PENDING.value)
    filled_quantity: Mapped[Decimal] = mapped_column(default=_ZERO)
    avg_fill_price: Mapped[Decimal | None]
    commission: Mapped[Decimal] = mapped_column(default=_ZERO)
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    reject_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Trade(Base):
    """One execution (fill) with the agent signals and reasoning that led to it.

    ``broker_execution_id`` (IBKR ``execId``) is unique so a replayed execution report is not
    booked twice.
    """

    __tablename__ = "trades"
    __table_args__ = (
        one_of("mode", TradingMode),
        one_of("side", OrderSide),
        sa.CheckConstraint(_POSITIVE_QUANTITY, name="quantity_positive"),
        sa.Index("ix_trades_executed_at", "executed_at"),
        sa.Index("ix_trades_symbol_executed_at", "symbol", "executed_at"),
        sa.Index("ix_trades_order_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("orders.id"))
    decision_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("agent_decisions.id"))
    broker_execution_id: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH), unique=True)
    mode: Mapped[str] = mapped_column(sa.String(16))
    strategy: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    symbol: Mapped[str] = mapped_column(sa.String(SYMBOL_LENGTH))
    side: Mapped[str] = mapped_column(sa.String(8))
    quantity: Mapped[Decimal]
    price: Mapped[Decimal]
    commission: Mapped[Decimal] = mapped_column(default=_ZERO)
    fees: Mapped[Decimal] = mapped_column(default=_ZERO)
    realized_pnl: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    executed_at: Mapped[datetime]
    agent_signals: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reasoning: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]


class Holding(Base):
    """A current position: one row per (mode, symbol), deleted or zeroed when flat."""

    __tablename__ = "holdings"
    __table_args__ = (sa.UniqueConstraint("mode", "symbol"), one_of("mode", TradingMode))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    mode: Mapped[str] = mapped_column(sa.String(16))
    symbol: Mapped[str] = mapped_column(sa.String(SYMBOL_LENGTH))
    quantity: Mapped[Decimal]
    avg_cost: Mapped[Decimal]
    market_price: Mapped[Decimal | None]
    market_value: Mapped[Decimal | None]
    unrealized_pnl: Mapped[Decimal | None]
    realized_pnl: Mapped[Decimal] = mapped_column(default=_ZERO)
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PortfolioSnapshot(Base):
    """The account at one moment: cash, equity, P&L and the positions held then."""

    __tablename__ = "portfolio_snapshots"
    __table_args__ = (
        sa.UniqueConstraint("mode", "ts"),
        one_of("mode", TradingMode),
        sa.Index("ix_portfolio_snapshots_ts", "ts"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    mode: Mapped[str] = mapped_column(sa.String(16))
    ts: Mapped[datetime]
    cash: Mapped[Decimal]
    positions_value: Mapped[Decimal]
    equity: Mapped[Decimal]
    buying_power: Mapped[Decimal | None]
    unrealized_pnl: Mapped[Decimal | None]
    realized_pnl: Mapped[Decimal | None]
    daily_pnl: Mapped[Decimal | None]
    drawdown: Mapped[float | None]
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    positions: Mapped[list[Any]] = mapped_column(default=list)
