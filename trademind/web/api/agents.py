"""``/api/v1/agents``: LLM costs, the latest LLM calls (what they say about the breaker) and
the sentiment history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from trademind.agents.llm.breaker import BreakerSnapshot
from trademind.core.sentiment_history import SentimentReading
from trademind.services import sentiment_service
from trademind.services.llm_activity import MAX_CALLS, LlmActivity, llm_activity
from trademind.services.llm_costs import LlmCostsReport, costs_report
from trademind.web.deps import ClockDep, ContextDep, DatabaseDep

router = APIRouter(prefix="/agents", tags=["agents"])

Symbol = Annotated[
    str | None,
    Query(
        max_length=20,
        pattern=r"^[A-Za-z0-9.^=-]+$",
        description="Only this symbol.",
        examples=["AAPL"],
    ),
]


@router.get("/costs", response_model=LlmCostsReport)
def costs(
    database: DatabaseDep, clock: ClockDep, days: Annotated[int, Query(ge=1, le=3660)] = 7
) -> LlmCostsReport:
    """LLM calls per day and model: count, tokens, cost, latency (``trademind agents costs``)."""
    return costs_report(database, clock, days)


@router.get("/llm-calls", response_model=LlmActivity)
def llm_calls(
    database: DatabaseDep, limit: Annotated[int, Query(ge=1, le=MAX_CALLS)] = 50
) -> LlmActivity:
    """The newest recorded LLM calls (outcome, latency, tokens, cost, error) and the breaker
    facts they show: failed calls in a row, refusals by an open breaker. From the ledger: the
    server holds no LLM client, so there is no live breaker state to report."""
    return llm_activity(database, limit)


@router.get("/sentiment", response_model=list[SentimentReading])
def sentiment(
    database: DatabaseDep,
    symbol: Symbol = None,
    limit: Annotated[int, Query(ge=1, le=sentiment_service.MAX_LIMIT)] = 50,
) -> list[SentimentReading]:
    """Stored sentiment readings, newest first: label, score, confidence, source, model,
    reasoning, cost, or the abstention and its reason (``trademind agents sentiment SYMBOL
    --history``; here the symbol is optional)."""
    return sentiment_service.sentiment_history(database, symbol, limit)


@router.get("/breakers", response_model=list[BreakerSnapshot])
def breakers(context: ContextDep) -> list[BreakerSnapshot]:
    """The circuit breaker of every LLM client alive in the server (the trading session's
    sentiment agent holds one, in the trading process, which reports it): label (model at
    host), state (closed, open, half_open), consecutive failures, threshold, seconds until the
    next probe. ``[]`` when no client is alive: nothing is made up."""
    return context.breakers()
