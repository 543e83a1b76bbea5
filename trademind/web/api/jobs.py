"""``/api/v1/jobs``: the background jobs (backtests, ingests) the server runs or has run.

Jobs are kept in memory: a server restart forgets them (their results, such as stored
backtest runs, stay in the database)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel

from trademind.web.deps import JobsDep
from trademind.web.jobs import JOB_ID_PATTERN, JobKind, JobQueueFullError, JobStatus, JobView

router = APIRouter(prefix="/jobs", tags=["jobs"])

JobId = Annotated[str, Path(pattern=JOB_ID_PATTERN, description="12 hex digits.")]
NOT_KEPT = "jobs are kept in memory only: a server restart forgets them"


class Job(BaseModel):
    """One background job (``progress``: 0..1)."""

    id: str
    kind: JobKind
    title: str
    status: JobStatus
    progress: float
    step: str
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class Detail(BaseModel):
    """An error answer: one line saying what is wrong."""

    detail: str


REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"model": Detail, "description": "The services refuse the request (the reason)."},
    429: {"model": Detail, "description": "Too many jobs are waiting."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Detail, "description": "No such id."}}


class JobList(BaseModel):
    jobs: list[Job]
    note: str


def job_model(view: JobView) -> Job:
    return Job.model_validate(view, from_attributes=True)


def queued(submit: Any) -> Job:
    """``submit()``'s job, or 429 when the queue is full."""
    try:
        return job_model(submit())
    except JobQueueFullError as exc:
        raise HTTPException(429, str(exc)) from None


@router.get("", response_model=JobList)
def jobs(runner: JobsDep) -> JobList:
    """Every job kept (queued, running, and the latest finished), newest first."""
    return JobList(jobs=[job_model(job) for job in runner.jobs()], note=NOT_KEPT)


@router.get("/{job_id}", response_model=Job, responses=NOT_FOUND)
def job(job_id: JobId, runner: JobsDep) -> Job:
    """One job (404 when there is none, or it was forgotten by a restart)."""
    found = runner.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id} ({NOT_KEPT})")
    return job_model(found)
