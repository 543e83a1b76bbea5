"""Errors as answers: a JSON ``{"detail": ...}`` under ``/api`` (and for ``/health``), a short
page elsewhere, a redirect to ``/login`` for a page that needs a session. Never a traceback:
anything unexpected is logged with its traceback and answered 500 ``internal error``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from trademind.core.errors import (
    AccountBusyError,
    ConfigError,
    NotBuiltYetError,
    TradingStateError,
    UsageError,
    ValidationError,
)
from trademind.services.data_report import NoBarsStoredError
from trademind.web.access import AccessDeniedError

logger = logging.getLogger(__name__)


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/health" or "hx-request" in request.headers


def _answer(request: Request, status: int, detail: Any) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status)
    return PlainTextResponse(f"{status}: {detail}", status_code=status)


async def _access_denied(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AccessDeniedError)
    return access_denied_response(request, exc)


def access_denied_response(request: Request, exc: AccessDeniedError) -> Response:
    """401 (with ``WWW-Authenticate: Bearer``) or 403 as JSON or text; a page asked for with
    GET and no session is a redirect to ``/login``."""
    if exc.status == 401 and not wants_json(request) and request.method == "GET":
        return RedirectResponse("/login", status_code=303)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    response = _answer(request, exc.status, exc.detail)
    response.headers.update(headers or {})
    return response


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"where": ".".join(str(part) for part in error.get("loc", ())), "problem": error["msg"]}
        for error in exc.errors()
    ]
    return _answer(request, 422, problems)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return _answer(request, exc.status_code, exc.detail)


async def _domain_error(request: Request, exc: Exception) -> Response:
    status = 400
    if isinstance(exc, TradingStateError | AccountBusyError):
        status = 409
    elif isinstance(exc, NotBuiltYetError):
        status = 501
    elif isinstance(exc, NoBarsStoredError):
        status = 404
    return _answer(request, status, str(exc))


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return _answer(request, 500, "internal error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AccessDeniedError, _access_denied)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for kind in (UsageError, ValidationError, ConfigError, TradingStateError, AccountBusyError):
        app.add_exception_handler(kind, _domain_error)
    app.add_exception_handler(NotBuiltYetError, _domain_error)
    app.add_exception_handler(NoBarsStoredError, _domain_error)
    app.add_exception_handler(Exception, _unexpected)
