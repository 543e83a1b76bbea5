"""A hand-written fake broker for tests of the execution router and the trading loop.

:class:`FakeBroker` implements :class:`~trademind.brokers.base.Broker` and
:class:`~trademind.brokers.base.SimulatedVenue` with the simplest honest market: a MARKET order
placed at a bar's close fills, whole, at the **next** bar's open of its symbol (at
:meth:`open_bars`), with no slippage and a fixed commission per fill. Nothing else is supported
(other order types are refused at the port). A BUY is not checked against cash; a SELL fills
at most the position held. It publishes, in order, ``OrderStatusChanged`` (OPEN when placed;
FILLED or CANCELLED later) and ``OrderFilled``, and ``AccountUpdated`` after each fill.
It is not the paper broker (``trademind.brokers.paper``), whose fills are the backtest's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from trademind.brokers.base import Publish, validate_order
from trademind.core.accounts import Account, Position
from trademind.core.clock import Clock
from trademind.core.errors import BrokerError
from trademind.core.events import AccountUpdated, OrderFilled, OrderStatusChanged
from trademind.core.market import Bar
from trademind.core.order_state import OrderState
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Fill, Order, OrderSide, OrderType, TimeInForce
from trademind.core.values import decimal_from_float


class FakeBroker:
    """A market-orders-only simulated broker (module docstring)."""

    def __init__(
        self,
        *,
        account_id: str,
        publish: Publish,
        clock: Clock,
        cash: Decimal = Decimal(100_000),
        commission: Decimal = Decimal(0),
    ) -> None:
        self._account_id = account_id
        self._publish = publish
        self._clock = clock
        self._cash = cash
        self._commission = commission
        self._connected = False
        self._orders: dict[str, OrderState] = {}
        self._held: dict[str, Decimal] = {}
        self._cost: dict[str, Decimal] = {}
        self._marks: dict[str, Decimal] = {}
        self.fills: list[Fill] = []
        self.placed: list[Order] = []

    @property
    def name(self) -> str:
        return "fake"

    @property
    def account_id(self) -> str:
        return self._account_id

    async def connect(self) -> None:
        self._connected = True

    async def disconnect(self) -> None:
        self._connected = False

    def is_connected(self) -> bool:
        return self._connected

    async def place_order(self, order: Order) -> OrderState:
        known = self._orders.get(order.client_order_id)
        if known is not None:
            return known
        validate_order(order, order_types={OrderType.MARKET}, times_in_force=set(TimeInForce))
        now = self._clock.now()
        state = OrderState(
            order=order,
            status=OrderStatus.OPEN,
            quantity=order.quantity,
            filled_quantity=Decimal(0),
            average_fill_price=None,
            submitted_at=now,
            updated_at=now,
        )
        self.placed.append(order)
        await self._report(state)
        return state

    async def cancel_order(self, client_order_id: str) -> OrderState:
        state = self._orders.get(client_order_id)
        if state is None:
            raise BrokerError(f"unknown order {client_order_id}")
        if state.status.is_terminal:
            return state
        cancelled = dataclasses.replace(
            state, status=OrderStatus.CANCELLED, updated_at=self._clock.now(), reason="cancelled"
        )
        await self._report(cancelled)
        return cancelled

    async def get_positions(self) -> list[Position]:
        return [
            Position(
                symbol=symbol,
                quantity=quantity,
                avg_cost=self._cost[symbol],
                market_price=self._marks[symbol],
            )
            for symbol, quantity in self._held.items()
            if quantity != 0
        ]

    async def get_account(self) -> Account:
        value = self._cash + sum(
            (quantity * self._marks[symbol] for symbol, quantity in self._held.items()),
            Decimal(0),
        )
        return Account(
            account_id=self._account_id,
            cash=self._cash,
            portfolio_value=value,
            buying_power=max(self._cash, Decimal(0)),
        )

    async def get_orders(self, status: OrderStatus | None = None) -> list[OrderState]:
        return [state for state in self._orders.values() if status in {None, state.status}]

    async def open_bars(self, bars: Sequence[Bar]) -> None:
        """Fill every working order of a symbol with a bar at that bar's open."""
        by_symbol = {bar.symbol: bar for bar in bars}
        for state in list(self._orders.values()):
            bar = by_symbol.get(state.order.symbol)
            if bar is not None and not state.status.is_terminal:
                await self._fill(state, bar)

    async def close_bars(self, bars: Sequence[Bar]) -> None:
        """Mark positions at the closes."""
        for bar in bars:
            self._marks[bar.symbol] = decimal_from_float(bar.close)

    async def _fill(self, state: OrderState, bar: Bar) -> None:
        order = state.order
        price = decimal_from_float(bar.open)
        quantity = state.remaining_quantity
        held = self._held.get(order.symbol, Decimal(0))
        if order.side is OrderSide.SELL:
            quantity = min(quantity, held)
        if quantity <= 0:
            await self._report(self._ended(state, OrderStatus.CANCELLED, bar.ts, "nothing to sell"))
            return
        fill = Fill(
            order_id=order.client_order_id,
            symbol=order.symbol,
            side=order.side,
            quantity=quantity,
            price=price,
            ts=bar.ts,
            commission=self._commission,
            execution_id=f"{order.client_order_id[:56]}-x{len(self.fills)}",
        )
        self._book(fill)
        filled = dataclasses.replace(
            state,
            status=OrderStatus.FILLED,
            quantity=state.filled_quantity + quantity,
            filled_quantity=state.filled_quantity + quantity,
            average_fill_price=price,
            updated_at=bar.ts,
        )
        await self._report(filled)
        await self._publish(OrderFilled(occurred_at=bar.ts, account=self._account_id, fill=fill))
        account = await self.get_account()
        await self._publish(AccountUpdated(occurred_at=bar.ts, account=account))

    def _book(self, fill: Fill) -> None:
        symbol = fill.symbol
        held = self._held.get(symbol, Decimal(0))
        signed = fill.quantity if fill.side is OrderSide.BUY else -fill.quantity
        if fill.side is OrderSide.BUY:
            cost = self._cost.get(symbol, Decimal(0)) * held + fill.notional
            self._cost[symbol] = cost / (held + fill.quantity)
        self._held[symbol] = held + signed
        self._cash -= signed * fill.price + fill.commission
        self._marks.setdefault(symbol, fill.price)
        self.fills.append(fill)

    @staticmethod
    def _ended(state: OrderState, status: OrderStatus, when: datetime, reason: str) -> OrderState:
        return dataclasses.replace(state, status=status, updated_at=when, reason=reason)

    async def _report(self, state: OrderState) -> None:
        self._orders[state.client_order_id] = state
        event = OrderStatusChanged(
            occurred_at=state.updated_at, account=self._account_id, state=state
        )
        await self._publish(event)
