"""The SSE stream's messages (docs/api.md, "The event stream"): ``ready`` first, then every bus
event as ``{"type", "event_id", "occurred_at", "data"}`` in order; a subscriber that falls
QUEUE_LIMIT events behind gets ``overflow`` and its stream ends; 503 without a bus."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

from support.web_app import make_context, web_client

from trademind.core.bus import EventBus
from trademind.core.clock import TestClock
from trademind.core.events import ConfigReloaded, EmergencyStopRequested
from trademind.db.session import Database
from trademind.web.stream import OVERFLOW, QUEUE_LIMIT, READY, Broadcaster

AT = datetime(2024, 1, 2, 21, tzinfo=UTC)


async def _messages(stream: AsyncIterator[bytes], count: int) -> list[dict[str, str]]:
    """The next ``count`` SSE messages of ``stream`` (after ``ready``, the broadcaster sends
    the waiting messages' bytes in chunks), each as ``{"id", "event", "data"}``."""
    found: list[dict[str, str]] = []
    async for chunk in stream:
        for block in chunk.decode().split("\r\n\r\n"):
            if block:
                fields = dict(line.split(": ", 1) for line in block.split("\r\n"))
                found.append(fields)
        if len(found) >= count:
            return found
    return found


async def test_ready_then_every_event_in_order() -> None:
    bus = EventBus(clock=TestClock(AT))
    broadcaster = Broadcaster()
    broadcaster.attach(bus)
    messages = broadcaster.subscribe()
    assert await anext(messages) == READY
    assert broadcaster.subscribers == 1
    stop = EmergencyStopRequested(occurred_at=AT, reason="runaway", requested_by="api")
    reload = ConfigReloaded(occurred_at=AT, changed_keys=("safety.max_positions",))
    await bus.publish(stop)
    await bus.publish(reload)
    first, second = await _messages(messages, 2)
    assert (first["event"], first["id"]) == ("EmergencyStopRequested", stop.event_id)
    assert json.loads(first["data"]) == {
        "type": "EmergencyStopRequested",
        "event_id": stop.event_id,
        "occurred_at": "2024-01-02T21:00:00+00:00",
        "data": {
            "occurred_at": "2024-01-02T21:00:00+00:00",
            "event_id": stop.event_id,
            "reason": "runaway",
            "requested_by": "api",
        },
    }
    assert json.loads(second["data"])["data"]["changed_keys"] == ["safety.max_positions"]
    await messages.aclose()
    assert broadcaster.subscribers == 0


async def test_a_subscriber_that_falls_behind_gets_overflow_and_ends() -> None:
    broadcaster = Broadcaster()
    messages = broadcaster.subscribe()
    await anext(messages)  # ready
    event = ConfigReloaded(occurred_at=AT, changed_keys=("a.b",))
    for number in range(QUEUE_LIMIT + 5):
        broadcaster.publish(replace(event, event_id=f"e{number}"))
    received = await _messages(messages, QUEUE_LIMIT + 10)
    assert len(received) == QUEUE_LIMIT
    assert [m["id"] for m in received[:2]] == ["e0", "e1"]
    assert received[-1]["event"] == OVERFLOW
    assert received[-1]["data"] == "{}"
    assert broadcaster.subscribers == 0  # it receives nothing more


async def test_no_bus_no_stream(database: Database) -> None:
    context = make_context(database)
    context.bus = None
    async with web_client(context) as client:
        answer = await client.get("/api/v1/stream")
    assert answer.status_code == 503
    assert "no events" in answer.json()["detail"]
