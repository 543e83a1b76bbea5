"""The messages the server's trading process sends the web process, one JSON object a line over
the socket pair :class:`~trademind.web.trading.ServerTrading` opens (docs/dashboard.md, "The
trading process"):

* ``{"kind": "event", "event": TYPE, "id": EVENT_ID, "data": JSON}``: an event of the
  session's bus, ``data`` the text ``/api/v1/stream`` sends (:func:`~trademind.web.stream.
  message_of`), encoded once, in the trading process;
* ``{"kind": "step", "closed_at": ISO, "step": N}``: a bar close the session has handled;
* ``{"kind": "breakers", "items": [...]}``: the session's LLM circuit breakers, sent when they
  change (:class:`~trademind.agents.llm.breaker.BreakerSnapshot` fields);
* ``{"kind": "ended", "error": null | TEXT}``: the session ended, or failed with that one-line
  error.

The web process sends nothing: the trading process stops when the socket reaches its end (the
web process is gone) or on SIGTERM.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Final

from trademind.agents.llm.breaker import BreakerSnapshot
from trademind.core.errors import ServerError
from trademind.web.stream import StreamMessage

LINE_LIMIT: Final = 16 * 1024 * 1024
"""The longest line the web process reads (an event's JSON is a few kB)."""


@dataclass(frozen=True, slots=True)
class StepMessage:
    closed_at: datetime
    step: int


@dataclass(frozen=True, slots=True)
class BreakersMessage:
    items: tuple[BreakerSnapshot, ...]


@dataclass(frozen=True, slots=True)
class EndedMessage:
    error: str | None


ChannelMessage = StreamMessage | StepMessage | BreakersMessage | EndedMessage


def encode_stream(message: StreamMessage) -> bytes:
    line = {"kind": "event", "event": message.event, "id": message.id, "data": message.data}
    return _line(line)


def encode_step(closed_at: datetime, step: int) -> bytes:
    return _line({"kind": "step", "closed_at": closed_at.isoformat(), "step": step})


def encode_breakers(items: list[BreakerSnapshot]) -> bytes:
    return _line({"kind": "breakers", "items": [asdict(item) for item in items]})


def encode_ended(error: str | None) -> bytes:
    return _line({"kind": "ended", "error": error})


def _line(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> ChannelMessage:
    """One line of the channel; a line that is not one of the messages is a ServerError (the
    trading process is ours: such a line is a bug, not input to tolerate)."""
    try:
        payload = json.loads(line)
        kind = payload["kind"]
        if kind == "event":
            return StreamMessage(str(payload["event"]), str(payload["data"]), str(payload["id"]))
        if kind == "step":
            return StepMessage(datetime.fromisoformat(payload["closed_at"]), int(payload["step"]))
        if kind == "breakers":
            return BreakersMessage(tuple(BreakerSnapshot(**item) for item in payload["items"]))
        if kind == "ended":
            error = payload["error"]
            return EndedMessage(None if error is None else str(error))
    except (ValueError, KeyError, TypeError) as exc:
        raise ServerError(f"the trading process sent a malformed message: {exc}") from None
    raise ServerError(f"the trading process sent an unknown message kind {kind!r}")
