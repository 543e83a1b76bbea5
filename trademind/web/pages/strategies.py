"""``/strategies``: one form per strategy, generated from its parameter declarations; enable,
disable and save go through the same service as `trademind strategies`, so a value is checked
against its declaration and the set as a whole before the configuration file is written, and a
refusal is shown beside the form (nothing written)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from trademind.core.errors import ValidationError
from trademind.services import strategy_service
from trademind.web.context import WebContext
from trademind.web.deps import ContextDep
from trademind.web.pages.templates import render
from trademind.web.security import CSRF_FIELD

router = APIRouter(include_in_schema=False)

Name = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]


@router.get("/strategies", response_class=HTMLResponse)
def strategies(request: Request, context: ContextDep) -> HTMLResponse:
    return render(request, "strategies.html", page="/strategies", strategies=_views(context))


def _views(context: WebContext) -> list[strategy_service.StrategyView]:
    settings = context.config_files.loaded(context.config_path).settings
    return strategy_service.strategy_views(settings)


def _panel(
    request: Request,
    context: ContextDep,
    name: str,
    *,
    error: str | None = None,
    saved: str | None = None,
) -> HTMLResponse:
    context.config_written()  # the caller may just have written the file
    settings = context.config_files.loaded(context.config_path).settings
    view = strategy_service.strategy_view(name, settings)
    if "hx-request" not in request.headers:  # a plain form post: the whole page again
        return render(request, "strategies.html", page="/strategies", strategies=_views(context))
    return render(request, "partials/strategy.html", s=view, error=error, saved=saved)


@router.post("/strategies/{name}/enable", response_class=HTMLResponse)
def enable(request: Request, context: ContextDep, name: Name) -> HTMLResponse:
    strategy_service.set_enabled(name, True, context.config_path, clock=context.clock)
    return _panel(request, context, name, saved="enabled")


@router.post("/strategies/{name}/disable", response_class=HTMLResponse)
def disable(request: Request, context: ContextDep, name: Name) -> HTMLResponse:
    strategy_service.set_enabled(name, False, context.config_path, clock=context.clock)
    return _panel(request, context, name, saved="disabled")


@router.post("/strategies/{name}/params", response_class=HTMLResponse)
async def save(request: Request, context: ContextDep, name: Name) -> HTMLResponse:
    form = await request.form()
    given = {
        key: value
        for key, value in form.items()
        if key != CSRF_FIELD and isinstance(value, str) and len(value) <= 100
    }
    try:
        change = strategy_service.set_params(name, given, context.config_path, clock=context.clock)
    except ValidationError as exc:
        return _panel(request, context, name, error=str(exc))
    saved = "saved" if change.report.written else "unchanged (the file already says so)"
    return _panel(request, context, name, saved=saved)
