"""ExecutionRouter over the fake broker: the policy applied, ids deterministic, states tracked."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from trademind.core.bus import EventBus
from trademind.core.clock import TestClock
from trademind.core.decisions import Action, Decision, Signal
from trademind.core.errors import BrokerError
from trademind.core.events import BarClosed, OrderStatusChanged, OrderTransitionRefused
from trademind.core.market import Bar, TradingMode
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Order, OrderSide, OrderType
from trademind.execution.entry_orders import EntryOrders, SizingRequest
from trademind.execution.gate import GateView
from trademind.execution.order_ids import client_order_id
from trademind.execution.policy import OrderIntent
from trademind.execution.router import ExecutionRouter
from trademind.testing.fake_broker import FakeBroker

DAY0 = datetime(2024, 1, 2, tzinfo=UTC)


def _bar(day: int, price: float) -> Bar:
    return Bar(
        symbol="AAPL",
        timeframe="1d",
        ts=DAY0 + timedelta(days=day),
        open=price,
        high=price + 1,
        low=price - 1,
        close=price,
        volume=1000.0,
    )


def _decision(action: Action, day: int) -> Decision:
    when = DAY0 + timedelta(days=day + 1)
    return Decision(
        decision_id=f"d{day}",
        symbol="AAPL",
        action=action,
        confidence=0.7,
        decided_at=when,
        data_time=when,
        mode=TradingMode.REPLAY,
        reasoning="test",
    )


def _ten_shares(request: SizingRequest) -> Decimal:
    assert request.account.account_id == "acc"
    return Decimal(10)


@pytest.fixture
def parts() -> tuple[EventBus, FakeBroker, ExecutionRouter, TestClock]:
    clock = TestClock(DAY0)
    bus = EventBus(clock)
    broker = FakeBroker(account_id="acc", publish=bus.publish, clock=clock)
    router = ExecutionRouter(broker, sizer=_ten_shares)
    bus.subscribe(OrderStatusChanged, router.on_order_status)
    bus.subscribe(BarClosed, router.on_bar_closed)
    return bus, broker, router, clock


async def _close(bus: EventBus, broker: FakeBroker, clock: TestClock, bar: Bar) -> None:
    clock.set_time(bar.ts + timedelta(days=1))
    await broker.close_bars([bar])
    await bus.publish(BarClosed(occurred_at=clock.now(), bar=bar))


async def test_an_entry_then_an_exit_of_the_whole_position(
    parts: tuple[EventBus, FakeBroker, ExecutionRouter, TestClock],
) -> None:
    bus, broker, router, clock = parts
    await _close(bus, broker, clock, _bar(0, 100.0))
    entry = await router.execute(_decision(Action.BUY, 0))
    assert entry.intent.kind is OrderIntent.PLACE_ENTRY
    assert entry.placed is not None
    assert entry.placed.order.quantity == Decimal(10)
    assert entry.placed.order.decision_id == "d0"
    assert entry.placed.client_order_id == client_order_id(
        "acc", "AAPL", DAY0 + timedelta(days=1), 0
    )
    again = await router.execute(_decision(Action.BUY, 0))
    assert again.intent.kind is OrderIntent.NOTHING  # an entry works already
    await broker.open_bars([_bar(1, 101.0)])
    state = router.book.get(entry.placed.client_order_id)
    assert state is not None
    assert state.status is OrderStatus.FILLED
    await _close(bus, broker, clock, _bar(1, 101.0))
    exit_ = await router.execute(_decision(Action.SELL, 1))
    assert exit_.placed is not None
    assert exit_.placed.order.side is OrderSide.SELL
    assert exit_.placed.order.quantity == Decimal(10)
    await broker.open_bars([_bar(2, 103.0)])
    assert [fill.price for fill in broker.fills] == [Decimal("101.0"), Decimal("103.0")]
    status = await router.get_portfolio_status()
    assert status.positions == ()
    assert status.working_orders == ()
    assert status.account.cash == Decimal(100_000) + Decimal(20)


async def test_an_exit_when_flat_cancels_the_working_entry(
    parts: tuple[EventBus, FakeBroker, ExecutionRouter, TestClock],
) -> None:
    bus, broker, router, clock = parts
    await _close(bus, broker, clock, _bar(0, 100.0))
    entry = await router.execute(_decision(Action.BUY, 0))
    assert entry.placed is not None
    outcome = await router.execute(_decision(Action.SELL, 0))
    assert outcome.intent.kind is OrderIntent.CANCEL_ENTRY
    assert outcome.cancelled is not None
    assert outcome.cancelled.status is OrderStatus.CANCELLED
    await broker.open_bars([_bar(1, 101.0)])
    assert broker.fills == []


async def test_a_hold_places_and_cancels_nothing_whatever_works(
    parts: tuple[EventBus, FakeBroker, ExecutionRouter, TestClock],
) -> None:
    bus, broker, router, clock = parts
    await _close(bus, broker, clock, _bar(0, 100.0))
    entry = await router.execute(_decision(Action.BUY, 0))
    assert entry.placed is not None
    outcome = await router.execute(_decision(Action.HOLD, 0))
    assert outcome.intent.kind is OrderIntent.NOTHING
    assert (outcome.placed, outcome.cancelled) == (None, None)
    assert [order.client_order_id for order in broker.placed] == [
        entry.placed.order.client_order_id
    ]
    await broker.open_bars([_bar(1, 101.0)])
    assert len(broker.fills) == 1  # the entry still worked and filled


async def test_a_resumed_router_rederives_the_same_id_and_places_nothing_twice(
    parts: tuple[EventBus, FakeBroker, ExecutionRouter, TestClock],
) -> None:
    bus, broker, router, clock = parts
    await _close(bus, broker, clock, _bar(0, 100.0))
    first = await router.execute(_decision(Action.BUY, 0))
    resumed = ExecutionRouter(broker, sizer=_ten_shares)
    resumed.on_bar_closed(BarClosed(occurred_at=clock.now(), bar=_bar(0, 100.0)))
    fresh = await resumed.execute(_decision(Action.BUY, 0))  # before sync: places again ...
    assert fresh.placed is not None
    assert first.placed is not None
    assert fresh.placed.client_order_id == first.placed.client_order_id
    assert len(broker.placed) == 1  # ... but the broker knows the id: one order
    synced = ExecutionRouter(broker, sizer=_ten_shares)
    await synced.sync()
    assert (await synced.execute(_decision(Action.BUY, 0))).intent.kind is OrderIntent.NOTHING


async def test_a_vetoed_decision_does_nothing(
    parts: tuple[EventBus, FakeBroker, ExecutionRouter, TestClock],
) -> None:
    bus, broker, router, clock = parts
    await _close(bus, broker, clock, _bar(0, 100.0))
    vetoed = dataclasses.replace(_decision(Action.BUY, 0), vetoed=True, veto_reason="halted")
    outcome = await router.execute(vetoed)
    assert outcome.placed is None
    assert "halted" in outcome.intent.why
    assert broker.placed == []


async def test_an_entry_without_a_close_is_an_error(
    parts: tuple[EventBus, FakeBroker, ExecutionRouter, TestClock],
) -> None:
    _, _, router, _ = parts
    with pytest.raises(BrokerError, match="no close seen for AAPL"):
        await router.execute(_decision(Action.BUY, 0))


async def test_a_zero_size_places_nothing(
    parts: tuple[EventBus, FakeBroker, ExecutionRouter, TestClock],
) -> None:
    bus, broker, _, clock = parts
    router = ExecutionRouter(broker, sizer=lambda request: Decimal(0))
    bus.subscribe(BarClosed, router.on_bar_closed)
    await _close(bus, broker, clock, _bar(0, 100.0))
    outcome = await router.execute(_decision(Action.BUY, 0))
    assert outcome.intent.kind is OrderIntent.PLACE_ENTRY
    assert outcome.placed is None


async def test_a_limit_entry_is_priced_from_the_close(
    parts: tuple[EventBus, FakeBroker, ExecutionRouter, TestClock],
) -> None:
    bus, broker, _, clock = parts
    router = ExecutionRouter(
        broker,
        sizer=_ten_shares,
        entry_orders=EntryOrders(order_type=OrderType.LIMIT, limit_offset=0.01),
    )
    bus.subscribe(BarClosed, router.on_bar_closed)
    await _close(bus, broker, clock, _bar(0, 100.0))
    with pytest.raises(BrokerError, match="limit is not supported"):  # the fake takes market only
        await router.execute(_decision(Action.BUY, 0))


async def test_execute_signal_makes_a_decision_of_the_signal(
    parts: tuple[EventBus, FakeBroker, ExecutionRouter, TestClock],
) -> None:
    bus, broker, router, clock = parts
    await _close(bus, broker, clock, _bar(0, 100.0))
    signal = Signal(
        strategy="rsi_mean_reversion",
        symbol="AAPL",
        ts=clock.now(),
        action=Action.BUY,
        confidence=0.6,
        reason="RSI(14) 25.0 below 30",
    )
    outcome = await router.execute_signal(signal, TradingMode.REPLAY)
    assert outcome.decision.reasoning == "RSI(14) 25.0 below 30"
    assert outcome.decision.strategy == "rsi_mean_reversion"
    assert outcome.placed is not None
    assert outcome.placed.order.decision_id == outcome.decision.decision_id


def test_entry_orders_price_limit_and_stop_entries_like_the_kernel() -> None:
    decision = _decision(Action.BUY, 0)
    limit = EntryOrders(order_type=OrderType.LIMIT, limit_offset=0.01).build(
        "o1", decision, Decimal(3), 100.0
    )
    assert limit.limit_price == Decimal("99.0")
    assert limit.stop_price is None
    stop = EntryOrders(order_type=OrderType.STOP, stop_offset=0.02).build(
        "o2", decision, Decimal(3), 100.0
    )
    assert stop.stop_price == Decimal("102.0")
    assert stop.limit_price is None
    market = EntryOrders().build("o3", decision, Decimal(3), 100.0)
    assert market.order_type is OrderType.MARKET
    assert market.limit_price is None


async def test_an_illegal_report_is_refused_kept_and_published() -> None:
    clock = TestClock(DAY0)
    bus = EventBus(clock)
    broker = FakeBroker(account_id="acc", publish=bus.publish, clock=clock)
    router = ExecutionRouter(broker, sizer=_ten_shares, publish=bus.publish)
    bus.subscribe(OrderStatusChanged, router.on_order_status)
    bus.subscribe(BarClosed, router.on_bar_closed)
    refused: list[OrderTransitionRefused] = []
    bus.subscribe(OrderTransitionRefused, refused.append)
    await _close(bus, broker, clock, _bar(0, 100.0))
    placed = (await router.execute(_decision(Action.BUY, 0))).placed
    assert placed is not None
    await broker.open_bars([_bar(1, 101.0)])
    filled = router.book.get(placed.client_order_id)
    assert filled is not None
    assert filled.status is OrderStatus.FILLED
    stale = dataclasses.replace(placed, updated_at=clock.now())  # OPEN again, after FILLED
    await bus.publish(OrderStatusChanged(occurred_at=clock.now(), account="acc", state=stale))
    assert router.book.get(placed.client_order_id) is filled
    assert [(event.current, event.reported) for event in refused] == [
        (OrderStatus.FILLED, OrderStatus.OPEN)
    ]
    other = OrderStatusChanged(occurred_at=clock.now(), account="someone-else", state=stale)
    await bus.publish(other)  # another account's report is not ours to track
    assert len(refused) == 1


class _RefuseBuys:
    """A gate refusing every buy."""

    def refusal(self, order: Order, view: GateView) -> str | None:
        return "trading state HALTED: no buys" if order.side is OrderSide.BUY else None


async def test_an_order_the_gate_refuses_is_recorded_rejected_and_never_placed() -> None:
    clock = TestClock(DAY0)
    bus = EventBus(clock)
    broker = FakeBroker(account_id="acc", publish=bus.publish, clock=clock)
    router = ExecutionRouter(broker, sizer=_ten_shares, publish=bus.publish, gate=_RefuseBuys())
    bus.subscribe(OrderStatusChanged, router.on_order_status)
    bus.subscribe(BarClosed, router.on_bar_closed)
    seen: list[OrderStatusChanged] = []
    bus.subscribe(OrderStatusChanged, seen.append)
    await _close(bus, broker, clock, _bar(0, 100.0))

    outcome = await router.execute(_decision(Action.BUY, 0))

    assert broker.placed == []
    assert outcome.placed is not None
    assert outcome.placed.status is OrderStatus.REJECTED
    assert outcome.placed.reason == "trading state HALTED: no buys"
    assert [event.state.status for event in seen] == [OrderStatus.REJECTED]
    assert router.book.get(outcome.placed.client_order_id) == outcome.placed


async def test_the_sizer_sees_the_positions_the_broker_reports(
    parts: tuple[EventBus, FakeBroker, ExecutionRouter, TestClock],
) -> None:
    bus, broker, _, clock = parts
    seen: list[tuple[str, tuple[str, ...]]] = []

    def recording(request: SizingRequest) -> Decimal:
        held = tuple(f"{p.symbol}:{p.quantity}" for p in request.positions)
        seen.append((request.decision.symbol, held))
        return Decimal(10)

    router = ExecutionRouter(broker, sizer=recording)
    bus.subscribe(OrderStatusChanged, router.on_order_status)
    bus.subscribe(BarClosed, router.on_bar_closed)
    await _close(bus, broker, clock, _bar(0, 100.0))
    await router.execute(_decision(Action.BUY, 0))
    await broker.open_bars([_bar(1, 101.0)])
    msft = dataclasses.replace(_bar(1, 50.0), symbol="MSFT")
    await _close(bus, broker, clock, msft)
    decision = dataclasses.replace(_decision(Action.BUY, 1), decision_id="m1", symbol="MSFT")
    await router.execute(decision)
    assert seen == [("AAPL", ()), ("MSFT", ("AAPL:10",))]
