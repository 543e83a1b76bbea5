"""The paper broker's boundary: float64 working state to Decimal domain values.

Every number leaves the venue as ``Decimal(repr(x))`` of its float64 value: the shortest
decimal that reads back as the same float (``float(Decimal(repr(x))) == x``), so a fill, an
order state, a position or the account says exactly what the venue computed, and a consumer
that needs the float back (the replay/backtest parity test) gets it bit for bit.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

from trademind.brokers.paper.notes import Executed, StateChanged
from trademind.core.accounts import Account, Position
from trademind.core.order_state import OrderState
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Fill, Order, OrderSide

ZERO = Decimal(0)


def exact(value: float) -> Decimal:
    """``Decimal(repr(value))`` (module docstring)."""
    return Decimal(repr(float(value)))


def new_state(order: Order, when: datetime, status: OrderStatus, reason: str | None) -> OrderState:
    """A just-placed (or refused) order's state: nothing filled, its own quantity."""
    return OrderState(
        order=order,
        status=status,
        quantity=order.quantity,
        filled_quantity=ZERO,
        average_fill_price=None,
        submitted_at=when,
        updated_at=when,
        reason=reason,
    )


def changed_state(previous: OrderState, note: StateChanged, when: datetime) -> OrderState:
    """``previous`` after the venue's ``note``. The working quantity is the venue's (sized at
    the first fill), never below what filled (float sums of parts may pass it by an ulp)."""
    filled = exact(note.filled)
    quantity = previous.quantity if note.quantity is None else exact(note.quantity)
    average = exact(note.value / note.filled) if note.filled > 0.0 else None
    return dataclasses.replace(
        previous,
        status=note.status,
        quantity=max(quantity, filled),
        filled_quantity=filled,
        average_fill_price=average,
        updated_at=max(when, previous.submitted_at),
        reason=note.reason if note.reason is not None else previous.reason,
    )


def same_report(a: OrderState, b: OrderState) -> bool:
    """Whether two states say the same (a repeated report is no change)."""
    fields = ("status", "quantity", "filled_quantity", "average_fill_price", "reason")
    return all(getattr(a, name) == getattr(b, name) for name in fields)


def fill_of(note: Executed, execution_id: str) -> Fill:
    """The domain fill of a venue execution."""
    return Fill(
        order_id=note.order_id,
        symbol=note.symbol,
        side=OrderSide.BUY if note.is_buy else OrderSide.SELL,
        quantity=exact(note.quantity),
        price=exact(note.price),
        ts=note.ts,
        commission=max(exact(note.commission), ZERO),
        execution_id=execution_id,
    )


def position_of(symbol: str, quantity: float, average: float, price: float) -> Position:
    return Position(
        symbol=symbol, quantity=exact(quantity), avg_cost=exact(average), market_price=exact(price)
    )


def account_of(account_id: str, cash: float, equity: float) -> Account:
    """A cash account: buying power is the cash (never negative); no day-trade limit."""
    return Account(
        account_id=account_id,
        cash=exact(cash),
        portfolio_value=exact(equity),
        buying_power=max(exact(cash), ZERO),
        day_trades_remaining=None,
    )
