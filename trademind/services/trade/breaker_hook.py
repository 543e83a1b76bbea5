"""The safety layer after each step: :class:`SafetyHook` (circuit breakers, monitored stops).

It wraps the session's :class:`~trademind.services.trade.hook.SnapshotHook`. At every step,
after the snapshot (the account marked at the bar's closes):

1. the circuit breakers (:class:`~trademind.runtime.circuit_breakers.CircuitBreakers`) see the
   equity, the round trips closed and the orders the broker ended in the step; each trip asking
   for a state stricter than the one in force is recorded (:class:`StateWrites`: a
   ``circuit_breaker_tripped`` event, actor ``circuit_breaker``, in the step's transaction) and
   taken by the gate at once (:meth:`~trademind.runtime.state_gate.TradingStateGate.assume`):
   the next order is refused; a daily-loss trip with ``flatten_on_daily_loss`` also cancels
   every working order and sells every position (``FLAT`` orders, decision
   ``emergency-liquidation``);
2. with ``require_manual_reset`` off, a state a breaker set is reset (event ``reset``, actor
   ``circuit_breaker``) at the first step ``cooldown_minutes`` after the trip (a daily-loss
   trip: not before the next trading day); the breakers then count from the reset;
3. in paper mode, the **stale-data** breaker (``stale_bar_lengths``, HALTED): during a
   session, a symbol whose newest bar closed more than that many bar lengths ago (counted from
   the session's open when its last bar is older) while other symbols' bars arrive. A feed that
   stops for every symbol makes no step at all, and the paper venue, which acts on bars only,
   then fills nothing either;
4. **monitored stops**: when the account has no venue stop-loss (``--stop-loss``), every long
   position whose close fell to ``avg_cost x (1 - safety.default_stop_loss)`` or below is sold
   at the next bar's open (a market sell, decision ``protective-stop``, id ``<SYMBOL>-STOP...``)
   unless a sell of it is working already. These sells pass in every trading state, as the
   venue's own stop-loss exits do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from trademind.core.errors import TradingStateError
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Order, OrderSide, OrderType
from trademind.core.trading_state import TradingState
from trademind.execution.gate import (
    LIQUIDATION_DECISION,
    PROTECTIVE_STOP_DECISION,
    SAFETY_REFUSALS,
)
from trademind.execution.order_ids import safety_order_id
from trademind.runtime.circuit_breakers import CircuitBreakers, StepOutcome
from trademind.runtime.emergency import cancel_everything, sell_everything
from trademind.safety.state import StateEvent, is_stricter
from trademind.safety.state_store import CurrentState, record_change

if TYPE_CHECKING:
    import sqlalchemy as sa

    from trademind.brokers.base import Broker
    from trademind.config.sections_trading import SafetySettings
    from trademind.core.order_state import OrderState
    from trademind.execution.router import ExecutionRouter
    from trademind.portfolio.journal import SqlBrokerJournal
    from trademind.runtime.ledger_hook import StepRecord
    from trademind.runtime.state_gate import TradingStateGate
    from trademind.safety.breakers import BreakerTrip
    from trademind.services.trade.hook import SnapshotHook

logger = logging.getLogger(__name__)

StaleCheck = Callable[[Mapping[str, datetime]], "BreakerTrip | None"]
"""Paper and live sessions: the stale-data breaker on each symbol's newest bar close, at the
wall clock's now (:class:`~trademind.safety.breakers.StaleDataBreaker`)."""

BREAKER_ACTOR = "circuit_breaker"


class StateWrites:
    """State changes kept to be written with the journal's rows (its pending writes)."""

    def __init__(self, account_id: int) -> None:
        self._account_id = account_id
        self._pending: list[tuple[StateEvent, CurrentState]] = []

    def __bool__(self) -> bool:
        return bool(self._pending)

    def clear(self) -> None:
        """A rolled-back transaction: its changes are dropped with it."""
        self._pending.clear()

    def add(self, event: StateEvent, state: CurrentState) -> None:
        self._pending.append((event, state))

    def flush(self, connection: sa.Connection) -> None:
        pending, self._pending = self._pending, []
        for event, state in pending:
            try:
                record_change(
                    connection,
                    self._account_id,
                    event,
                    actor=BREAKER_ACTOR,
                    reason=str(state.reason),
                    at=state.changed_at or datetime.min,
                    target=state.state,
                    details=state.details,
                )
            except TradingStateError as refused:  # another process changed the state first
                logger.info("circuit breaker change not recorded: %s", refused)


