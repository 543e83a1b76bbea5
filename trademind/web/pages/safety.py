"""``/safety``: the trading state, heat, circuit breakers and their history, the pre-trade
rules, and the emergency stop (with a confirmation box) and reset, through the same services as
`trademind safety`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from trademind.core.errors import TradeMindError
from trademind.services import safety_limits, safety_risk, safety_service, safety_var
from trademind.web.deps import ContextDep
from trademind.web.pages.overview import Account, chosen_account, query_of
from trademind.web.pages.templates import render

router = APIRouter(include_in_schema=False)

Reason = Annotated[str, Form(min_length=1, max_length=500)]
Confirm = Annotated[str, Form(pattern="^yes$")]


def _risk(context: ContextDep, name: str | None) -> dict[str, Any]:
    safety = context.settings().safety
    values: dict[str, Any] = {}
    for key, load in (
        ("heat", safety_risk.portfolio_heat),
        ("breakers", safety_risk.circuit_breakers),
        ("var", safety_var.portfolio_var),
    ):
        try:
            values[key] = load(context.database, context.clock, name, safety)
        except TradeMindError:
            values[key] = None
    return values


def _page(request: Request, context: ContextDep, name: str | None, **values: Any) -> HTMLResponse:
    limits = safety_limits.limits(context.settings().safety)
    return render(
        request,
        "safety.html",
        page="/safety",
        account=name,
        query=query_of(name),
        limits=limits,
        **_risk(context, name),
        **values,
    )


@router.get("/safety", response_class=HTMLResponse)
def safety(request: Request, context: ContextDep, account: Account = None) -> HTMLResponse:
    return _page(request, context, chosen_account(context, account))


@router.post("/safety/emergency-stop", response_class=HTMLResponse)
def emergency_stop(
    request: Request,
    context: ContextDep,
    *,
    reason: Reason,
    confirm: Confirm,
    liquidate: Annotated[bool, Form()] = False,
    account: Account = None,
) -> HTMLResponse:
    del confirm  # required: the form cannot be sent without ticking it
    name = chosen_account(context, account)
    try:
        result = safety_service.emergency_stop(
            context.database,
            context.clock,
            name,
            reason=reason,
            liquidate=liquidate,
            actor="dashboard",
        )
    except TradeMindError as exc:
        return _page(request, context, name, error=str(exc))
    done = f"{result.account.name}: {result.change.from_state} -> {result.change.to_state}"
    return _page(request, context, name, done=done)


@router.post("/safety/reset", response_class=HTMLResponse)
def reset(
    request: Request, context: ContextDep, reason: Reason, confirm: Confirm, account: Account = None
) -> HTMLResponse:
    del confirm
    name = chosen_account(context, account)
    try:
        result = safety_service.reset(
            context.database, context.clock, name, reason=reason, actor="dashboard"
        )
    except TradeMindError as exc:
        return _page(request, context, name, error=str(exc))
    done = f"{result.account.name}: {result.change.from_state} -> {result.change.to_state}"
    return _page(request, context, name, done=done)
