"""Repositories: the queries the rest of TradeMind runs, as methods over one Session.

Repositories never commit; the caller's ``Database.session()`` block owns the transaction.
All SQL is built with SQLAlchemy expressions, so every value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from trademind.db.models import ConfigChange, Indicator, MarketData


@dataclass(frozen=True, slots=True)
class BarRecord:
    """One OHLCV bar to store; ``ts`` is the bar's open time (aware)."""

    symbol: str
    timeframe: str
    ts: datetime
    open: float
    high: float
    low: float
    close: float
    volume: float
    source: str
    adj_close: float | None = None


@dataclass(frozen=True, slots=True)
class IndicatorRecord:
    """One indicator value to store."""

    symbol: str
    timeframe: str
    ts: datetime
    name: str
    value: float | None


class ConfigChangeRepository:
    """The audit trail of configuration changes. Values must already have secrets masked."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(
        self,
        *,
        key: str,
        old_value: str | None,
        new_value: str | None,
        source: str,
        file_path: str | None,
        changed_at: datetime,
    ) -> ConfigChange:
        """Add one change made at ``changed_at`` (the caller's clock) and return it with its id
        assigned."""
        change = ConfigChange(
            changed_at=changed_at,
            key=key,
            old_value=old_value,
            new_value=new_value,
            source=source,
            file_path=file_path,
        )
        self._session.add(change)
        self._session.flush()
        return change

    def list_recent(self, limit: int = 50) -> list[ConfigChange]:
        """The newest ``limit`` changes, newest first."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        statement = (
            sa.select(ConfigChange)
            .order_by(ConfigChange.changed_at.desc(), ConfigChange.id.desc())
            .limit(limit)
        )
        return list(self._session.scalars(statement))


class MarketDataRepository:
    """Price bars: bulk upsert, latest bar, date-range reads (all served by the primary key)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert_bars(self, bars: Iterable[BarRecord], *, ingested_at: datetime) -> int:
        """Insert bars, replacing any stored bar with the same (symbol, timeframe, ts);
        ``ingested_at`` is the time they are stamped with (the caller's clock)."""
        rows = [asdict(bar) | {"ingested_at": ingested_at} for bar in bars]
        return _upsert(self._session, MarketData.__table__, rows)

    def latest_bar(self, symbol: str, timeframe: str) -> MarketData | None:
        """The newest stored bar of ``symbol`` at ``timeframe``, or None."""
        statement = (
            sa.select(MarketData)
            .where(MarketData.symbol == symbol, MarketData.timeframe == timeframe)
            .order_by(MarketData.ts.desc())
            .limit(1)
        )
        return self._session.scalars(statement).first()

    def bars(self, symbol: str, timeframe: str, start: datetime, end: datetime) -> list[MarketData]:
        """Bars with ``start <= ts < end``, oldest first."""
        statement = (
            sa.select(MarketData)
            .where(
                MarketData.symbol == symbol,
                MarketData.timeframe == timeframe,
                MarketData.ts >= start,
                MarketData.ts < end,
            )
            .order_by(MarketData.ts)
        )
        return list(self._session.scalars(statement))


class IndicatorRepository:
    """Indicator values in the long layout: bulk upsert and per-symbol date-range reads."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(self, values: Iterable[IndicatorRecord], *, computed_at: datetime) -> int:
        """Insert values, replacing any stored value with the same key; ``computed_at`` is the
        time they are stamped with (the caller's clock)."""
        rows = [asdict(value) | {"computed_at": computed_at} for value in values]
        return _upsert(self._session, Indicator.__table__, rows)

    def values(
        self,
        symbol: str,
        timeframe: str,
        start: datetime,
        end: datetime,
        names: Sequence[str] | None = None,
    ) -> list[Indicator]:
        """Values with ``start <= ts < end`` (optionally only ``names``), by time then name."""
        statement = sa.select(Indicator).where(
            Indicator.symbol == symbol,
            Indicator.timeframe == timeframe,
            Indicator.ts >= start,
            Indicator.ts < end,
        )
        if names is not None:
            statement = statement.where(Indicator.name.in_(list(names)))
        return list(self._session.scalars(statement.order_by(Indicator.ts, Indicator.name)))


def _upsert(session: Session, table: Any, rows: list[dict[str, Any]]) -> int:
    """``INSERT ... ON CONFLICT (primary key) DO UPDATE`` for many rows; returns the row count."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:  # pragma: no cover - TradeMind supports SQLite and PostgreSQL only
        raise NotImplementedError(f"upsert is not implemented for {dialect}")
    key = [column.name for column in table.primary_key.columns]
    updates = {name: statement.excluded[name] for name in rows[0] if name not in key}
    session.execute(statement.on_conflict_do_update(index_elements=key, set_=updates), rows)
    return len(rows)