class SafetyHook:
    """The snapshot hook followed by the breakers and monitored stops (module docstring)."""

    def __init__(
        self,
        inner: SnapshotHook,
        *,
        settings: SafetySettings,
        breakers: CircuitBreakers,
        gate: TradingStateGate,
        router: ExecutionRouter,
        broker: Broker,
        journal: SqlBrokerJournal,
        venue_stops: bool,
        session_date: Callable[[datetime], str],
        stale: StaleCheck | None = None,
    ) -> None:
        self._inner = inner
        self._settings = settings
        self._breakers = breakers
        self._gate = gate
        self._router = router
        self._broker = broker
        self._journal = journal
        self._venue_stops = venue_stops
        self._session_date = session_date
        self._stale = stale
        self._last_bars: dict[str, datetime] = {}
        self._account = broker.account_id
        self._account_id = journal.store.account(self._account).id
        self._writes = StateWrites(self._account_id)
        journal.attach(self._writes)
        self._trips_seen = len(journal.ledger(self._account).round_trips)
        self.trips: list[BreakerTrip] = []

    async def record_step(self, step: StepRecord) -> None:
        snapshot = self._inner.snapshot(step.closed_at, step.marks)
        equity = float(snapshot.equity)
        outcome = StepOutcome(
            closed_at=step.closed_at,
            equity=equity,
            round_trip_pnl=self._new_round_trips(),
            broker_rejected=broker_verdicts(step.orders),
        )
        trips = self._breakers.observe(outcome)
        if self._stale is not None and self._breakers.enabled:
            self._last_bars.update(dict.fromkeys(step.marks, step.closed_at))
            stale = self._stale(self._last_bars)
            trips += [stale] if stale is not None else []
        for trip in trips:
            await self._tripped(trip, step.closed_at)
        self._reset_after_cooldown(step.closed_at, equity)
        if not self._venue_stops:
            await self._monitored_stops(step)

    def _new_round_trips(self) -> list[float]:
        trips = self._journal.ledger(self._account).round_trips
        new, self._trips_seen = trips[self._trips_seen :], len(trips)
        return [float(trip.pnl) for trip in new]

    async def _tripped(self, trip: BreakerTrip, at: datetime) -> None:
        target = TradingState(trip.state.value.lower())
        if not is_stricter(target, self._gate.current().state):
            return
        details = {
            "breaker": trip.breaker,
            "value": trip.value,
            "threshold": trip.threshold,
            "flatten": trip.flatten,
        }
        self._change(StateEvent.CIRCUIT_BREAKER_TRIPPED, target, trip.reason, at, details)
        self.trips.append(trip)
        logger.warning("%s: circuit breaker %s: %s", self._account, trip.breaker, trip.reason)
        if trip.flatten:
            reason = f"circuit breaker {trip.breaker}: {trip.reason}"
            await cancel_everything(self._broker, self._router, reason)
            await sell_everything(
                self._broker,
                self._router,
                lambda symbol: safety_order_id("FLAT", self._account, symbol, at),
                LIQUIDATION_DECISION,
            )

    def _change(
        self,
        event: StateEvent,
        target: TradingState,
        reason: str,
        at: datetime,
        details: dict[str, Any],
    ) -> None:
        state = CurrentState(
            account_id=self._account_id,
            state=target,
            changed_at=at,
            actor=BREAKER_ACTOR,
            reason=reason,
            event=event,
            details=details,
        )
        self._writes.add(event, state)
        self._journal.write_attached()
        self._gate.assume(state)

    def _reset_after_cooldown(self, at: datetime, equity: float) -> None:
        breaker = self._settings.circuit_breaker
        current = self._gate.current()
        if breaker.require_manual_reset or current.state is TradingState.ACTIVE:
            return
        if current.event is not StateEvent.CIRCUIT_BREAKER_TRIPPED or current.changed_at is None:
            return
        if at - current.changed_at < timedelta(minutes=breaker.cooldown_minutes):
            return
        daily = current.details.get("breaker") == "daily_loss"
        if daily and self._session_date(at) == self._session_date(current.changed_at):
            return
        reason = f"cooldown of {breaker.cooldown_minutes} minutes over after: {current.reason}"
        self._change(StateEvent.RESET, TradingState.ACTIVE, reason, at, {})
        self._breakers.rebase(equity)

    async def _monitored_stops(self, step: StepRecord) -> None:
        distance = Decimal(str(self._settings.default_stop_loss))
        for position in await self._broker.get_positions():
            close = step.marks.get(position.symbol)
            if position.quantity <= 0 or close is None:
                continue
            if close > position.avg_cost * (1 - distance):
                continue
            if self._router.book.working_id(position.symbol, OrderSide.SELL) is not None:
                continue
            order = Order(
                client_order_id=safety_order_id(
                    "STOP", self._account, position.symbol, step.closed_at
                ),
                symbol=position.symbol,
                side=OrderSide.SELL,
                quantity=position.quantity,
                order_type=OrderType.MARKET,
                decision_id=PROTECTIVE_STOP_DECISION,
            )
            await self._router.place(order)


def broker_verdicts(states: Sequence[OrderState]) -> list[bool]:
    """One flag per order the broker ended in the step (True: it rejected it); the safety
    layer's own refusals and orders still working are left out."""
    flags = []
    for state in states:
        if not state.status.is_terminal:
            continue
        reason = state.reason or ""
        if state.status is OrderStatus.REJECTED and reason.startswith(SAFETY_REFUSALS):
            continue
        flags.append(state.status is OrderStatus.REJECTED)
    return flags
