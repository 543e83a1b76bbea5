"""The trading loop: bars -> strategies -> decisions -> router -> broker -> fills -> ledger.

For each batch (every symbol's bar of one timestamp) from a
:class:`~trademind.runtime.bar_sources.BarSource`:

0. with an ``emergency`` handler, the trading state is checked
   (:class:`~trademind.runtime.emergency.EmergencyStopHandler`: a new emergency stop cancels
   every working order, and liquidates when asked, before the batch opens);
1. ``venue.open_bars(bars)`` when the broker is a
   :class:`~trademind.brokers.base.SimulatedVenue` (working orders fill at the open);
2. a :class:`~trademind.core.events.BarClosed` per bar on the bus, and the enabled strategies,
   bar by bar (:class:`~trademind.runtime.strategy_runner.StrategyRunner`), each signal
   published as :class:`~trademind.core.events.SignalRaised`;
3. the decision step (:class:`~trademind.runtime.decision_step.DecisionMaker`), each decision
   published as :class:`~trademind.core.events.DecisionMade` and executed by the
   :class:`~trademind.execution.router.ExecutionRouter` (two shortcuts with the same effect:
   no event is built while nothing on the bus would receive a ``DecisionMade``, checked before
   each decision; a HOLD is not handed to the router, which places and cancels nothing for
   one);
4. ``venue.close_bars(bars)`` (fills at the close, positions marked);
5. the :class:`~trademind.runtime.ledger_hook.LedgerHook` with the step's fills and marks.

The batches run with the garbage collector's session settings
(:func:`~trademind.runtime.session_gc.session_collector`: a generation-0 pass every 20,000 net
allocations instead of 700; the previous thresholds back when the loop ends).

With ``step_scope`` every step runs inside the context manager it makes (the trade service's
replay: one database transaction per step, see
:meth:`~trademind.brokers.paper.PaperBroker.one_write`).

This is the backtest engine's order of events, so a simulated venue with the backtest's fill
rules fills as the backtest does. Live mode refuses to start (:func:`check_mode`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from trademind.brokers.base import Broker, SimulatedVenue
from trademind.core.bus import EventBus, Subscription
from trademind.core.decisions import Action, Decision, Signal
from trademind.core.errors import NotBuiltYetError, ValidationError
from trademind.core.events import (
    BarClosed,
    DecisionMade,
    OrderFilled,
    OrderStatusChanged,
    SignalRaised,
)
from trademind.core.market import TradingMode
from trademind.core.order_state import OrderState
from trademind.core.orders import Fill
from trademind.core.values import decimal_from_float
from trademind.execution.router import ExecutionRouter
from trademind.runtime.bar_sources import BarBatch, BarSource
from trademind.runtime.decision_step import DecisionMaker, SignalDecisions
from trademind.runtime.emergency import EmergencyStopHandler
from trademind.runtime.ledger_hook import LedgerHook, StepRecord
from trademind.runtime.session_gc import session_collector
from trademind.runtime.strategy_runner import StrategyRunner

logger = logging.getLogger(__name__)


def check_mode(mode: TradingMode) -> TradingMode:
    """``mode`` when the trading loop can run it: replay and paper. Live trading arrives with
    the IBKR issue; a backtest runs through ``backtest run``."""
    if mode is TradingMode.LIVE:
        raise NotBuiltYetError("live trading (Interactive Brokers)", "the IBKR issue")
    if mode is TradingMode.BACKTEST:
        raise ValidationError("backtests run through 'backtest run', not the trading loop")
    return mode


@dataclass(slots=True)
class LoopSummary:
    """What a run did: counts, and every fill and final order state in order."""

    account: str
    mode: TradingMode
    steps: int = 0
    bars: int = 0
    signals: int = 0
    decisions: int = 0
    first_close: datetime | None = None
    last_close: datetime | None = None
    fills: list[Fill] = field(default_factory=list)


@dataclass(slots=True)
class _Step:
    fills: list[Fill] = field(default_factory=list)
    orders: dict[str, OrderState] = field(default_factory=dict)


class TradingLoop:
    """One account's trading loop (module docstring)."""

    def __init__(
        self,
        *,
        mode: TradingMode,
        source: BarSource,
        broker: Broker,
        router: ExecutionRouter,
        strategies: StrategyRunner,
        bus: EventBus,
        ledger: LedgerHook | None = None,
        decider: DecisionMaker | None = None,
        step_scope: Callable[[], AbstractContextManager[object]] | None = None,
        emergency: EmergencyStopHandler | None = None,
    ) -> None:
        self._mode = check_mode(mode)
        self._source = source
        self._broker = broker
        self._router = router
        self._strategies = strategies
        self._bus = bus
        self._ledger = ledger
        self._decider: DecisionMaker = decider or SignalDecisions()
        self._step_scope = step_scope or nullcontext
        self._emergency = emergency
        self._venue = broker if isinstance(broker, SimulatedVenue) else None
        self._account = broker.account_id
        self._step = _Step()
        self._summary = LoopSummary(account=self._account, mode=mode)

    async def run(self) -> LoopSummary:
        """Connect, continue from the broker's orders, run every batch, disconnect; the batches
        run with the session's collector settings (:mod:`trademind.runtime.session_gc`)."""
        subscriptions = self._subscribe()
        await self._broker.connect()
        try:
            await self._router.sync()
            with session_collector():
                async for batch in self._source.batches():
                    await self.step(batch)
        finally:
            for subscription in subscriptions:
                subscription.unsubscribe()
            await self._broker.disconnect()
        return self._summary

    def _subscribe(self) -> list[Subscription]:
        return [
            self._bus.subscribe(OrderStatusChanged, self._router.on_order_status),
            self._bus.subscribe(BarClosed, self._router.on_bar_closed),
            self._bus.subscribe(OrderStatusChanged, self._on_order_status),
            self._bus.subscribe(OrderFilled, self._on_fill),
        ]

    def _on_order_status(self, event: OrderStatusChanged) -> None:
        if event.account == self._account:
            self._step.orders[event.state.client_order_id] = event.state

    def _on_fill(self, event: OrderFilled) -> None:
        if event.account == self._account:
            self._step.fills.append(event.fill)

    async def step(self, batch: BarBatch) -> None:
        """Run one timestamp (module docstring, steps 0 to 5)."""
        self._step = _Step()
        with self._step_scope():
            if self._emergency is not None:
                await self._emergency.at_step_start()
            if self._venue is not None:
                await self._venue.open_bars(batch.bars)
            signals = await self._close_bars(batch)
            decisions = await self._decide(batch, signals)
            if self._venue is not None:
                await self._venue.close_bars(batch.bars)
            await self._record(batch, decisions)

    async def _close_bars(self, batch: BarBatch) -> list[Signal]:
        signals: list[Signal] = []
        for bar in batch.bars:
            await self._bus.publish(BarClosed(occurred_at=batch.closed_at, bar=bar))
            signals.extend(self._strategies.on_bar(bar, batch.closed_at))
        for signal in signals:
            await self._bus.publish(SignalRaised(occurred_at=batch.closed_at, signal=signal))
        return signals

    async def _decide(self, batch: BarBatch, signals: list[Signal]) -> list[Decision]:
        decisions = list(await self._decider.decide(batch, signals, self._mode))
        bus, router = self._bus, self._router
        for decision in decisions:
            if bus.subscriber_count(DecisionMade):  # no event built for no one
                made = DecisionMade(
                    occurred_at=decision.decided_at, account=self._account, decision=decision
                )
                await bus.publish(made)
            if decision.action is not Action.HOLD:  # the router does nothing on a hold
                await router.execute(decision)
        self._summary.signals += len(signals)
        self._summary.decisions += len(decisions)
        return decisions

    async def _record(self, batch: BarBatch, decisions: list[Decision]) -> None:
        summary = self._summary
        summary.steps += 1
        summary.bars += len(batch.bars)
        summary.first_close = summary.first_close or batch.closed_at
        summary.last_close = batch.closed_at
        summary.fills.extend(self._step.fills)
        if self._ledger is None:
            return
        record = StepRecord(
            account=self._account,
            mode=self._mode,
            closed_at=batch.closed_at,
            fills=tuple(self._step.fills),
            marks={bar.symbol: decimal_from_float(bar.close) for bar in batch.bars},
            decisions=tuple(decisions),
            orders=tuple(self._step.orders.values()),
        )
        await self._ledger.record_step(record)
