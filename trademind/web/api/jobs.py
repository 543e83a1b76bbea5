"""``/api/v1/jobs``: the background jobs (backtests, ingests) the server runs or has run.

Jobs are kept in memory: a server restart forgets them (their results, such as stored
backtest runs, stay in the database)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel

from trademind.web.api.models import error_answer
from trademind.web.deps import JobsDep
from trademind.web.jobs import JOB_ID_PATTERN, JobQueueFullError, JobView

router = APIRouter(prefix="/jobs", tags=["jobs"])

JobId = Annotated[str, Path(pattern=JOB_ID_PATTERN, description="12 hex digits.")]
NOT_KEPT = "jobs are kept in memory only: a server restart forgets them"


REFUSED: dict[int | str, dict[str, Any]] = {
    400: error_answer("The services refuse the request (the reason)."),
    429: error_answer("Too many jobs are waiting."),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: error_answer("No such id.")}


class JobList(BaseModel):
    jobs: list[JobView]
    note: str


def queued(submit: Any) -> JobView:
    """``submit()``'s job, or 429 when the queue is full."""
    try:
        job: JobView = submit()
        return job
    except JobQueueFullError as exc:
        raise HTTPException(429, str(exc)) from None


@router.get("", response_model=JobList)
def jobs(runner: JobsDep) -> JobList:
    """Every job kept (queued, running, and the latest finished), newest first."""
    return JobList(jobs=list(runner.jobs()), note=NOT_KEPT)


@router.get("/{job_id}", response_model=JobView, responses=NOT_FOUND)
def job(job_id: JobId, runner: JobsDep) -> JobView:
    """One job (404 when there is none, or it was forgotten by a restart)."""
    found = runner.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id} ({NOT_KEPT})")
    return found
