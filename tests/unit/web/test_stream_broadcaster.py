"""The SSE fan-out: every event encoded once, waiting messages sent in one chunk, overflow."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trademind.core.events import Event
from trademind.web import stream
from trademind.web.stream import Broadcaster, message_of

WHEN = datetime(2024, 6, 3, 15, 0, tzinfo=UTC)


async def test_waiting_messages_come_in_one_chunk_each_encoded_once() -> None:
    broadcaster = Broadcaster()
    subscription = broadcaster.subscribe()
    assert await anext(subscription) == stream.READY
    events = [Event(occurred_at=WHEN) for _ in range(3)]
    for event in events:
        broadcaster.publish(event)
    chunk = await anext(subscription)
    assert chunk == b"".join(message_of(event).encoded for event in events)
    text = chunk.decode()
    assert [line[4:] for line in text.split("\r\n") if line.startswith("id: ")] == [
        event.event_id for event in events
    ]
    assert text.count("event: Event\r\n") == 3
    await subscription.aclose()
    assert broadcaster.subscribers == 0


async def test_a_subscriber_too_far_behind_gets_its_messages_then_overflow_and_the_end() -> None:
    broadcaster = Broadcaster()
    subscription = broadcaster.subscribe()
    await anext(subscription)
    for _ in range(stream.QUEUE_LIMIT):
        broadcaster.publish(Event(occurred_at=WHEN))
    received = b""
    async for chunk in subscription:
        assert isinstance(chunk, bytes)
        assert chunk.count(b"\r\n\r\n") <= stream.CHUNK_LIMIT
        received += chunk
    assert received.count(b"event: Event\r\n") == stream.QUEUE_LIMIT - 1
    assert received.endswith(b"event: overflow\r\ndata: {}\r\n\r\n")
    assert broadcaster.subscribers == 0


async def test_an_idle_stream_is_pinged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "PING_SECONDS", 0.01)
    broadcaster = Broadcaster()
    subscription = broadcaster.subscribe()
    assert await anext(subscription) == stream.READY
    assert await anext(subscription) == b": ping\r\n\r\n"
    event = Event(occurred_at=WHEN)
    broadcaster.publish(event)
    assert await anext(subscription) == message_of(event).encoded  # after a ping, events
    await subscription.aclose()
