"""Reading stored backtest runs as lists: ``backtest list`` and ``strategies performance``.

A module of its own, importing only the ``backtest_runs`` table (SQLAlchemy Core, no ORM), so
that listing runs does not import the engine, numba, numpy or pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from trademind.core.errors import UsageError
from trademind.db.run_summaries import RunSummary, read_summaries

if TYPE_CHECKING:
    from trademind.db.session import Database


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRow:
    """One stored run as lists show it (no curve, no trades)."""

    id: int
    name: str | None
    strategy: str
    engine: str | None
    symbols: tuple[str, ...]
    timeframe: str
    start: datetime
    end: datetime
    status: str
    initial_cash: float
    final_equity: float | None
    total_return: float | None
    sharpe: float | None
    max_drawdown: float | None
    trade_count: int | None
    started_at: datetime


def summaries(database: Database, *, limit: int | None, strategy: str | None) -> list[RunSummary]:
    """Stored runs without their curves and trades, newest first (small rows only)."""
    return database.run(lambda connection: read_summaries(connection, limit, strategy=strategy))


def run_row(row: RunSummary) -> RunRow:
    """One stored run as the rows of lists show it."""
    metrics = dict(row.metrics)
    return RunRow(
        id=row.id,
        name=row.name,
        strategy=row.strategy,
        engine=row.config.get("engine"),
        symbols=tuple(row.symbols),
        timeframe=row.timeframe,
        start=row.period_start,
        end=row.period_end,
        status=row.status,
        initial_cash=row.initial_capital,
        final_equity=row.final_equity,
        total_return=metrics.get("total_return"),
        sharpe=metrics.get("sharpe"),
        max_drawdown=metrics.get("max_drawdown"),
        trade_count=metrics.get("trade_count"),
        started_at=row.started_at,
    )


def list_runs(database: Database, limit: int = 20) -> tuple[RunRow, ...]:
    """The latest ``limit`` stored runs, newest first (``backtest list``)."""
    if limit < 1:
        raise UsageError(f"--limit must be at least 1, got {limit}")
    return tuple(run_row(row) for row in summaries(database, limit=limit, strategy=None))
