"""The ``backtest_runs`` table: every backtest, what it was asked and what came out.

A run is written once, complete, after the engine finishes (or as ``failed`` with its error):
configuration, parameters, data range, metrics, the equity curve and every trade with its
reasons. Reports and ``backtest results`` read it back from here, so every number they show is
reproducible from the stored trades. Repositories never commit; the caller's session does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from trademind.core.errors import ValidationError
from trademind.db.models import BacktestRun
from trademind.db.run_summaries import RunSummary, read_summaries, shared_fields


@dataclass(frozen=True)
class RunRecord:
    """A finished backtest as stored (JSON-ready values only)."""

    strategy: str
    symbols: tuple[str, ...]
    timeframe: str
    period_start: datetime
    period_end: datetime
    initial_capital: float
    final_equity: float | None
    config: Mapping[str, Any]
    params: Mapping[str, Any]
    metrics: Mapping[str, Any]
    equity_curve: Sequence[Sequence[Any]]
    trades: Sequence[Mapping[str, Any]]
    started_at: datetime
    status: str = "completed"
    error: str | None = None
    name: str | None = None
    code_version: str | None = None
    finished_at: datetime | None = None
    id: int | None = None


def _money(value: float | None) -> Decimal | None:
    """A float amount as the exact decimal of its shortest repr (``0.1`` -> ``Decimal('0.1')``)."""
    return None if value is None else Decimal(repr(float(value)))


class BacktestRunRepository:
    """Store and read backtest runs."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, record: RunRecord) -> int:
        """Store ``record`` (which says when it started and finished) and return its id."""
        if record.finished_at is None:
            raise ValidationError("a backtest run is stored when it has finished: finished_at")
        row = BacktestRun(
            name=record.name,
            strategy=record.strategy,
            symbols=list(record.symbols),
            timeframe=record.timeframe,
            period_start=record.period_start,
            period_end=record.period_end,
            initial_capital=_money(record.initial_capital),
            final_equity=_money(record.final_equity),
            status=record.status,
            config=dict(record.config),
            params=dict(record.params),
            metrics=dict(record.metrics),
            equity_curve=[list(point) for point in record.equity_curve],
            trades=[dict(trade) for trade in record.trades],
            error=record.error,
            code_version=record.code_version,
            started_at=record.started_at,
            finished_at=record.finished_at,
        )
        self._session.add(row)
        self._session.flush()
        return int(row.id)

    def get(self, run_id: int) -> RunRecord:
        """The run ``run_id``, or a ValidationError naming it when there is none."""
        row = self._session.get(BacktestRun, run_id)
        if row is None:
            raise ValidationError(
                f"no run #{run_id} stored (`trademind backtest list` shows the stored runs)"
            )
        return _record(row)

    def recent(self, limit: int = 20, *, strategy: str | None = None) -> list[RunRecord]:
        """The latest runs first (optionally of one strategy)."""
        if limit < 1:
            raise ValidationError(f"limit must be at least 1, got {limit}")
        query = sa.select(BacktestRun).order_by(BacktestRun.id.desc()).limit(limit)
        if strategy is not None:
            query = query.where(BacktestRun.strategy == strategy)
        return [_record(row) for row in self._session.scalars(query)]

    def summaries(
        self, limit: int | None = None, *, strategy: str | None = None
    ) -> list[RunSummary]:
        """Newest first, reading only the small columns (no curves, no trades)."""
        if limit is not None and limit < 1:
            raise ValidationError(f"limit must be at least 1, got {limit}")
        return read_summaries(self._session.connection(), limit, strategy=strategy)


def _record(row: BacktestRun) -> RunRecord:
    return RunRecord(
        **shared_fields(row),
        params=row.params,
        equity_curve=row.equity_curve,
        trades=row.trades,
        error=row.error,
        code_version=row.code_version,
        finished_at=row.finished_at,
    )
