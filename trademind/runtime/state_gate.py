"""The account's trading state, honoured by the trading loop: :class:`TradingStateGate`.

The gate reads the state from the database (:class:`~trademind.safety.state_store.SafetyStateStore`)
and keeps it for at most ``refresh_seconds`` (0.5 s) of the injected monotonic clock: the loop
asks it at the start of every step and the router before every order, so a change written by
another process (``trademind safety emergency-stop``, a test) is honoured at the first step
or order after at most half a second (plus the step in progress: within one second), while a
``--speed max`` replay of thousands of steps reads the database twice a second, not once a
step.

It implements the router's :class:`~trademind.execution.gate.OrderGate`:

- ACTIVE: every order passes;
- REDUCING: only a SELL of at most the quantity held passes (a BUY never reduces: the system
  holds no short positions);
- HALTED: nothing passes but cancels (the router never asks about those), the emergency
  liquidation's sells (``decision_id`` ``emergency-liquidation``) and the safety layer's
  monitored stops (``protective-stop``), each of at most the quantity held.

A refusal reads ``trading state HALTED: emergency stop by cli:bob: <reason>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, Protocol

from trademind.core.orders import Order, OrderSide
from trademind.core.trading_state import TradingState
from trademind.execution.gate import (
    LIQUIDATION_DECISION,
    PROTECTIVE_STOP_DECISION,
    STATE_PREFIX,
    GateView,
)

if TYPE_CHECKING:
    from trademind.safety.state_store import CurrentState

REFRESH_SECONDS: Final = 0.5
"""How long a state read from the database is trusted: half the one second within which a
change must be honoured, leaving the other half for the step in progress and its commit."""


ALWAYS_REDUCING: Final = frozenset({LIQUIDATION_DECISION, PROTECTIVE_STOP_DECISION})
"""Decisions whose sells (of at most the quantity held) pass even a HALTED account: the
emergency liquidation and the safety layer's monitored stops (as the venue's stop-loss exits,
which a halt leaves working)."""


class StateSource(Protocol):
    """Where the gate reads the state: :class:`~trademind.safety.state_store.SafetyStateStore`."""

    def current(self, account_id: int) -> CurrentState: ...


class TradingStateGate:
    """One account's trading state, cached for ``refresh_seconds`` (module docstring)."""

    def __init__(
        self,
        store: StateSource,
        account_id: int,
        monotonic: Callable[[], float],
        *,
        refresh_seconds: float = REFRESH_SECONDS,
    ) -> None:
        self._store = store
        self._account_id = account_id
        self._monotonic = monotonic
        self._refresh = refresh_seconds
        self._read_at = -math.inf
        self._current: CurrentState | None = None
        self._assumed: tuple[CurrentState, int | None] | None = None
        self.reads = 0

    def current(self) -> CurrentState:
        """The state, read again when the one held is ``refresh_seconds`` old."""
        now = self._monotonic()
        if self._current is None or now - self._read_at >= self._refresh:
            stored = self._store.current(self._account_id)
            self._read_at = now
            self.reads += 1
            self._current = self._over_assumed(stored)
        return self._current

    def assume(self, state: CurrentState) -> None:
        """Take ``state`` from now on: a change this session made in a transaction that has not
        committed yet (a circuit breaker's trip, written with the step's rows). It holds until
        the database shows a change newer than the last one read before it (the trip itself
        once committed, or another process's change)."""
        before = self.current()
        self._assumed = (state, before.event_id if self._assumed is None else self._assumed[1])
        self._current = state

    def _over_assumed(self, stored: CurrentState) -> CurrentState:
        if self._assumed is None:
            return stored
        state, last_read = self._assumed
        if stored.event_id != last_read:  # the database moved on: it decides again
            self._assumed = None
            return stored
        return state

    def refusal(self, order: Order, view: GateView) -> str | None:
        current = self.current()
        state = current.state
        if state is TradingState.ACTIVE:
            return None
        reducing = order.side is OrderSide.SELL and order.quantity <= view.held(order.symbol)
        if state is TradingState.REDUCING and reducing:
            return None
        if state is TradingState.HALTED and reducing and order.decision_id in ALWAYS_REDUCING:
            return None
        return f"{describe(current)}; {_refused(state, order)}"


def describe(current: CurrentState) -> str:
    """``trading state HALTED: emergency stop by cli:bob: <reason>``."""
    label = f"{STATE_PREFIX}{current.state.value.upper()}"
    if current.event is None:
        return label
    what = current.event.value.replace("_", " ")
    return f"{label}: {what} by {current.actor}: {current.reason}"


def _refused(state: TradingState, order: Order) -> str:
    side = order.side.value
    if state is TradingState.REDUCING:
        return f"only orders that reduce a position are accepted, not this {side} of {order.symbol}"
    return f"only cancels are accepted, not this {side} of {order.symbol}"
