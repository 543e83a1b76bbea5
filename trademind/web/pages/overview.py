"""``/``: the overview (trading state, account figures, equity chart, positions, open
orders), each panel a partial that reloads on the SSE event that changes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from trademind.core.errors import TradeMindError
from trademind.safety.state_store import SafetyStateStore
from trademind.services import orders_service, portfolio_service
from trademind.services.safety_service import resolve_account
from trademind.web.context import WebContext
from trademind.web.deps import ContextDep
from trademind.web.pages.templates import render

router = APIRouter(include_in_schema=False)

Account = Annotated[str | None, Query(max_length=64)]


def chosen_account(context: WebContext, account: str | None) -> str | None:
    """The account asked for, else the server's trading account, else the last used one."""
    if account:
        return account
    loop = context.loop_status()
    return loop.account if loop is not None else None


def query_of(account: str | None) -> str:
    return f"?{urlencode({'account': account})}" if account else ""


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, context: ContextDep, account: Account = None) -> HTMLResponse:
    name = chosen_account(context, account)
    benchmark = context.settings().safety.benchmark_symbol
    return render(
        request, "overview.html", page="/", account=name, query=query_of(name), benchmark=benchmark
    )


def _panel(request: Request, template: str, key: str, load: Callable[[], Any]) -> HTMLResponse:
    """A partial with ``load()``'s result, or the one-line reason it has none."""
    values: dict[str, Any]
    try:
        values = {key: load()}
    except TradeMindError as exc:
        values = {key: None, "message": str(exc)}
    return render(request, template, **values)


@router.get("/partials/summary", response_class=HTMLResponse)
def summary(request: Request, context: ContextDep, account: Account = None) -> HTMLResponse:
    name = chosen_account(context, account)
    return _panel(
        request,
        "partials/summary.html",
        "summary",
        lambda: portfolio_service.summary(context.database, context.clock, name),
    )


@router.get("/partials/positions", response_class=HTMLResponse)
def positions(request: Request, context: ContextDep, account: Account = None) -> HTMLResponse:
    name = chosen_account(context, account)
    return _panel(
        request,
        "partials/positions.html",
        "holdings",
        lambda: portfolio_service.holdings(context.database, context.clock, name),
    )


@router.get("/partials/orders", response_class=HTMLResponse)
def orders(request: Request, context: ContextDep, account: Account = None) -> HTMLResponse:
    name = chosen_account(context, account)
    return _panel(
        request,
        "partials/orders.html",
        "orders",
        lambda: orders_service.list_orders(context.database, context.clock, name, open_only=True),
    )


@router.get("/partials/state", response_class=HTMLResponse)
def state(request: Request, context: ContextDep, account: Account = None) -> HTMLResponse:
    name = chosen_account(context, account)

    def current() -> Any:
        info = resolve_account(context.database, context.clock, name)
        return SafetyStateStore(context.database, context.clock).current(info.id)

    return _panel(request, "partials/state.html", "state", current)
