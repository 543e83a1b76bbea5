"""What is stored, per series: coverage and open quarantine counts (``data status``).

SQLAlchemy Core only, so ``data status`` reads it without importing pandas, numpy or the
PostgreSQL driver. :class:`~trademind.data.store.BarStore` answers its coverage questions
through these functions too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, Final

import sqlalchemy as sa

from trademind.core.errors import DatabaseError
from trademind.data.store_types import Coverage, SeriesSummary
from trademind.db.session import Database
from trademind.db.tables import data_quarantine, market_data

_BARS: Final = market_data  # Core tables: no ORM classes are built for `data status`
_QUARANTINE: Final = data_quarantine

Restrict = Callable[[sa.Select[Any]], sa.Select[Any]]


def _is_driver_error(exc: BaseException) -> bool:
    if isinstance(exc, sa.exc.DBAPIError):
        return True
    psycopg = sys.modules.get("psycopg")  # only loaded when a PostgreSQL database is used
    return psycopg is not None and isinstance(exc, psycopg.Error)


def run_work[T](
    database: Database, work: Callable[[sa.Connection], T], action: str, *, bulk: bool = False
) -> T:
    """Run ``work`` in one transaction; driver errors become one-line DatabaseErrors."""
    try:
        result: T = database.run(work, bulk=bulk)
    except Exception as exc:
        if not _is_driver_error(exc):
            raise
        cause = getattr(exc, "orig", None) or exc
        lines = str(cause).strip().splitlines()
        reason = lines[0] if lines else type(cause).__name__
        raise DatabaseError(f"{action} failed: {reason}") from exc
    return result


def coverages(database: Database, restrict: Restrict) -> dict[tuple[str, str], Coverage]:
    """The coverage of every (symbol, timeframe) the ``restrict``-ed query selects."""
    statement = restrict(
        sa.select(
            _BARS.c.symbol,
            _BARS.c.timeframe,
            sa.func.min(_BARS.c.ts),
            sa.func.max(_BARS.c.ts),
            sa.func.count(),
            sa.func.max(_BARS.c.ingested_at),
        ).group_by(_BARS.c.symbol, _BARS.c.timeframe)
    )
    rows: Sequence[Any] = run_work(
        database, lambda connection: connection.execute(statement).all(), "reading bars"
    )
    return {
        (row[0], row[1]): Coverage(first=row[2], last=row[3], rows=row[4], last_ingested_at=row[5])
        for row in rows
    }


def open_counts(connection: sa.Connection) -> dict[tuple[str, str], int]:
    """Open (unresolved) quarantine rows per (symbol, timeframe)."""
    statement = (
        sa.select(_QUARANTINE.c.symbol, _QUARANTINE.c.timeframe, sa.func.count())
        .where(_QUARANTINE.c.resolved_at.is_(None))
        .group_by(_QUARANTINE.c.symbol, _QUARANTINE.c.timeframe)
    )
    return {
        (symbol, timeframe): count for symbol, timeframe, count in connection.execute(statement)
    }


def summary(database: Database) -> list[SeriesSummary]:
    """Every series with stored bars or open quarantine rows, sorted by symbol."""
    coverage = coverages(database, lambda statement: statement)
    issues = run_work(database, open_counts, "reading the quarantine")
    return [
        SeriesSummary(
            symbol=key[0],
            timeframe=key[1],
            coverage=coverage.get(key),
            open_issues=issues.get(key, 0),
        )
        for key in sorted(set(coverage) | set(issues))
    ]
