"""The bus, fanned out to the SSE subscribers (``/api/v1/stream``).

:class:`Broadcaster` subscribes once to every event of the bus and puts each, as JSON
(``{"type", "event_id", "occurred_at", "data"}``), on every subscriber's queue. A queue holds
at most :data:`QUEUE_LIMIT` events: a subscriber that falls that far behind gets one
``overflow`` event and its stream ends (it reconnects and reloads), so no subscriber slows the
trading loop and none silently misses events.

Each event is encoded once, as the SSE bytes every subscriber is sent, and a subscriber that
finds several messages waiting gets them in one write (at most :data:`CHUNK_LIMIT`): with a
hundred subscribers the stream's cost per event is one ``send`` per subscriber, not an encoding
and a ``send`` per subscriber and event (benchmarks/api_load.py, docs/api.md, "Load").
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Final

from sse_starlette.event import ServerSentEvent

from trademind.core.bus import EventBus
from trademind.core.events import Event
from trademind.services.json_ready import to_json

QUEUE_LIMIT: Final = 10_000
CHUNK_LIMIT: Final = 256
"""The most waiting messages sent to one subscriber in one write."""
OVERFLOW: Final = "overflow"
PING_SECONDS: Final = 15.0
"""A ping comment after this long without a message keeps an idle connection open."""
READY: Final = b"event: ready\r\ndata: {}\r\n\r\n"
PING: Final = b": ping\r\n\r\n"


@dataclass(frozen=True, slots=True)
class StreamMessage:
    """One SSE message: ``event`` is the event type, ``data`` its JSON text, ``encoded`` the
    bytes on the wire."""

    event: str
    data: str
    id: str
    encoded: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        wire = ServerSentEvent(data=self.data, event=self.event, id=self.id).encode()
        object.__setattr__(self, "encoded", wire)


def message_of(event: Event) -> StreamMessage:
    payload = to_json(event)
    body = {
        "type": event.event_type,
        "event_id": event.event_id,
        "occurred_at": event.occurred_at.isoformat(),
        "data": payload,
    }
    return StreamMessage(event.event_type, json.dumps(body, default=str), event.event_id)


@dataclass
class Broadcaster:
    """Every bus event to every subscriber (module docstring)."""

    queues: set[asyncio.Queue[StreamMessage | None]] = field(default_factory=set)

    def attach(self, bus: EventBus) -> None:
        bus.subscribe(Event, self.publish)

    def publish(self, event: Event) -> None:
        self.publish_message(message_of(event))

    def publish_message(self, message: StreamMessage) -> None:
        """``message`` to every subscriber (the trading process's events arrive encoded)."""
        for queue in list(self.queues):
            if queue.qsize() >= QUEUE_LIMIT - 1:
                self.queues.discard(queue)
                queue.put_nowait(StreamMessage(OVERFLOW, "{}", message.id))
                queue.put_nowait(None)
            else:
                queue.put_nowait(message)

    @property
    def subscribers(self) -> int:
        return len(self.queues)

    async def subscribe(self) -> AsyncIterator[bytes]:
        """The stream's bytes from now on, until overflow or disconnect: the ``ready``
        message, then the waiting messages, one chunk at a time, and a ping comment after
        :data:`PING_SECONDS` without a message."""
        queue: asyncio.Queue[StreamMessage | None] = asyncio.Queue()
        self.queues.add(queue)
        try:
            yield READY
            while True:
                try:
                    async with asyncio.timeout(PING_SECONDS):
                        message = await queue.get()
                except TimeoutError:
                    yield PING
                    continue
                if message is None:
                    return
                chunk = [message.encoded]
                while not queue.empty() and len(chunk) < CHUNK_LIMIT:
                    waiting = queue.get_nowait()
                    if waiting is None:
                        yield b"".join(chunk)
                        return
                    chunk.append(waiting.encoded)
                yield b"".join(chunk)
        finally:
            self.queues.discard(queue)
