"""The latest language model calls as the ``llm_calls`` ledger recorded them, and what they say
about the circuit breaker in front of the model.

This is the ledger, not a live breaker: the breaker lives inside the LLM client of whichever
process made the calls (a paper session, ``agents sentiment``), and the server holds no client
of its own. So the report gives facts from the recorded calls only: how many of the newest
calls that reached the API failed in a row, how many were refused because a breaker was open
and when the last such refusal was. It never claims a breaker state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from trademind.core.errors import UsageError
from trademind.core.llm_calls import LlmCall, LlmOutcome

if TYPE_CHECKING:
    from trademind.db.session import Database

MAX_CALLS: Final = 1000
FAILURES: Final = frozenset({LlmOutcome.HTTP_ERROR, LlmOutcome.TIMEOUT, LlmOutcome.PARSE_ERROR})
"""Outcomes that count as failed calls for a breaker (refusals never reached the API)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmActivity:
    """The ``limit`` newest calls, newest first. ``failed_in_a_row``: the calls that reached the
    API and failed, counted from the newest back to the last ``ok`` (refusals skipped);
    ``refused_by_breaker``: the calls among them refused by an open breaker, the newest at
    ``last_refused_at`` (None: none)."""

    limit: int
    calls: tuple[LlmCall, ...]
    failed_in_a_row: int
    refused_by_breaker: int
    last_refused_at: datetime | None


def llm_activity(database: Database, limit: int = 50) -> LlmActivity:
    """The report of the ``limit`` newest recorded calls (module docstring)."""
    from trademind.db.llm_calls import LlmCallRepository

    if not 1 <= limit <= MAX_CALLS:
        raise UsageError(f"--limit must be between 1 and {MAX_CALLS}, got {limit}")
    calls = tuple(LlmCallRepository(database).latest(limit))
    refused = [call for call in calls if call.outcome is LlmOutcome.BREAKER_OPEN]
    return LlmActivity(
        limit=limit,
        calls=calls,
        failed_in_a_row=failed_in_a_row(calls),
        refused_by_breaker=len(refused),
        last_refused_at=refused[0].called_at if refused else None,
    )


def failed_in_a_row(newest_first: tuple[LlmCall, ...]) -> int:
    """Failed calls back from the newest to the last ``ok`` (calls that never reached the
    API, refused by a breaker or the budget, are skipped)."""
    failed = 0
    for call in newest_first:
        if call.outcome is LlmOutcome.OK:
            break
        failed += call.outcome in FAILURES
    return failed
