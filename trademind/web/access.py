"""The access check every route runs (:func:`enforce_access`, an app-wide dependency): the
token rules and the CSRF rule of :mod:`trademind.web.security`."""

from __future__ import annotations

from typing import Final

from fastapi import Request

from trademind.web.context import WebContext
from trademind.web.deps import web_context
from trademind.web.middleware import CSRF_STATE_KEY
from trademind.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    UNSAFE_METHODS,
    bearer_token,
    same_secret,
)

PUBLIC_PATHS: Final = frozenset({"/login"})
FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")


class AccessDeniedError(Exception):
    """The request may not go on: ``status`` 401 (who are you?) or 403 (not like this)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def caller_denial(
    context: WebContext, authorization: str | None, session_cookie: str | None
) -> AccessDeniedError | None:
    """Why the caller may not go on (a 401), or None: a valid Bearer token passes; a wrong or
    malformed one never does; without one, a valid session passes, and so does anyone while
    no token is configured (loopback). Shared by :class:`TokenGate` (before the body is read)
    and :func:`enforce_access`."""
    token = bearer_token(authorization)
    if token is not None:
        return None if context.policy.bearer_ok(token) else AccessDeniedError(401, "invalid token")
    if authorization:
        return AccessDeniedError(401, "use Authorization: Bearer <token>")
    if context.policy.login_required and not context.sessions.valid(session_cookie):
        return AccessDeniedError(401, "authentication required")
    return None


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith("/static/")


async def enforce_access(request: Request) -> None:
    """Raise :class:`AccessDeniedError` unless the request may go on."""
    if is_public(request.url.path):
        if request.method in UNSAFE_METHODS:
            await _check_csrf(request)
        return
    authorization = request.headers.get("authorization")
    denial = caller_denial(web_context(request), authorization, request.cookies.get(SESSION_COOKIE))
    if denial is not None:
        raise denial
    if bearer_token(authorization) is None and request.method in UNSAFE_METHODS:
        await _check_csrf(request)


async def _check_csrf(request: Request) -> None:
    expected = request.cookies.get(CSRF_COOKIE)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        field = (await request.form()).get(CSRF_FIELD)
        given = field if isinstance(field, str) else None
    if not same_secret(given, expected):
        raise AccessDeniedError(403, "CSRF token missing or invalid")


def csrf_token(request: Request) -> str:
    """The token the page hands back (the cookie's, or the one set with this answer)."""
    token: str = request.scope["state"][CSRF_STATE_KEY]
    return token
