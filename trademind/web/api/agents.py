"""``/api/v1/agents``: LLM costs and the LLM circuit breaker."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from trademind.services.llm_costs import LlmCostsReport, costs_report
from trademind.web.deps import ClockDep, DatabaseDep

router = APIRouter(prefix="/agents", tags=["agents"])


@router.get("/costs", response_model=LlmCostsReport)
def costs(
    database: DatabaseDep, clock: ClockDep, days: Annotated[int, Query(ge=1, le=3660)] = 7
) -> LlmCostsReport:
    """LLM calls per day and model: count, tokens, cost, latency (``trademind agents costs``)."""
    return costs_report(database, clock, days)
