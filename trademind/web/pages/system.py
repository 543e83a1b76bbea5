"""``/agents`` (decisions with their votes, LLM calls and costs), ``/data`` (stored series),
``/config`` (secrets masked), ``/logs`` (the server log's tail); ``/backtests`` is in
:mod:`trademind.web.pages.backtests`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from trademind.core.errors import TradeMindError
from trademind.db.sentiment_history import SentimentHistoryRepository
from trademind.services import config_service, data_status
from trademind.services.decision_list import recent_decisions
from trademind.services.llm_costs import costs_report
from trademind.web.deps import ContextDep
from trademind.web.pages.overview import Account, chosen_account, query_of
from trademind.web.pages.templates import render

router = APIRouter(include_in_schema=False)

LOG_LINES = 200
HISTORY_ROWS = 200
Symbol = Annotated[str | None, Query(max_length=20, pattern=r"^[A-Za-z0-9.^=-]+$")]


@router.get("/agents", response_class=HTMLResponse)
def agents(
    request: Request, context: ContextDep, account: Account = None, symbol: Symbol = None
) -> HTMLResponse:
    name = chosen_account(context, account)
    costs = costs_report(context.database, context.clock, 7)
    readings = SentimentHistoryRepository(context.database).recent(
        symbol.upper() if symbol else None, HISTORY_ROWS
    )
    chart = [
        {"ts": r.decided_at.isoformat(), "score": r.score, "confidence": r.confidence,
         "source": r.source, "label": r.label or "abstained", "symbol": r.symbol}
        for r in readings
        if r.score is not None
    ]  # fmt: skip
    return render(
        request,
        "agents.html",
        page="/agents",
        account=name,
        query=query_of(name),
        costs=costs,
        symbol=symbol.upper() if symbol else None,
        readings=readings,
        chart=json.dumps(chart),
        breakers=context.breakers(),
    )


@router.get("/partials/decisions", response_class=HTMLResponse)
def decisions(request: Request, context: ContextDep, account: Account = None) -> HTMLResponse:
    name = chosen_account(context, account)
    try:
        found = recent_decisions(context.database, context.clock, name, limit=20)
    except TradeMindError as exc:
        return render(request, "partials/decisions.html", decisions=None, message=str(exc))
    return render(request, "partials/decisions.html", decisions=found)


@router.get("/data", response_class=HTMLResponse)
def data(request: Request, context: ContextDep) -> HTMLResponse:
    rows = data_status.status(context.database, context.settings())
    return render(request, "system.html", page="/data", title="Data", kind="data", rows=rows)


@router.get("/config", response_class=HTMLResponse)
def config(request: Request, context: ContextDep) -> HTMLResponse:
    view = context.config_files.derived(context.config_path, config_service.config_view)
    return render(request, "system.html", page="/config", title="Config", kind="config", view=view)


@router.get("/logs", response_class=HTMLResponse)
def logs(request: Request, context: ContextDep) -> HTMLResponse:
    from trademind.web.launcher import tail
    from trademind.web.process import log_path

    path = log_path(Path(context.settings().app.data_dir))
    lines = tail(path, LOG_LINES)
    return render(
        request, "system.html", page="/logs", title="Logs", kind="logs", lines=lines, path=path
    )
