"""Reading and writing ``llm_calls`` rows: the LLM client's cost ledger (written at once, or
kept and written with another transaction: :class:`PendingLlmCalls`)."""

from __future__ import annotations

from collections.abc import Sequence
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
        self._database.run(lambda connection: insert_calls(connection, [call]))

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

    def latest(self, limit: int) -> list[LlmCall]:
        """The ``limit`` most recent calls, newest first."""
        query = sa.select(_TABLE).order_by(_TABLE.c.called_at.desc(), _TABLE.c.id.desc())
        rows = self._database.run(lambda connection: connection.execute(query.limit(limit)).all())
        return [_call(row) for row in rows]


class PendingLlmCalls:
    """A ledger whose calls are kept until :meth:`flush` writes them on another transaction's
    connection (a journal's pending writes: a replay's block of steps); :meth:`cost_on` adds the
    kept calls' cost to what ``stored`` holds, so the daily budget sees them at once."""

    def __init__(self, stored: LlmCallRepository) -> None:
        self._stored = stored
        self._calls: list[LlmCall] = []

    def __bool__(self) -> bool:
        return bool(self._calls)

    def record(self, call: LlmCall) -> None:
        self._calls.append(call)

    def cost_on(self, day: date) -> Decimal:
        kept = sum(
            (
                c.cost_usd
                for c in self._calls
                if c.cost_usd and c.called_at.astimezone(UTC).date() == day
            ),
            Decimal(0),
        )
        return self._stored.cost_on(day) + kept

    def flush(self, connection: sa.Connection) -> None:
        insert_calls(connection, self._calls)
        self._calls.clear()

    def clear(self) -> None:
        self._calls.clear()


def insert_calls(connection: sa.Connection, calls: Sequence[LlmCall]) -> None:
    """Insert ``calls`` on ``connection`` (inside the caller's transaction)."""
    if calls:
        connection.execute(sa.insert(_TABLE), [_values(call) for call in calls])


def _values(call: LlmCall) -> dict[str, Any]:
    return {
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
