"""The event bus: typed delivery, isolation of failing handlers, timing logs, scheduling."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from trademind.core.bus import EventBus
from trademind.core.clock import TestClock
from trademind.core.events import (
    ConfigReloaded,
    EmergencyStopRequested,
    Event,
    SystemStarted,
    SystemStopping,
)

WHEN = datetime(2024, 3, 1, 15, 0, tzinfo=UTC)
BUS_LOGGER = "trademind.core.bus"


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecialReload(ConfigReloaded):
    """A subclass, to check that base-class subscribers receive it."""


def reloaded(*keys: str) -> ConfigReloaded:
    return ConfigReloaded(occurred_at=WHEN, changed_keys=keys)


async def test_handler_receives_only_its_event_type() -> None:
    bus = EventBus()
    got: list[Event] = []
    bus.subscribe(ConfigReloaded, got.append)

    await bus.publish(SystemStarted(occurred_at=WHEN))
    event = reloaded("app.log_level")
    result = await bus.publish(event)

    assert got == [event]
    assert result.delivered == 1
    assert result.ok


async def test_base_class_subscription_receives_subclasses_once() -> None:
    bus = EventBus()
    got: list[Event] = []

    def handler(event: Event) -> None:
        got.append(event)

    bus.subscribe(Event, handler)
    bus.subscribe(ConfigReloaded, handler)  # same handler again via a more specific type
    event = SpecialReload(occurred_at=WHEN, changed_keys=())

    result = await bus.publish(event)

    assert got == [event]
    assert result.delivered == 1


async def test_handlers_run_in_subscription_order_across_types() -> None:
    bus = EventBus()
    order: list[str] = []
    bus.subscribe(ConfigReloaded, lambda _e: order.append("specific first"))
    bus.subscribe(Event, lambda _e: order.append("base second"))
    bus.subscribe(SpecialReload, lambda _e: order.append("subclass third"))

    await bus.publish(SpecialReload(occurred_at=WHEN, changed_keys=()))

    assert order == ["specific first", "base second", "subclass third"]


async def test_sync_and_async_handlers_both_run() -> None:
    bus = EventBus()
    seen: list[str] = []

    def sync_handler(event: EmergencyStopRequested) -> None:
        seen.append(f"sync:{event.reason}")

    async def async_handler(event: EmergencyStopRequested) -> None:
        await asyncio.sleep(0)
        seen.append(f"async:{event.reason}")

    bus.subscribe(EmergencyStopRequested, sync_handler)
    bus.subscribe(EmergencyStopRequested, async_handler)
    result = await bus.publish(
        EmergencyStopRequested(occurred_at=WHEN, reason="drawdown", requested_by="test")
    )

    assert seen == ["sync:drawdown", "async:drawdown"]
    assert result.delivered == 2


async def test_failing_handler_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = EventBus()
    after: list[Event] = []

    def broken(event: ConfigReloaded) -> None:
        raise RuntimeError("handler exploded")

    async def broken_async(event: ConfigReloaded) -> None:
        raise KeyError("async exploded")

    bus.subscribe(ConfigReloaded, broken)
    bus.subscribe(ConfigReloaded, broken_async)
    bus.subscribe(ConfigReloaded, after.append)
    event = reloaded("x")

    with caplog.at_level(logging.ERROR, logger=BUS_LOGGER):
        result = await bus.publish(event)

    assert after == [event]
    assert result.delivered == 1
    assert not result.ok
    assert [type(f.error) for f in result.failures] == [RuntimeError, KeyError]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2
    message = errors[0].getMessage()
    assert "broken" in message
    assert "ConfigReloaded" in message
    assert errors[0].exc_info is not None
    assert "handler exploded" in str(errors[0].exc_info[1])


async def test_unsubscribe_stops_delivery() -> None:
    bus = EventBus()
    got: list[Event] = []
    subscription = bus.subscribe(SystemStarted, got.append)
    assert bus.subscriber_count(SystemStarted) == 1

    subscription.unsubscribe()
    subscription.unsubscribe()  # idempotent
    result = await bus.publish(SystemStarted(occurred_at=WHEN))

    assert got == []
    assert result.delivered == 0
    assert not subscription.active
    assert bus.subscriber_count() == 0


async def test_handler_unsubscribed_by_an_earlier_handler_is_skipped() -> None:
    bus = EventBus()
    got: list[str] = []
    subscriptions = []

    def first(_event: SystemStarted) -> None:
        got.append("first")
        subscriptions[0].unsubscribe()

    bus.subscribe(SystemStarted, first)
    subscriptions.append(bus.subscribe(SystemStarted, lambda _e: got.append("later")))

    result = await bus.publish(SystemStarted(occurred_at=WHEN))

    assert got == ["first"]
    assert result.delivered == 1


async def test_handler_duration_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    clock = TestClock()
    bus = EventBus(clock=clock)

    def slow(_event: SystemStopping) -> None:
        clock.advance(1.5)

    bus.subscribe(SystemStopping, slow)
    with caplog.at_level(logging.DEBUG, logger=BUS_LOGGER):
        await bus.publish(SystemStopping(occurred_at=WHEN))

    timings = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(timings) == 1
    assert "slow" in timings[0]
    assert "took 1500.0 ms for SystemStopping" in timings[0]


async def test_custom_logger_is_used(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus(logger=logging.getLogger("tests.custom_bus"))
    bus.subscribe(SystemStarted, lambda _e: None)
    with caplog.at_level(logging.DEBUG, logger="tests.custom_bus"):
        await bus.publish(SystemStarted(occurred_at=WHEN))
    assert [r.name for r in caplog.records] == ["tests.custom_bus"]


async def test_publish_nowait_and_drain() -> None:
    bus = EventBus()
    got: list[str] = []

    async def handler(event: ConfigReloaded) -> None:
        await asyncio.sleep(0)
        got.append(event.changed_keys[0])
        if event.changed_keys[0] == "a":
            bus.publish_nowait(reloaded("chained"))

    bus.subscribe(ConfigReloaded, handler)
    task = bus.publish_nowait(reloaded("a"))
    bus.publish_nowait(reloaded("b"))
    assert bus.pending == 2
    assert got == []

    results = await bus.drain()

    assert sorted(got) == ["a", "b", "chained"]
    assert len(results) == 3
    assert task.done()
    assert task.result().delivered == 1
    assert bus.pending == 0


def test_publish_nowait_outside_a_loop_fails_clearly() -> None:
    bus = EventBus()
    with pytest.raises(RuntimeError):
        bus.publish_nowait(SystemStarted(occurred_at=WHEN))


async def test_publish_threadsafe_from_another_thread() -> None:
    bus = EventBus()
    got: list[tuple[str, int]] = []
    bus.subscribe(SystemStarted, lambda _e: got.append(("handled", threading.get_ident())))
    loop = asyncio.get_running_loop()
    futures = []

    def scheduler_job() -> None:
        futures.append(bus.publish_threadsafe(SystemStarted(occurred_at=WHEN), loop))

    worker = threading.Thread(target=scheduler_job)
    worker.start()
    await asyncio.to_thread(worker.join)
    await bus.drain()

    assert got == [("handled", threading.get_ident())]  # ran on the loop's thread
    assert futures[0].result(timeout=1).delivered == 1


async def test_publish_rejects_non_events() -> None:
    bus = EventBus()
    with pytest.raises(TypeError, match="Event instances"):
        await bus.publish("not an event")  # type: ignore[arg-type]


def test_subscribe_rejects_non_event_types() -> None:
    bus = EventBus()
    with pytest.raises(TypeError, match="Event subclasses"):
        bus.subscribe(dict, lambda _e: None)  # type: ignore[type-var]


async def test_handler_subscribed_during_publish_gets_the_next_event() -> None:
    bus = EventBus()
    got: list[str] = []

    def late(_event: SystemStarted) -> None:
        got.append("late")

    def first(_event: SystemStarted) -> None:
        got.append("first")
        if len(got) == 1:
            bus.subscribe(SystemStarted, late)

    bus.subscribe(SystemStarted, first)
    await bus.publish(SystemStarted(occurred_at=WHEN))
    assert got == ["first"]
    await bus.publish(SystemStarted(occurred_at=WHEN))
    assert got == ["first", "first", "late"]


async def test_cancelling_drain_leaves_publishes_running() -> None:
    bus = EventBus()
    release = asyncio.Event()
    finished: list[str] = []

    async def waits(_event: SystemStarted) -> None:
        await release.wait()
        finished.append("done")

    bus.subscribe(SystemStarted, waits)
    task = bus.publish_nowait(SystemStarted(occurred_at=WHEN))
    drainer = asyncio.create_task(bus.drain())
    await asyncio.sleep(0)
    drainer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await drainer

    assert not task.cancelled()
    assert bus.pending == 1
    release.set()
    results = await bus.drain()
    assert finished == ["done"]
    assert [r.delivered for r in results] == [1]
