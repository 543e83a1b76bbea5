"""A broker that records every order it receives and fills working orders when told to.

Hand-written for the safety layer's property tests: unlike
:class:`~trademind.testing.fake_broker.FakeBroker` (market orders only, fills at the next open)
it takes MARKET and LIMIT orders, lets positions go short, and fills at the price the test
gives (:meth:`RecordingBroker.fill_working`). Cash moves by quantity x price; equity is cash
plus every position at its mark; buying power is the cash (never below zero).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal

from trademind.core.accounts import Account, Position
from trademind.core.errors import BrokerError
from trademind.core.order_state import OrderState
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Fill, Order, OrderSide, OrderType


class RecordingBroker:
    """Records ``received`` (every ``place_order`` call) and ``cancels``."""

    def __init__(self, account_id: str, cash: Decimal, now: Callable[[], datetime]) -> None:
        self._account_id = account_id
        self._now = now
        self.cash = cash
        self.held: dict[str, Decimal] = {}
        self.marks: dict[str, Decimal] = {}
        self.states: dict[str, OrderState] = {}
        self.received: list[Order] = []
        self.cancels: list[str] = []
        self.fills: list[Fill] = []

    @property
    def name(self) -> str:
        return "recording"

    @property
    def account_id(self) -> str:
        return self._account_id

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        return None

    def is_connected(self) -> bool:
        return True

    async def place_order(self, order: Order) -> OrderState:
        self.received.append(order)
        known = self.states.get(order.client_order_id)
        if known is not None:  # idempotent by client order id
            return known
        state = OrderState(
            order=order,
            status=OrderStatus.OPEN,
            quantity=order.quantity,
            filled_quantity=Decimal(0),
            average_fill_price=None,
            submitted_at=self._now(),
            updated_at=self._now(),
        )
        self.states[order.client_order_id] = state
        return state

    async def cancel_order(self, client_order_id: str) -> OrderState:
        self.cancels.append(client_order_id)
        state = self.states.get(client_order_id)
        if state is None:
            raise BrokerError(f"unknown order {client_order_id}")
        if not state.status.is_terminal:
            state = dataclasses.replace(state, status=OrderStatus.CANCELLED, reason="cancelled")
            self.states[client_order_id] = state
        return state

    def positions_now(self) -> dict[str, tuple[Decimal, Decimal]]:
        return {s: (q, self.marks[s]) for s, q in self.held.items() if q != 0}

    async def get_positions(self) -> list[Position]:
        return [
            Position(symbol=s, quantity=q, avg_cost=m, market_price=m)
            for s, (q, m) in self.positions_now().items()
        ]

    async def get_account(self) -> Account:
        equity = self.cash + sum((q * m for q, m in self.positions_now().values()), Decimal(0))
        return Account(
            account_id=self._account_id,
            cash=self.cash,
            portfolio_value=equity,
            buying_power=max(self.cash, Decimal(0)),
        )

    async def get_orders(self, status: OrderStatus | None = None) -> list[OrderState]:
        return [s for s in self.states.values() if status in {None, s.status}]

    def working(self) -> list[OrderState]:
        return [s for s in self.states.values() if not s.status.is_terminal]

    def fill_working(self, prices: Mapping[str, Decimal], at: datetime) -> list[OrderState]:
        """Fill, whole, every working order whose symbol has a price and that is marketable
        there (a buy limit at or above it, a sell limit at or below it), at that price."""
        filled = []
        for state in self.working():
            order = state.order
            price = prices.get(order.symbol)
            if price is None or not _marketable(order, price):
                continue
            self._book(order, price, at)
            done = dataclasses.replace(
                state,
                status=OrderStatus.FILLED,
                filled_quantity=order.quantity,
                average_fill_price=price,
                updated_at=at,
            )
            self.states[order.client_order_id] = done
            filled.append(done)
        return filled

    def _book(self, order: Order, price: Decimal, at: datetime) -> None:
        signed = order.quantity if order.side is OrderSide.BUY else -order.quantity
        self.held[order.symbol] = self.held.get(order.symbol, Decimal(0)) + signed
        self.cash -= signed * price
        self.marks[order.symbol] = price
        self.fills.append(
            Fill(
                order_id=order.client_order_id,
                symbol=order.symbol,
                side=order.side,
                quantity=order.quantity,
                price=price,
                ts=at,
                execution_id=f"x{len(self.fills)}",
            )
        )


def _marketable(order: Order, price: Decimal) -> bool:
    if order.order_type is OrderType.MARKET or order.limit_price is None:
        return True
    if order.side is OrderSide.BUY:
        return price <= order.limit_price
    return price >= order.limit_price
