"""Writing and reading ``sentiment_history`` rows: every sentiment result, newest first.

:class:`SentimentHistoryRepository` writes one reading per transaction (the CLI, a paper
session). :class:`PendingSentimentRows` keeps readings to be written in another transaction's
connection (a replay's block of steps: :meth:`~trademind.portfolio.journal.SqlBrokerJournal.
attach`), so the agent never opens a second write transaction on SQLite while the block's is
open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.core.sentiment_history import SentimentReading
from trademind.db.models import SentimentRecord

if TYPE_CHECKING:
    from trademind.db.session import Database

_TABLE: Final = cast(sa.Table, SentimentRecord.__table__)
_TEXT_CHARS: Final = 8000


def _values(reading: SentimentReading) -> dict[str, Any]:
    return {
        "symbol": reading.symbol,
        "decided_at": reading.decided_at,
        "computed_at": reading.computed_at,
        "model": reading.model,
        "source": reading.source,
        "label": reading.label,
        "score": reading.score,
        "confidence": reading.confidence,
        "key_factors": list(reading.key_factors),
        "reasoning": reading.reasoning[:_TEXT_CHARS],
        "notes": list(reading.notes),
        "cost_usd": reading.cost_usd,
        "news_count": reading.news_count,
        "abstention_reason": reading.abstention_reason,
        "account": reading.account,
        "variant": reading.variant,
    }


def insert_readings(connection: sa.Connection, readings: Sequence[SentimentReading]) -> None:
    """Insert ``readings`` on ``connection`` (inside the caller's transaction)."""
    if readings:
        connection.execute(sa.insert(_TABLE), [_values(reading) for reading in readings])


class SentimentHistoryRepository:
    """The sentiment history of ``database``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def add(self, reading: SentimentReading) -> None:
        """Store ``reading`` in a transaction of its own."""
        self._database.run(lambda connection: insert_readings(connection, [reading]))

    def recent(
        self, symbol: str | None = None, limit: int = 20, *, since: datetime | None = None
    ) -> list[SentimentReading]:
        """The newest readings first (by decision time, then insertion), of ``symbol`` when
        given, decided at or after ``since`` when given."""
        query = sa.select(_TABLE).order_by(_TABLE.c.decided_at.desc(), _TABLE.c.id.desc())
        if symbol is not None:
            query = query.where(_TABLE.c.symbol == symbol)
        if since is not None:
            query = query.where(_TABLE.c.decided_at >= since)
        rows = self._database.run(lambda c: c.execute(query.limit(limit)).all())
        return [_reading(row) for row in rows]


class PendingSentimentRows:
    """Readings kept until :meth:`flush` writes them on the journal's connection (a journal's
    pending writes); :meth:`add` is the agent's history sink."""

    def __init__(self) -> None:
        self._readings: list[SentimentReading] = []

    def __bool__(self) -> bool:
        return bool(self._readings)

    def add(self, reading: SentimentReading) -> None:
        self._readings.append(reading)

    def flush(self, connection: sa.Connection) -> None:
        insert_readings(connection, self._readings)
        self._readings.clear()

    def clear(self) -> None:
        self._readings.clear()


def _reading(row: sa.Row[Any]) -> SentimentReading:
    return SentimentReading(
        id=row.id,
        symbol=row.symbol,
        decided_at=row.decided_at,
        computed_at=row.computed_at,
        model=row.model,
        source=row.source,
        label=row.label,
        score=row.score,
        confidence=row.confidence,
        key_factors=tuple(row.key_factors or ()),
        reasoning=row.reasoning,
        notes=tuple(row.notes or ()),
        cost_usd=row.cost_usd,
        news_count=row.news_count,
        abstention_reason=row.abstention_reason,
        account=row.account,
        variant=row.variant,
    )
