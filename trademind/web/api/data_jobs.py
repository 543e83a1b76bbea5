"""``/api/v1/data/ingest`` (a background job) and ``/api/v1/data/verify``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from trademind.data.quality import QualityIssue
from trademind.services import data_service
from trademind.services.data_report import NoBarsStoredError
from trademind.web.api.jobs import NOT_FOUND, REFUSED, queued
from trademind.web.deps import ContextDep, DatabaseDep, JobsDep, SettingsDep
from trademind.web.job_kinds import IngestRequest, submit_ingest
from trademind.web.jobs import JobView

router = APIRouter(prefix="/data", tags=["data"])


class VerifyRequest(BaseModel):
    """Which stored bars to check (nothing given: every symbol at every interval)."""

    model_config = ConfigDict(extra="forbid")

    symbols: list[Annotated[str, StringConstraints(min_length=1, max_length=20)]] | None = Field(
        default=None, min_length=1, max_length=100
    )
    interval: str | None = Field(default=None, max_length=10)


@router.post("/ingest", response_model=JobView, status_code=202, responses=REFUSED)
def ingest(body: IngestRequest, context: ContextDep, runner: JobsDep) -> JobView:
    """Ingest bars as a background job (`data ingest`); follow it at ``/api/v1/jobs/{id}``.
    yfinance reaches the network; ``sample`` is the bundled offline data."""
    return queued(lambda: submit_ingest(context, runner, body))


@router.post("/verify", response_model=list[QualityIssue], responses=NOT_FOUND)
def verify(body: VerifyRequest, database: DatabaseDep, settings: SettingsDep) -> list[QualityIssue]:
    """The quality issues of the stored bars (`data verify`); 404 when nothing is stored."""
    try:
        return data_service.verify(database, settings, body.symbols, body.interval)
    except NoBarsStoredError as exc:
        raise HTTPException(404, str(exc)) from None
