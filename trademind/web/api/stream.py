"""``GET /api/v1/stream``: every bus event as Server-Sent Events (:mod:`trademind.web.stream`)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse

from trademind.web.api.models import ErrorAnswer
from trademind.web.stream import Broadcaster

router = APIRouter(tags=["stream"])


class EventStreamResponse(StreamingResponse):
    """``text/event-stream``, never cached nor buffered by a proxy. A plain streaming answer:
    the broadcaster writes the SSE bytes itself (sse-starlette's answer guarded every write
    with a timeout scope, which cost more than the write under 100 subscribers)."""

    media_type = "text/event-stream"


STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


@router.get(
    "/stream",
    response_class=EventStreamResponse,
    responses={503: {"model": ErrorAnswer, "description": "The server runs no event bus"}},
)
async def stream(request: Request) -> EventStreamResponse:
    """One ``ready`` event, then every event of the bus: ``event`` is its type (BarClosed,
    OrderFilled, AccountUpdated, DecisionMade, ...), ``data`` the JSON
    ``{"type", "event_id", "occurred_at", "data"}``; ``overflow`` ends a stream that fell
    10,000 events behind. 503 when the server runs no bus."""
    broadcaster: Broadcaster | None = getattr(request.app.state, "broadcaster", None)
    if broadcaster is None:
        raise HTTPException(503, "this server publishes no events (no trading loop)")
    return EventStreamResponse(broadcaster.subscribe(), headers=STREAM_HEADERS)
