"""Reading stored backtest runs as lists: ``backtest list`` and ``strategies performance``.

A module of its own, importing only the ``backtest_runs`` table (SQLAlchemy Core, no ORM), so
that listing runs does not import the engine, numba, numpy or pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trademind.core.errors import UsageError
from trademind.db.run_summaries import RunSummary, read_summaries

if TYPE_CHECKING:
    from trademind.db.session import Database


def summaries(database: Database, *, limit: int | None, strategy: str | None) -> list[RunSummary]:
    """Stored runs without their curves and trades, newest first (small rows only)."""
    return database.run(lambda connection: read_summaries(connection, limit, strategy=strategy))


def summary_dict(row: RunSummary) -> dict[str, Any]:
    """One stored run as the JSON-ready row lists show."""
    metrics = dict(row.metrics)
    return {
        "id": row.id,
        "name": row.name,
        "strategy": row.strategy,
        "engine": row.config.get("engine"),
        "symbols": list(row.symbols),
        "timeframe": row.timeframe,
        "start": row.period_start.isoformat(),
        "end": row.period_end.isoformat(),
        "status": row.status,
        "initial_cash": row.initial_capital,
        "final_equity": row.final_equity,
        "total_return": metrics.get("total_return"),
        "sharpe": metrics.get("sharpe"),
        "max_drawdown": metrics.get("max_drawdown"),
        "trade_count": metrics.get("trade_count"),
        "started_at": row.started_at.isoformat(),
    }


def list_runs(database: Database, limit: int = 20) -> list[dict[str, Any]]:
    """The latest ``limit`` stored runs, newest first (``backtest list``)."""
    if limit < 1:
        raise UsageError(f"--limit must be at least 1, got {limit}")
    return [summary_dict(row) for row in summaries(database, limit=limit, strategy=None)]
