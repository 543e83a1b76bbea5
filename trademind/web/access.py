"""The access check every route runs (:func:`enforce_access`, an app-wide dependency): the
token rules and the CSRF rule of :mod:`trademind.web.security`."""

from __future__ import annotations

from typing import Final

from fastapi import Request

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


async def enforce_access(request: Request) -> None:
    """Raise :class:`AccessDeniedError` unless the request may go on."""
    if request.url.path in PUBLIC_PATHS:
        if request.method in UNSAFE_METHODS:
            await _check_csrf(request)
        return
    context = web_context(request)
    token = bearer_token(request.headers.get("authorization"))
    if token is not None:
        if not context.policy.bearer_ok(token):
            raise AccessDeniedError(401, "invalid token")
        return
    if request.headers.get("authorization"):
        raise AccessDeniedError(401, "use Authorization: Bearer <token>")
    signed_in = context.sessions.valid(request.cookies.get(SESSION_COOKIE))
    if context.policy.login_required and not signed_in:
        raise AccessDeniedError(401, "authentication required")
    if request.method in UNSAFE_METHODS:
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
