"""`trademind agents costs`: what the language model cost, per UTC day and model, from the
``llm_calls`` ledger."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from trademind.core.errors import UsageError
from trademind.core.llm_calls import LlmCall, LlmOutcome

if TYPE_CHECKING:
    from trademind.core.clock import Clock
    from trademind.db.session import Database

MAX_DAYS = 3660
_REFUSALS = frozenset({LlmOutcome.BREAKER_OPEN, LlmOutcome.OVER_BUDGET})


@dataclass(frozen=True, slots=True, kw_only=True)
class DayModelCost:
    """One UTC day and model: its calls (refusals included), the dollars of the priced ones,
    how many had no known cost (``unpriced``: no answer, or a model without a price) and the
    tokens."""

    day: date
    model: str
    calls: int
    cost_usd: Decimal
    unpriced: int
    tokens_in: int
    tokens_out: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LlmCostsReport:
    """The last ``days`` UTC days (today included) from ``start``: per day and model, calls by
    outcome (every outcome listed), totals, and the latency percentiles of the calls that
    reached the API (None without any)."""

    days: int
    start: date
    rows: tuple[DayModelCost, ...]
    outcomes: dict[str, int]
    calls: int
    cost_usd: Decimal
    tokens_in: int
    tokens_out: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None


def costs_report(database: Database, clock: Clock, days: int) -> LlmCostsReport:
    """The report of the last ``days`` UTC days (1 = today) from ``database``."""
    from trademind.db.llm_calls import LlmCallRepository

    if not 1 <= days <= MAX_DAYS:
        raise UsageError(f"--days must be between 1 and {MAX_DAYS}, got {days}")
    start = clock.now().astimezone(UTC).date() - timedelta(days=days - 1)
    calls = LlmCallRepository(database).since(datetime.combine(start, time(), tzinfo=UTC))
    return summarise(calls, days=days, start=start)


def summarise(calls: Sequence[LlmCall], *, days: int, start: date) -> LlmCostsReport:
    """The report of ``calls`` (already limited to the window)."""
    outcomes = Counter(call.outcome.value for call in calls)
    latencies = [
        call.latency_ms
        for call in calls
        if call.latency_ms is not None and call.outcome not in _REFUSALS
    ]
    p50, p95 = percentiles(latencies)
    return LlmCostsReport(
        days=days,
        start=start,
        rows=_per_day_and_model(calls),
        outcomes={outcome.value: outcomes[outcome.value] for outcome in LlmOutcome},
        calls=len(calls),
        cost_usd=sum((call.cost_usd or Decimal(0) for call in calls), Decimal(0)),
        tokens_in=sum(call.tokens_in or 0 for call in calls),
        tokens_out=sum(call.tokens_out or 0 for call in calls),
        latency_p50_ms=p50,
        latency_p95_ms=p95,
    )


def percentiles(values: Iterable[float]) -> tuple[float | None, float | None]:
    """The 50th and 95th percentiles (linear interpolation between closest ranks, as
    ``statistics.quantiles(method="inclusive")``); one value is both; none: (None, None)."""
    ordered = sorted(values)
    if not ordered:
        return None, None
    if len(ordered) == 1:
        return ordered[0], ordered[0]
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return cuts[49], cuts[94]


def _per_day_and_model(calls: Sequence[LlmCall]) -> tuple[DayModelCost, ...]:
    groups: dict[tuple[date, str], list[LlmCall]] = defaultdict(list)
    for call in calls:
        groups[(call.called_at.astimezone(UTC).date(), call.model)].append(call)
    return tuple(
        DayModelCost(
            day=day,
            model=model,
            calls=len(group),
            cost_usd=sum((c.cost_usd for c in group if c.cost_usd is not None), Decimal(0)),
            unpriced=sum(1 for c in group if c.cost_usd is None),
            tokens_in=sum(c.tokens_in or 0 for c in group),
            tokens_out=sum(c.tokens_out or 0 for c in group),
        )
        for (day, model), group in sorted(groups.items())
    )
