"""The order state machine: every order's latest :class:`OrderState`, moved only forward.

:meth:`OrderBook.apply` takes a state a broker reported (the return of ``place_order`` or
``cancel_order``, an :class:`~trademind.core.events.OrderStatusChanged` event, the orders a
resumed broker lists) and keeps it when the move is legal
(:func:`~trademind.core.order_status.can_transition`). A repeat of the same status (brokers
resend reports) is a no-op; a move the lifecycle forbids (``filled -> open``, ``cancelled ->
filled``, ...) is refused and logged, and the book keeps the state it had.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from trademind.core.order_state import OrderState
from trademind.core.order_status import OrderStatus, can_transition
from trademind.core.orders import OrderSide

logger = logging.getLogger(__name__)


class Applied(StrEnum):
    """What :meth:`OrderBook.apply` did with a reported state."""

    NEW = "new"
    MOVED = "moved"
    REPEATED = "repeated"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class RefusedTransition:
    """A report the book refused: the order was ``current`` and the broker said ``reported``."""

    client_order_id: str
    current: OrderStatus
    reported: OrderStatus


class OrderBook:
    """The latest legal state of every order of one account, by client order id."""

    def __init__(self) -> None:
        self._states: dict[str, OrderState] = {}
        self._working: dict[str, OrderState] = {}
        """The states not terminal, in the order the book first saw them (a decision asks for
        its symbol's at every signal: no scan of every order of the session)."""
        self._refused: list[RefusedTransition] = []

    def _keep(self, state: OrderState) -> None:
        order_id = state.client_order_id
        self._states[order_id] = state
        if state.status.is_terminal:
            self._working.pop(order_id, None)
        else:
            self._working[order_id] = state

    def apply(self, state: OrderState) -> Applied:
        """Record ``state`` when it is new or a legal move (module docstring)."""
        order_id = state.client_order_id
        known = self._states.get(order_id)
        if known is None:
            self._keep(state)
            return Applied.NEW
        if state.status is known.status and (
            state.status is not OrderStatus.PARTIALLY_FILLED
            or state.filled_quantity <= known.filled_quantity
        ):
            return Applied.REPEATED  # a resent report (a partial fill repeats unless it grew)
        if not can_transition(known.status, state.status):
            refused = RefusedTransition(order_id, known.status, state.status)
            self._refused.append(refused)
            logger.warning(
                "order %s: refused the illegal transition %s -> %s (kept %s)",
                order_id,
                known.status.value,
                state.status.value,
                known.status.value,
            )
            return Applied.REFUSED
        self._keep(state)
        return Applied.MOVED

    def get(self, client_order_id: str) -> OrderState | None:
        return self._states.get(client_order_id)

    def __contains__(self, client_order_id: object) -> bool:
        return client_order_id in self._states

    def __len__(self) -> int:
        return len(self._states)

    def states(self) -> tuple[OrderState, ...]:
        """Every order's latest state, in the order the book first saw them."""
        return tuple(self._states.values())

    def working(self, symbol: str | None = None) -> tuple[OrderState, ...]:
        """Orders not in a terminal status (of ``symbol`` only, if given)."""
        return tuple(
            state
            for state in self._working.values()
            if symbol is None or state.order.symbol == symbol
        )

    def working_id(self, symbol: str, side: OrderSide) -> str | None:
        """The client order id of ``symbol``'s working ``side`` order (the newest), or None."""
        found = None
        for state in self.working(symbol):
            if state.order.side is side:
                found = state.client_order_id
        return found

    @property
    def refused(self) -> tuple[RefusedTransition, ...]:
        """Every refused report, oldest first."""
        return tuple(self._refused)
