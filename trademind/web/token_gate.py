"""The token check before anything reads the request (pure ASGI): with ``web.auth_token`` set,
a request that is not public and carries neither a valid Bearer token nor a valid session is
answered 401 (a page: a redirect to ``/login``) before the app parses its body. Without it a
body that is not JSON was answered 400/422 ahead of the 401 (no handler ran either way). The
rule itself is :func:`trademind.web.access.caller_denial`, which the app-wide dependency
applies again."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from trademind.web.access import caller_denial, is_public
from trademind.web.context import WebContext
from trademind.web.errors import access_denied_response
from trademind.web.security import SESSION_COOKIE


class TokenGate:
    """See the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        context = _context(scope)
        if scope["type"] != "http" or context is None or not context.policy.login_required:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if is_public(request.url.path):
            await self.app(scope, receive, send)
            return
        denial = caller_denial(
            context, request.headers.get("authorization"), request.cookies.get(SESSION_COOKIE)
        )
        if denial is None:
            await self.app(scope, receive, send)
            return
        response = access_denied_response(request, denial)
        await response(scope, receive, send)


def _context(scope: Scope) -> WebContext | None:
    app = scope.get("app")
    state = getattr(app, "state", None)
    context = getattr(state, "context", None)
    return context if isinstance(context, WebContext) else None
