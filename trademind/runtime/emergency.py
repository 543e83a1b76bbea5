"""The emergency stop, acted on by the trading loop: :class:`EmergencyStopHandler`.

At the start of every step (inside the step's transaction) the loop calls
:meth:`EmergencyStopHandler.at_step_start`. When the account's trading state
(:class:`~trademind.runtime.state_gate.TradingStateGate`) is HALTED by an ``emergency_stop``
event that this account has not handled yet, the handler

1. cancels every working order at the venue (entries, signal exits and the venue-managed
   protective ``.sl``/``.ts``/``.tp`` exits; the open positions' protective levels are
   disarmed), each with the reason ``trading state HALTED: emergency stop by <actor>:
   <reason>``;
2. when the event's details say ``{"liquidate": true}``, places a market sell of every open
   position (decision ``emergency-liquidation``, client order id
   ``<SYMBOL>-ESTOP<event id>-<digest>``), the only new orders the HALTED gate lets through;
3. records the event id as handled (``broker_state`` row ``emergency_stop``) through the broker
   journal, in the same transaction as the cancels when the loop runs its steps in blocks.

So an emergency stop is handled once: a resume finds it recorded; a session that was not
running when the stop came handles it at its first step after the resume; a crash before the
record commits takes the cancels back with it, and the resume does them again (the liquidation
ids are deterministic: placing them again is a no-op).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from trademind.brokers.base import CancelsEverything
from trademind.core.orders import Order, OrderSide, OrderType
from trademind.core.trading_state import TradingState
from trademind.execution.gate import LIQUIDATION_DECISION
from trademind.execution.order_ids import liquidation_order_id
from trademind.runtime.state_gate import describe
from trademind.safety.state import StateEvent

if TYPE_CHECKING:
    from collections.abc import Callable

    from trademind.brokers.base import Broker
    from trademind.core.order_state import OrderState
    from trademind.core.ports import BrokerJournal
    from trademind.execution.router import ExecutionRouter
    from trademind.runtime.state_gate import TradingStateGate
    from trademind.safety.state_store import CurrentState

logger = logging.getLogger(__name__)

HANDLED_STATE: Final = "emergency_stop"
"""The ``broker_state`` row recording the last emergency stop handled: ``{"event_id": n}``."""


class EmergencyStopHandler:
    """Acts on an emergency stop once (module docstring)."""

    def __init__(
        self,
        gate: TradingStateGate,
        router: ExecutionRouter,
        broker: Broker,
        journal: BrokerJournal,
    ) -> None:
        self._gate = gate
        self._router = router
        self._broker = broker
        self._journal = journal
        self._handled: int | None = None
        self._loaded = False

    async def at_step_start(self) -> bool:
        """Handle a new emergency stop; True when one was handled at this step."""
        current = self._gate.current()
        event_id = current.event_id
        if current.state is not TradingState.HALTED or event_id is None:
            return False
        if current.event is not StateEvent.EMERGENCY_STOP or event_id == self._handled_id():
            return False
        reason = describe(current)
        logger.warning("%s: %s; cancelling every working order", self._broker.account_id, reason)
        await self._cancel_all(reason)
        if current.details.get("liquidate") is True:
            await self._liquidate(current)
        self._journal.save_state(self._broker.account_id, HANDLED_STATE, {"event_id": event_id})
        self._handled = event_id
        return True

    def _handled_id(self) -> int | None:
        if not self._loaded:
            stored = self._journal.load_state(self._broker.account_id, HANDLED_STATE)
            self._handled = None if stored is None else int(stored["event_id"])
            self._loaded = True
        return self._handled

    async def _cancel_all(self, reason: str) -> None:
        await cancel_everything(self._broker, self._router, reason)

    async def _liquidate(self, current: CurrentState) -> None:
        account = self._broker.account_id
        event_id = int(current.event_id or 0)
        states = await sell_everything(
            self._broker,
            self._router,
            lambda symbol: liquidation_order_id(account, symbol, event_id),
            LIQUIDATION_DECISION,
        )
        for state in states:
            logger.warning("%s: emergency liquidation %s", account, state.status.value)


async def cancel_everything(broker: Broker, router: ExecutionRouter, reason: str) -> None:
    """Cancel every working order of the account (the venue's protective exits too, when the
    broker can), with ``reason``."""
    if isinstance(broker, CancelsEverything):
        await broker.cancel_all(reason)
        return
    for state in router.book.working():
        await router.cancel_order(state.client_order_id)


async def sell_everything(
    broker: Broker,
    router: ExecutionRouter,
    order_id: Callable[[str], str],
    decision: str,
) -> list[OrderState]:
    """A market sell of every long position through ``router`` (ids from ``order_id`` of the
    symbol, ``decision_id`` ``decision``); the states of the orders placed."""
    states = []
    for position in await broker.get_positions():
        if position.quantity <= Decimal(0):
            continue
        order = Order(
            client_order_id=order_id(position.symbol),
            symbol=position.symbol,
            side=OrderSide.SELL,
            quantity=position.quantity,
            order_type=OrderType.MARKET,
            decision_id=decision,
        )
        states.append(await router.place(order))
    return states
