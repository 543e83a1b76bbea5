"""``/holdings``, ``/trades`` and ``/trades/{id}`` (a fill with its decision chain)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from trademind.core.errors import TradeMindError
from trademind.services import orders_service, portfolio_service, trades_service
from trademind.web.deps import ContextDep
from trademind.web.pages.overview import Account, chosen_account, query_of
from trademind.web.pages.templates import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, template: str, page: str, name: str | None, load: Any) -> HTMLResponse:
    try:
        values = load()
    except TradeMindError as exc:
        values = {"message": str(exc)}
    return render(request, template, page=page, account=name, query=query_of(name), **values)


@router.get("/holdings", response_class=HTMLResponse)
def holdings(request: Request, context: ContextDep, account: Account = None) -> HTMLResponse:
    name = chosen_account(context, account)
    database, clock = context.database, context.clock
    return _page(
        request,
        "holdings.html",
        "/holdings",
        name,
        lambda: {
            "holdings": portfolio_service.holdings(database, clock, name),
            "sectors": portfolio_service.sectors(database, clock, name, None),
        },
    )


@router.get("/trades", response_class=HTMLResponse)
def trades(request: Request, context: ContextDep, account: Account = None) -> HTMLResponse:
    name = chosen_account(context, account)
    database, clock = context.database, context.clock
    return _page(
        request,
        "trades.html",
        "/trades",
        name,
        lambda: {
            "trades": trades_service.list_trades(database, clock, name, limit=200, symbol=None),
            "orders": orders_service.list_orders(database, clock, name, open_only=False),
        },
    )


@router.get("/trades/{trade_id}", response_class=HTMLResponse)
def trade(
    request: Request,
    context: ContextDep,
    trade_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    account: Account = None,
) -> HTMLResponse:
    detail = trades_service.show(context.database, context.clock, account, trade_id)
    return render(request, "trade.html", page="/trades", detail=detail)


@router.get("/decisions/{decision_id}", response_class=HTMLResponse)
def decision(
    request: Request,
    context: ContextDep,
    decision_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:=^-]+$")],
    account: Account = None,
) -> HTMLResponse:
    name = chosen_account(context, account)
    found = orders_service.decision(context.database, context.clock, name, decision_id)
    return render(request, "decision.html", page="/trades", d=found, account=name)
