"""``/backtests``: launch a backtest (a background job, its progress bar updated by HTMX
polling of ``/partials/jobs/{id}``: no script of ours), the jobs of this server, the stored runs
and each run's report (``/backtests/{id}/report``)."""

from __future__ import annotations

from typing import Annotated, Any

import pydantic
from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from trademind.core import backtest_limits as limits
from trademind.core.errors import TradeMindError
from trademind.services import strategy_service
from trademind.services.backtest_queries import list_runs
from trademind.web.api.backtests import stored_run
from trademind.web.deps import ContextDep, JobsDep
from trademind.web.job_kinds import BacktestRequest, submit_backtest
from trademind.web.jobs import JOB_ID_PATTERN, JobView
from trademind.web.pages.templates import render
from trademind.web.report_page import report_response

router = APIRouter(include_in_schema=False)

RUNS_SHOWN = 50
FINISHED_EVENT = "backtest-finished"
"""Sent (``HX-Trigger``) with a finished job's partial; the runs table reloads on it."""
FORM_FIELDS = ("strategy", "symbols", "start", "end", "cash")


@router.get("/backtests", response_class=HTMLResponse)
def backtests(request: Request, context: ContextDep, runner: JobsDep) -> HTMLResponse:
    return _page(request, context, runner)


def _page(
    request: Request, context: ContextDep, runner: JobsDep, *, error: str | None = None
) -> HTMLResponse:
    names = [view.name for view in strategy_service.list_strategies(context.config_path)]
    jobs = [job for job in runner.jobs() if job.kind == "backtest"]
    rows = list_runs(context.database, RUNS_SHOWN)
    return render(
        request,
        "backtests.html",
        status=200 if error is None else 400,
        page="/backtests",
        strategies=names,
        jobs=jobs,
        rows=rows,
        error=error,
    )


def _form_request(form: dict[str, Any]) -> BacktestRequest:
    symbols = [part.strip() for part in str(form.get("symbols", "")).split(",") if part.strip()]
    given = {key: form[key] for key in ("start", "end", "cash") if form.get(key)}
    return BacktestRequest.model_validate(
        {"strategy": form.get("strategy", ""), "symbols": symbols, **given}
    )


def _problem(exc: pydantic.ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "form"
    return f"{where}: {first['msg']}"


@router.post("/backtests", response_class=HTMLResponse)
async def launch(request: Request, context: ContextDep, runner: JobsDep) -> Response:
    form = await request.form()
    fields = {key: form.get(key) for key in FORM_FIELDS if isinstance(form.get(key), str)}
    try:
        body = _form_request(fields)
        job = await run_in_threadpool(submit_backtest, context, runner, body)  # imports the engine
    except pydantic.ValidationError as exc:
        return _refused(request, context, runner, _problem(exc))
    except TradeMindError as exc:  # a refused request, or the queue is full
        return _refused(request, context, runner, str(exc))
    if "hx-request" not in request.headers:
        return RedirectResponse("/backtests", status_code=303)
    return render(request, "partials/launched.html", job=job)  # and clears an earlier refusal


def _refused(request: Request, context: ContextDep, runner: JobsDep, error: str) -> Response:
    if "hx-request" not in request.headers:
        return _page(request, context, runner, error=error)
    response = render(request, "partials/launch_error.html", error=error)
    response.headers["HX-Retarget"] = "#launch-error"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


@router.get("/partials/jobs/{job_id}", response_class=HTMLResponse)
def job(
    request: Request, runner: JobsDep, job_id: Annotated[str, Path(pattern=JOB_ID_PATTERN)]
) -> HTMLResponse:
    found: JobView | None = runner.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id} (jobs are forgotten when the server restarts)")
    response = render(request, "partials/job.html", job=found)
    if found.finished:
        response.headers["HX-Trigger"] = FINISHED_EVENT
    return response


@router.get("/partials/backtests", response_class=HTMLResponse)
def runs(request: Request, context: ContextDep) -> HTMLResponse:
    rows = list_runs(context.database, RUNS_SHOWN)
    return render(request, "partials/backtest_runs.html", rows=rows)


@router.get("/backtests/{run_id}/report", response_class=HTMLResponse)
def report(
    context: ContextDep, run_id: Annotated[int, Path(ge=1, le=limits.RUN_ID_MAX)]
) -> HTMLResponse:
    record = stored_run(context.database, run_id)
    return report_response(context.database, context.settings(), record)
