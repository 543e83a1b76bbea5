"""EmergencyStopHandler over the fake broker (no ``cancel_all``: the router cancels each
working order): cancels, liquidation through the HALTED gate, handled once, also after a
restart on the same journal; other halts and ACTIVE do nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trademind.core.bus import EventBus
from trademind.core.clock import TestClock
from trademind.core.decisions import Action, Decision
from trademind.core.events import BarClosed, OrderStatusChanged
from trademind.core.market import Bar, TradingMode
from trademind.core.order_status import OrderStatus
from trademind.core.trading_state import TradingState
from trademind.execution.entry_orders import SizingRequest
from trademind.execution.gate import LIQUIDATION_DECISION
from trademind.execution.router import ExecutionRouter
from trademind.runtime.emergency import HANDLED_STATE, EmergencyStopHandler
from trademind.runtime.state_gate import TradingStateGate
from trademind.safety.state import StateEvent
from trademind.safety.state_store import CurrentState
from trademind.testing.fake_broker import FakeBroker
from trademind.testing.journal import MemoryJournal

DAY0 = datetime(2024, 1, 2, tzinfo=UTC)


class States:
    def __init__(self) -> None:
        self.stored = CurrentState(account_id=1, state=TradingState.ACTIVE)

    def halt(self, event: StateEvent, event_id: int, *, liquidate: bool) -> None:
        self.stored = CurrentState(
            account_id=1, state=TradingState.HALTED, changed_at=DAY0, actor="cli:bob",
            reason="stop", event_id=event_id, event=event, details={"liquidate": liquidate},
        )  # fmt: skip

    def current(self, account_id: int) -> CurrentState:
        return self.stored


class Session:
    def __init__(self, journal: MemoryJournal | None = None) -> None:
        self.clock = TestClock(DAY0)
        self.bus = EventBus(self.clock)
        self.broker = FakeBroker(account_id="acc", publish=self.bus.publish, clock=self.clock)
        self.states = States()
        self.gate = TradingStateGate(self.states, 1, self.clock.monotonic, refresh_seconds=0.0)
        self.router = ExecutionRouter(
            self.broker, sizer=self._ten, publish=self.bus.publish, gate=self.gate
        )
        self.bus.subscribe(OrderStatusChanged, self.router.on_order_status)
        self.bus.subscribe(BarClosed, self.router.on_bar_closed)
        self.journal = journal or MemoryJournal()
        self.handler = EmergencyStopHandler(self.gate, self.router, self.broker, self.journal)

    @staticmethod
    def _ten(request: SizingRequest) -> Decimal:
        return Decimal(10)

    async def bar(self, day: int, symbol: str = "AAPL") -> None:
        bar = Bar(
            symbol=symbol, timeframe="1d", ts=DAY0 + timedelta(days=day), open=100.0,
            high=101.0, low=99.0, close=100.0, volume=1000.0,
        )  # fmt: skip
        await self.broker.open_bars([bar])
        self.clock.set_time(bar.ts + timedelta(days=1))
        await self.broker.close_bars([bar])
        await self.bus.publish(BarClosed(occurred_at=self.clock.now(), bar=bar))

    async def buy(self, day: int, symbol: str = "AAPL") -> None:
        when = DAY0 + timedelta(days=day + 1)
        await self.router.execute(
            Decision(
                decision_id=f"{symbol}{day}", symbol=symbol, action=Action.BUY, confidence=0.7,
                decided_at=when, data_time=when, mode=TradingMode.REPLAY, reasoning="test",
            )
        )  # fmt: skip


async def test_a_stop_cancels_working_orders_and_liquidates_once() -> None:
    session = Session()
    await session.bar(0, "AAPL")
    await session.buy(0, "AAPL")
    await session.bar(1, "AAPL")  # AAPL filled: 10 held
    await session.bar(1, "MSFT")
    await session.buy(1, "MSFT")  # MSFT working
    assert await session.handler.at_step_start() is False  # ACTIVE: nothing to do
    session.states.halt(StateEvent.EMERGENCY_STOP, 5, liquidate=True)

    assert await session.handler.at_step_start() is True

    states = {s.order.symbol: s for s in await session.broker.get_orders()}
    assert states["MSFT"].status is OrderStatus.CANCELLED
    liquidation = [o for o in session.broker.placed if o.decision_id == LIQUIDATION_DECISION]
    assert [(o.symbol, o.quantity) for o in liquidation] == [("AAPL", Decimal(10))]
    assert "-ESTOP5-" in liquidation[0].client_order_id
    assert session.journal.load_state("acc", HANDLED_STATE) == {"event_id": 5}
    placed = len(session.broker.placed)
    assert await session.handler.at_step_start() is False  # handled once
    restarted = EmergencyStopHandler(session.gate, session.router, session.broker, session.journal)
    assert await restarted.at_step_start() is False  # a resume finds it recorded
    assert len(session.broker.placed) == placed


async def test_a_second_stop_is_handled_again_and_a_halt_by_another_event_cancels_nothing() -> None:
    session = Session()
    await session.bar(0)
    await session.buy(0)  # working
    session.states.halt(StateEvent.MANUAL_SET, 3, liquidate=False)
    assert await session.handler.at_step_start() is False
    assert (await session.broker.get_orders())[0].status is OrderStatus.OPEN
    session.states.halt(StateEvent.EMERGENCY_STOP, 4, liquidate=False)
    assert await session.handler.at_step_start() is True
    assert (await session.broker.get_orders())[0].status is OrderStatus.CANCELLED
    assert session.broker.placed[1:] == []  # no liquidation asked
    session.states.halt(StateEvent.EMERGENCY_STOP, 6, liquidate=False)
    assert await session.handler.at_step_start() is True
    assert session.journal.load_state("acc", HANDLED_STATE) == {"event_id": 6}
