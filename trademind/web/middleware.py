"""The ASGI layer every request passes before the app (pure ASGI, so the SSE stream is not
buffered): the security headers on every answer (unless the route set that header itself,
as the backtest report does with its sandboxed policy), the CSRF cookie for browsers that have none,
and the body size limit (:data:`MAX_BODY_BYTES`; larger: 413 before the app reads it)."""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trademind.web.security import CSRF_COOKIE, SECURITY_HEADERS, new_token

MAX_BODY_BYTES: Final = 1_000_000
CSRF_STATE_KEY: Final = "csrf_token"


class BodyTooLargeError(Exception):
    """A body grew past the limit while it was being read."""


class EdgeMiddleware:
    """Headers, CSRF cookie and body limit (module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if _declared_length(headers) > MAX_BODY_BYTES:
            await _too_large(send)
            return
        csrf, fresh = _csrf_of(headers)
        scope.setdefault("state", {})[CSRF_STATE_KEY] = csrf

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (k.lower().encode(), v.encode())
                    for k, v in SECURITY_HEADERS.items()
                    if k.lower().encode() not in present  # a route's own policy (a report's)
                ]
                if fresh:
                    extra.append((b"set-cookie", _csrf_cookie(csrf).encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, _limited(receive), send_with_headers)
        except BodyTooLargeError:
            await _too_large(send)


def _declared_length(headers: dict[bytes, bytes]) -> int:
    raw = headers.get(b"content-length", b"0")
    return int(raw) if raw.isdigit() else 0


def _limited(receive: Receive) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:
                raise BodyTooLargeError
        return message

    return wrapped


def _csrf_of(headers: dict[bytes, bytes]) -> tuple[str, bool]:
    """The browser's CSRF token, or a new one (True: set the cookie)."""
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get(b"cookie", b"").decode("latin-1"))
    except Exception:
        return new_token(), True
    morsel = cookie.get(CSRF_COOKIE)
    if morsel is not None and 20 <= len(morsel.value) <= 100:
        return morsel.value, False
    return new_token(), True


def _csrf_cookie(token: str) -> str:
    return f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"


async def _too_large(send: Send) -> None:
    body = json.dumps({"detail": f"request body larger than {MAX_BODY_BYTES} bytes"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers.extend((k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items())
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
