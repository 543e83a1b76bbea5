"""Stored backtest runs without their curves and trades (``backtest list``), in Core.

Light to import (no ORM): the ``backtest_runs`` table of :mod:`trademind.db.tables`. The
repository of :mod:`trademind.db.backtest_runs` answers its summaries through this module too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa

from trademind.core.errors import ValidationError
from trademind.db.tables import backtest_runs

_SUMMARY_COLUMNS: Final = (
    "id",
    "name",
    "strategy",
    "symbols",
    "timeframe",
    "period_start",
    "period_end",
    "initial_capital",
    "final_equity",
    "status",
    "metrics",
    "config",
    "started_at",
)


@dataclass(frozen=True)
class RunSummary:
    """A stored run without its equity curve and trades (what lists need)."""

    id: int
    name: str | None
    strategy: str
    symbols: tuple[str, ...]
    timeframe: str
    period_start: datetime
    period_end: datetime
    initial_capital: float
    final_equity: float | None
    status: str
    metrics: Mapping[str, Any]
    config: Mapping[str, Any]
    started_at: datetime


def read_summaries(
    connection: sa.Connection, limit: int | None = None, *, strategy: str | None = None
) -> list[RunSummary]:
    """Newest first, reading only the small columns (no curves, no trades)."""
    if limit is not None and limit < 1:
        raise ValidationError(f"limit must be at least 1, got {limit}")
    columns = [backtest_runs.c[name] for name in _SUMMARY_COLUMNS]
    query = sa.select(*columns).order_by(backtest_runs.c.id.desc())
    if strategy is not None:
        query = query.where(backtest_runs.c.strategy == strategy)
    if limit is not None:
        query = query.limit(limit)
    return [RunSummary(**shared_fields(row)) for row in connection.execute(query)]


def shared_fields(row: Any) -> dict[str, Any]:
    """The fields a summary and a full record share, from a row or a model."""
    return {
        "id": int(row.id),
        "name": row.name,
        "strategy": row.strategy,
        "symbols": tuple(row.symbols),
        "timeframe": row.timeframe,
        "period_start": row.period_start,
        "period_end": row.period_end,
        "initial_capital": float(row.initial_capital),
        "final_equity": None if row.final_equity is None else float(row.final_equity),
        "status": row.status,
        "metrics": dict(row.metrics or {}),
        "config": dict(row.config or {}),
        "started_at": row.started_at,
    }
