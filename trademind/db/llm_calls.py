"""Reading and writing ``llm_calls`` rows: the LLM client's cost ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.core.llm_calls import LlmCall, LlmOutcome
from trademind.db.models import LlmCallRow

if TYPE_CHECKING:
    from trademind.db.session import Database

_TABLE: Final = cast(sa.Table, LlmCallRow.__table__)
_ERROR_CHARS: Final = 2000


class LlmCallRepository:
    """The calls recorded in ``database``; implements the client's ``CallLedger`` port."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def record(self, call: LlmCall) -> None:
        """Store ``call`` (an error text is cut to 2,000 characters)."""
        values = {
            "called_at": call.called_at,
            "model": call.model,
            "purpose": call.purpose,
            "outcome": call.outcome.value,
            "attempts": call.attempts,
            "tokens_in": call.tokens_in,
            "tokens_out": call.tokens_out,
            "latency_ms": call.latency_ms,
            "cost_usd": call.cost_usd,
            "error": None if call.error is None else call.error[:_ERROR_CHARS],
        }
        self._database.run(lambda connection: connection.execute(sa.insert(_TABLE), values))

    def cost_on(self, day: date) -> Decimal:
        """US dollars of the calls made on the UTC ``day`` (unknown costs count 0)."""
        start = datetime.combine(day, time(), tzinfo=UTC)
        query = sa.select(_TABLE.c.cost_usd).where(
            _TABLE.c.called_at >= start,
            _TABLE.c.called_at < start + timedelta(days=1),
            _TABLE.c.cost_usd.is_not(None),
        )
        costs = self._database.run(lambda connection: connection.execute(query).scalars().all())
        return sum((Decimal(cost) for cost in costs), Decimal(0))

    def since(self, start: datetime) -> list[LlmCall]:
        """The calls made at or after ``start``, oldest first."""
        query = (
            sa.select(_TABLE)
            .where(_TABLE.c.called_at >= start)
            .order_by(_TABLE.c.called_at, _TABLE.c.id)
        )
        rows = self._database.run(lambda connection: connection.execute(query).all())
        return [_call(row) for row in rows]


def _call(row: sa.Row[Any]) -> LlmCall:
    return LlmCall(
        called_at=row.called_at,
        model=row.model,
        purpose=row.purpose,
        outcome=LlmOutcome(row.outcome),
        attempts=row.attempts,
        tokens_in=row.tokens_in,
        tokens_out=row.tokens_out,
        latency_ms=row.latency_ms,
        cost_usd=row.cost_usd,
        error=row.error,
    )
