"""The bar store: idempotent bulk upserts, range reads, coverage and the quarantine.

One :class:`BarStore` wraps one :class:`~trademind.db.session.Database`. Every write of a
series is one transaction: on any failure nothing of it is stored, and other series are not
affected. Re-writing identical bars changes nothing (not even ``ingested_at``). Symbols are
normalised at this edge (``brk.b`` and ``BRK-B`` are one series).

Bulk paths: SQLite gets multi-row ``INSERT ... ON CONFLICT`` statements through executemany
(:mod:`trademind.data.store_sqlite`); PostgreSQL gets binary COPY, into the table or into a
staging table followed by ``INSERT ... SELECT ... ON CONFLICT`` (:mod:`trademind.data.copy_pg`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, cast

import pandas as pd
import sqlalchemy as sa

from trademind.data import store_quarantine, store_summary
from trademind.data.copy_pg import upsert_postgres
from trademind.data.corporate import adjusted_frame
from trademind.data.schema import check_timeframe, empty_bar_frame, normalise_symbol
from trademind.data.store_frames import (
    VALUE_COLUMNS,
    as_utc,
    check_source,
    frame_from_columns,
    parse_sqlite_timestamps,
    prepare_bars,
)
from trademind.data.store_quarantine import QuarantineRow
from trademind.data.store_sqlite import upsert_sqlite
from trademind.data.store_types import (
    Coverage,
    DeletedSeries,
    QuarantineRecord,
    SeriesSummary,
    UpsertCounts,
)
from trademind.db.models import Indicator, MarketData
from trademind.db.models.market import IndicatorState
from trademind.db.session import Database

__all__ = [
    "BarStore",
    "Coverage",
    "DeletedSeries",
    "QuarantineRecord",
    "QuarantineRow",
    "SeriesSummary",
    "UpsertCounts",
    "WriteResult",
]

DEFAULT_BATCH_ROWS: Final = 100_000
_BARS: Final = cast(sa.Table, MarketData.__table__)
_INDICATORS: Final = cast(sa.Table, Indicator.__table__)
_INDICATOR_STATE: Final = cast(sa.Table, IndicatorState.__table__)

Moment = datetime | date | pd.Timestamp


@dataclass(frozen=True)
class WriteResult:
    """One series written: the bar counts and how many rows were newly quarantined."""

    counts: UpsertCounts
    quarantined: int


class BarStore:
    """Bars and quarantined rows of every series, in one database."""

    def __init__(self, database: Database, *, batch_rows: int = DEFAULT_BATCH_ROWS) -> None:
        if batch_rows < 1:
            raise ValueError(f"batch_rows must be at least 1, got {batch_rows}")
        self._database = database
        self._batch_rows = batch_rows

    @property
    def database(self) -> Database:
        return self._database

    # --- writing -----------------------------------------------------------------------------

    def upsert_bars(
        self, symbol: str, timeframe: str, source: str, frame: pd.DataFrame, *, now: datetime
    ) -> UpsertCounts:
        """Insert new bars and update changed ones (stamped ``now``, the caller's clock);
        identical bars stay untouched."""
        return self.write(symbol, timeframe, source, frame, now=now).counts

    def quarantine(
        self,
        symbol: str,
        timeframe: str,
        source: str,
        rows: Iterable[QuarantineRow],
        *,
        now: datetime,
    ) -> int:
        """Store refused rows with their reason (quarantined ``now``); returns how many are
        newly open."""
        empty = empty_bar_frame()
        return self.write(symbol, timeframe, source, empty, rows, now=now).quarantined

    def write(
        self,
        symbol: str,
        timeframe: str,
        source: str,
        frame: pd.DataFrame,
        quarantined: Iterable[QuarantineRow] = (),
        *,
        now: datetime,
    ) -> WriteResult:
        """Upsert ``frame`` and quarantine ``quarantined`` in ONE transaction (all or nothing);
        both are stamped ``now`` (the caller's clock)."""
        series = (normalise_symbol(symbol), check_timeframe(timeframe))
        check_source(source)
        bars = prepare_bars(frame)
        refused = list(quarantined)

        def work(connection: sa.Connection) -> WriteResult:
            counts = self._upsert(connection, series, source, bars, now)
            added = store_quarantine.insert_quarantine(connection, series, source, refused, now=now)
            return WriteResult(counts=counts, quarantined=added)

        return self._run(work, f"storing {series[0]} {series[1]}", bulk=True)

    def _upsert(
        self,
        connection: sa.Connection,
        series: tuple[str, str],
        source: str,
        bars: pd.DataFrame,
        ingested_at: datetime,
    ) -> UpsertCounts:
        upsert = upsert_postgres if connection.dialect.name == "postgresql" else upsert_sqlite
        return upsert(
            connection,
            symbol=series[0],
            timeframe=series[1],
            source=source,
            bars=bars,
            ingested_at=ingested_at,
            batch_rows=self._batch_rows,
        )

    def delete_bars(
        self, symbol: str, timeframe: str | None = None, *, now: datetime
    ) -> DeletedSeries:
        """Delete a symbol's bars, indicator values and indicator state (one timeframe or all)
        and resolve its open quarantine rows (at ``now``, the caller's clock), so the next
        ingest fetches everything again."""
        name = normalise_symbol(symbol)
        if timeframe is not None:
            check_timeframe(timeframe)

        def work(connection: sa.Connection) -> DeletedSeries:
            counts = []
            for table in (_BARS, _INDICATORS, _INDICATOR_STATE):
                statement = sa.delete(table).where(table.c.symbol == name)
                if timeframe is not None:
                    statement = statement.where(table.c.timeframe == timeframe)
                counts.append(connection.execute(statement).rowcount)
            resolved = store_quarantine.resolve(connection, name, timeframe, now=now)
            return DeletedSeries(bars=counts[0], indicators=counts[1], quarantine_resolved=resolved)

        return self._run(work, f"deleting {name}")

    def count_series(self, symbol: str) -> tuple[int, int]:
        """How many bars and indicator values of ``symbol`` are stored (every timeframe): what
        :meth:`delete_bars` would delete."""
        name = normalise_symbol(symbol)

        def work(connection: sa.Connection) -> tuple[int, int]:
            counts = [
                connection.execute(
                    sa.select(sa.func.count()).select_from(table).where(table.c.symbol == name)
                ).scalar_one()
                for table in (_BARS, _INDICATORS)
            ]
            return int(counts[0]), int(counts[1])

        return self._run(work, f"counting {name}")

    # --- reading -----------------------------------------------------------------------------

    def read_bars(
        self,
        symbol: str,
        timeframe: str,
        start: Moment | None = None,
        end: Moment | None = None,
        *,
        adjusted: bool,
    ) -> pd.DataFrame:
        """Stored bars with ``start <= ts <= end`` (both optional), oldest first, as a bar frame;
        ``adjusted`` applies split and dividend adjustment (trademind.data.corporate)."""
        name, timeframe = normalise_symbol(symbol), check_timeframe(timeframe)
        sqlite_backend = self._database.backend == "sqlite"
        ts_column: Any = (
            sa.type_coerce(_BARS.c.ts, sa.String())
            if sqlite_backend
            else sa.cast(sa.extract("epoch", _BARS.c.ts) * 1_000_000, sa.BigInteger)
        )
        statement = sa.select(ts_column, *(_BARS.c[column] for column in VALUE_COLUMNS)).where(
            _BARS.c.symbol == name, _BARS.c.timeframe == timeframe
        )
        if start is not None:
            statement = statement.where(_BARS.c.ts >= as_utc(start, what="start"))
        if end is not None:
            statement = statement.where(_BARS.c.ts <= as_utc(end, what="end"))
        rows: Sequence[Any] = self._run(
            lambda connection: connection.execute(statement.order_by(_BARS.c.ts)).all(),
            f"reading {name} {timeframe}",
        )
        columns: list[Sequence[Any]] = (
            list(zip(*rows, strict=True)) if rows else [() for _ in range(7)]
        )
        micros = parse_sqlite_timestamps(list(columns[0])) if sqlite_backend else columns[0]
        frame = frame_from_columns(
            micros, {column: columns[i + 1] for i, column in enumerate(VALUE_COLUMNS)}
        )
        return adjusted_frame(frame, use_adjusted=adjusted)

    def coverage(self, symbol: str, timeframe: str) -> Coverage | None:
        """First and last stored bar, row count and newest ingestion time, or None."""
        name, timeframe = normalise_symbol(symbol), check_timeframe(timeframe)
        found = self._summaries(
            lambda statement: statement.where(
                _BARS.c.symbol == name, _BARS.c.timeframe == timeframe
            )
        )
        return found.get((name, timeframe))

    def symbols(self) -> list[tuple[str, str]]:
        """Every stored (symbol, timeframe), sorted."""
        return sorted(self._summaries(lambda statement: statement))

    def summary(self) -> list[SeriesSummary]:
        """Every series with stored bars or open quarantine rows, sorted by symbol."""
        return store_summary.summary(self._database)

    def open_quarantine(
        self, symbols: Sequence[str] | None = None, timeframe: str | None = None
    ) -> list[QuarantineRecord]:
        """Open (unresolved) quarantine rows, optionally of some symbols or one timeframe."""
        names = None if symbols is None else [normalise_symbol(s) for s in symbols]
        return self._run(
            lambda connection: store_quarantine.open_quarantine(connection, names, timeframe),
            "reading the quarantine",
        )

    def _summaries(self, restrict: store_summary.Restrict) -> dict[tuple[str, str], Coverage]:
        return store_summary.coverages(self._database, restrict)

    def _run[T](self, work: Callable[[sa.Connection], T], action: str, *, bulk: bool = False) -> T:
        """Run ``work`` in one transaction; driver errors become one-line DatabaseErrors."""
        return store_summary.run_work(self._database, work, action, bulk=bulk)
