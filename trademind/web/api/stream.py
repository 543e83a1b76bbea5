"""``GET /api/v1/stream``: every bus event as Server-Sent Events (:mod:`trademind.web.stream`)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from sse_starlette.sse import EventSourceResponse

from trademind.web.api.models import ErrorAnswer
from trademind.web.stream import Broadcaster

router = APIRouter(tags=["stream"])


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={503: {"model": ErrorAnswer, "description": "The server runs no event bus"}},
)
async def stream(request: Request) -> EventSourceResponse:
    """One ``ready`` event, then every event of the bus: ``event`` is its type (BarClosed,
    OrderFilled, AccountUpdated, DecisionMade, ...), ``data`` the JSON
    ``{"type", "event_id", "occurred_at", "data"}``; ``overflow`` ends a stream that fell
    10,000 events behind. 503 when the server runs no bus."""
    broadcaster: Broadcaster | None = getattr(request.app.state, "broadcaster", None)
    if broadcaster is None:
        raise HTTPException(503, "this server publishes no events (no trading loop)")
    return EventSourceResponse(broadcaster.subscribe(), ping=15)
