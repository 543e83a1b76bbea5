"""The broker port: what the execution router needs from any broker (paper, IBKR).

Every method is async (the IBKR adapter speaks ib_async inside the event loop). A broker
reports what happens to orders and balances as events
(:class:`~trademind.core.events.OrderStatusChanged`, :class:`~trademind.core.events.OrderFilled`,
:class:`~trademind.core.events.AccountUpdated`) through the ``publish`` callable it was built
with (the runtime passes the event bus's ``publish``), in the order they happened.

Placing is idempotent: a second :meth:`Broker.place_order` with a client order id the broker
already knows returns that order's current state and places nothing.

Brokers that simulate a market from bars (the paper broker in replay and paper mode) also
implement :class:`SimulatedVenue`: the trading loop hands them each bar's open and close.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Protocol, runtime_checkable

from trademind.core.accounts import Account, Position
from trademind.core.errors import OrderRejectedError
from trademind.core.events import Event
from trademind.core.market import Bar
from trademind.core.order_state import OrderState
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Order, OrderType, TimeInForce

Publish = Callable[[Event], Awaitable[object]]
"""Where a broker sends its events (``EventBus.publish``)."""


@runtime_checkable
class Broker(Protocol):
    """A broker account TradeMind trades through."""

    @property
    def name(self) -> str:
        """``"paper"`` or ``"ibkr"``: what ``orders.broker`` stores."""
        ...

    @property
    def account_id(self) -> str: ...

    async def connect(self) -> None:
        """Open the session (idempotent); raises BrokerError when it cannot."""
        ...

    async def disconnect(self) -> None:
        """Close the session (idempotent). Working orders stay at the broker."""
        ...

    def is_connected(self) -> bool: ...

    async def place_order(self, order: Order) -> OrderState:
        """Send ``order``; returns its state after the broker took it (or rejected it: a
        rejection is a state with status REJECTED and a reason, not an exception). Raises
        OrderRejectedError only for an order malformed at the port (:func:`validate_order`)."""
        ...

    async def cancel_order(self, client_order_id: str) -> OrderState:
        """Cancel what is left of an order; a terminal order's state is returned unchanged.
        An unknown id is a BrokerError."""
        ...

    async def get_positions(self) -> list[Position]: ...

    async def get_account(self) -> Account: ...

    async def get_orders(self, status: OrderStatus | None = None) -> list[OrderState]:
        """Every order the broker knows for this account (only ``status`` ones if given)."""
        ...


@runtime_checkable
class SimulatedVenue(Protocol):
    """A broker that makes its own market from bars (the paper broker).

    For each timestamp the trading loop calls :meth:`open_bars` with every symbol's bar of that
    timestamp (working orders fill at the open and inside the bars; protective exits trigger),
    then runs the strategies on the closes and places their orders, then calls
    :meth:`close_bars` (orders that fill at the close; positions marked at the close). This is
    the backtest engine's order of events, so replay fills equal backtest fills.
    """

    async def open_bars(self, bars: Sequence[Bar]) -> None: ...

    async def close_bars(self, bars: Sequence[Bar]) -> None: ...


@runtime_checkable
class RecordsRefusals(Protocol):
    """A broker that records an order the safety layer refused (it never reaches the venue)."""

    async def refuse_order(self, order: Order, reason: str) -> OrderState:
        """Record ``order`` as REJECTED with ``reason`` (journaled and published like any
        state; a known client order id returns its state unchanged)."""
        ...


@runtime_checkable
class CancelsEverything(Protocol):
    """A broker that can cancel every working order of the account at once (an emergency
    stop), including the exits it manages itself (protective stop-loss/take-profit)."""

    async def cancel_all(self, reason: str) -> list[OrderState]:
        """Cancel every working order with ``reason`` and disarm the protective exits of the
        open positions; the cancelled orders' states."""
        ...


def validate_order(
    order: Order,
    *,
    order_types: Collection[OrderType],
    times_in_force: Collection[TimeInForce],
) -> None:
    """Refuse at the port an order this broker cannot take: an unsupported type or time in
    force. (:class:`~trademind.core.orders.Order` itself guarantees a positive quantity, a side,
    and the limit and stop prices its type needs.)"""
    if order.order_type not in order_types:
        supported = ", ".join(sorted(kind.value for kind in order_types))
        raise OrderRejectedError(
            order.client_order_id,
            f"order type {order.order_type.value} is not supported (supported: {supported})",
        )
    if order.time_in_force not in times_in_force:
        supported = ", ".join(sorted(tif.value for tif in times_in_force))
        raise OrderRejectedError(
            order.client_order_id,
            f"time in force {order.time_in_force.value} is not supported (supported: {supported})",
        )
