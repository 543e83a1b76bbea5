"""``/api/v1/backtests``: launch a backtest as a background job, list the stored runs, one
run's results, its HTML report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from trademind.core import backtest_limits as limits
from trademind.core.errors import ValidationError
from trademind.services.backtest_queries import RunRow, list_runs
from trademind.services.json_ready import to_json
from trademind.web.api.jobs import NOT_FOUND, REFUSED, queued
from trademind.web.deps import ContextDep, DatabaseDep, JobsDep, SettingsDep
from trademind.web.job_kinds import BacktestRequest, submit_backtest
from trademind.web.jobs import JobView
from trademind.web.report_page import report_response

router = APIRouter(prefix="/backtests", tags=["backtests"])

RunId = Annotated[int, Path(ge=1, le=limits.RUN_ID_MAX, examples=[1])]


class BacktestRun(BaseModel):
    """A stored run, as `backtest results ID --format json` prints it."""

    id: int
    name: str | None
    status: str
    strategy: str
    engine: str | None
    symbols: list[str]
    timeframe: str
    start: datetime
    end: datetime
    initial_cash: float
    final_equity: float | None
    params: dict[str, Any]
    metrics: dict[str, Any]
    trades: list[dict[str, Any]]
    notices: list[str]
    execution: dict[str, Any]
    config: dict[str, Any]
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None
    code_version: str | None


@router.post("", response_model=JobView, status_code=202, responses=REFUSED)
def launch(body: BacktestRequest, context: ContextDep, runner: JobsDep) -> JobView:
    """Check the request as `backtest run` does (400/422 naming what is wrong, nothing
    queued), then run it as a background job: follow it at ``/api/v1/jobs/{id}`` (its result
    names the stored run). 429 when too many jobs are waiting."""
    return queued(lambda: submit_backtest(context, runner, body))


@router.get("", response_model=list[RunRow])
def runs(
    database: DatabaseDep, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> tuple[RunRow, ...]:
    """The latest stored runs, newest first (`backtest list`)."""
    return list_runs(database, limit)


def stored_run(database: DatabaseDep, run_id: int) -> Any:
    from trademind.services.backtest_service import get_run

    try:
        return get_run(database, run_id)
    except ValidationError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/{run_id}", response_model=BacktestRun, responses=NOT_FOUND)
def run(run_id: RunId, database: DatabaseDep) -> Any:
    """One stored run: parameters, metrics, trades, notices (`backtest results`)."""
    from trademind.services.backtest_records import run_view

    return to_json(run_view(stored_run(database, run_id)))


@router.get("/{run_id}/report", response_class=HTMLResponse, responses=NOT_FOUND)
def report(run_id: RunId, database: DatabaseDep, settings: SettingsDep) -> HTMLResponse:
    """The run's HTML report (Plotly), drawn from the stored run, as `backtest export ID
    --format html` writes it; 400 for a failed run (it has no report)."""
    return report_response(database, settings, stored_run(database, run_id))
