"""One language model call as the cost ledger (``llm_calls``) keeps it: pure values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class LlmOutcome(StrEnum):
    """How a call ended. ``breaker_open`` and ``over_budget`` calls never reached the API."""

    OK = "ok"
    HTTP_ERROR = "http_error"
    TIMEOUT = "timeout"
    PARSE_ERROR = "parse_error"
    BREAKER_OPEN = "breaker_open"
    OVER_BUDGET = "over_budget"


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmCall:
    """One call (all its retries together): tokens and cost are None when unknown (no answer,
    or a model missing from the price table); ``latency_ms`` covers every attempt and wait."""

    called_at: datetime
    model: str
    purpose: str
    outcome: LlmOutcome
    attempts: int = 0
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_ms: float | None = None
    cost_usd: Decimal | None = None
    error: str | None = None
