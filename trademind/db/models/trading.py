"""The ledger: orders, trades (fills), current holdings and portfolio snapshots.

Quantities and money are exact decimals (:class:`~trademind.db.types.ExactDecimal`). Every
row belongs to one account (``account_id``, see :mod:`trademind.db.models.accounts`); ``mode``
repeats the account's mode (paper, live, backtest, replay) for queries across accounts.
The mapping to the core types (:class:`~trademind.core.order_state.OrderState`,
:class:`~trademind.core.orders.Fill`) is :mod:`trademind.portfolio.rows`.
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

    ``client_order_id`` is ours (unique per account, idempotent resubmission);
    ``broker_order_id`` is the broker's. ``parent_order_id`` links bracket/OCO children to
    their parent. ``decision_ref`` is the core order's ``decision_id`` text: the link to the
    ``agent_decisions`` row of the same account with that ``decision_ref`` (no foreign key:
    a decision made without the decision log, a strategy signal's, has no row).
    ``working_quantity`` is the broker's working quantity when it differs from ``quantity``
    (NULL: the same). ``reject_reason`` says why a rejected, cancelled or expired order ended.
    """

    __tablename__ = "orders"
    __table_args__ = (
        sa.UniqueConstraint("account_id", "client_order_id"),
        one_of("mode", TradingMode),
        one_of("side", OrderSide),
        one_of("status", OrderStatus),
        sa.CheckConstraint(_POSITIVE_QUANTITY, name="quantity_positive"),
        sa.Index("ix_orders_status_created_at", "status", "created_at"),
        sa.Index("ix_orders_created_at", "created_at"),
        sa.Index("ix_orders_symbol_created_at", "symbol", "created_at"),
        sa.Index("ix_orders_broker_order_id", "broker_order_id"),
        sa.Index("ix_orders_account_id_created_at", "account_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey("accounts.id"))
    client_order_id: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    broker_order_id: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    broker: Mapped[str] = mapped_column(sa.String(SHORT_TEXT))
    mode: Mapped[str] = mapped_column(sa.String(16))
    parent_order_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("orders.id"))
    decision_ref: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    strategy: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    symbol: Mapped[str] = mapped_column(sa.String(SYMBOL_LENGTH))
    side: Mapped[str] = mapped_column(sa.String(8))
    order_type: Mapped[str] = mapped_column(sa.String(16))
    time_in_force: Mapped[str] = mapped_column(sa.String(8), default="day")
    quantity: Mapped[Decimal]
    working_quantity: Mapped[Decimal | None]
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
    # The broker's time of the state (OrderState.updated_at), set with every status change.
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Trade(Base):
    """One execution (fill) with the agent signals and reasoning that led to it.

    Its decision is its order's (``client_order_id`` -> ``orders.decision_ref``);
    ``agent_signals`` keeps the votes of that decision (the decision log's document).

    ``broker_execution_id`` (IBKR ``execId``) is unique per account so a replayed execution
    report is not booked twice. ``client_order_id`` is the order's id as the fill names it
    (``order_id`` links the ``orders`` row when it is recorded).
    """

    __tablename__ = "trades"
    __table_args__ = (
        sa.UniqueConstraint("account_id", "broker_execution_id"),
        one_of("mode", TradingMode),
        one_of("side", OrderSide),
        sa.CheckConstraint(_POSITIVE_QUANTITY, name="quantity_positive"),
        sa.Index("ix_trades_executed_at", "executed_at"),
        sa.Index("ix_trades_symbol_executed_at", "symbol", "executed_at"),
        sa.Index("ix_trades_order_id", "order_id"),
        sa.Index("ix_trades_account_id_executed_at", "account_id", "executed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey("accounts.id"))
    order_id: Mapped[int | None] = mapped_column(BigId, sa.ForeignKey("orders.id"))
    client_order_id: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    broker_execution_id: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
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
    """A current position: one row per (account, symbol), deleted when flat."""

    __tablename__ = "holdings"
    __table_args__ = (sa.UniqueConstraint("account_id", "symbol"), one_of("mode", TradingMode))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey("accounts.id"))
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
        sa.UniqueConstraint("account_id", "ts"),
        one_of("mode", TradingMode),
        sa.Index("ix_portfolio_snapshots_ts", "ts"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey("accounts.id"))
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
