"""PostgreSQL bulk upsert of bars through psycopg 3 ``COPY ... (FORMAT BINARY)``.

The binary COPY stream is built with numpy in one pass
(:func:`trademind.db.copy_binary.encode_copy_rows`; a NULL ``adj_close``, the last field, is
the row without its last 8 bytes), so no Python object is created per bar.

Two paths, both inside the caller's transaction:

* nothing stored yet in the frame's time range (first ingest, appending new bars): COPY
  straight into ``market_data`` (under a savepoint; should another writer have stored bars in
  that range meanwhile, the savepoint is rolled back and the staged path runs instead);
* otherwise: COPY into a TEMP staging table, then ``INSERT ... SELECT ... ON CONFLICT DO
  UPDATE ... WHERE (stored values) IS DISTINCT FROM (new values)``: equal bars stay untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import numpy as np
import pandas as pd
import psycopg
import sqlalchemy as sa

from trademind.data.store_frames import VALUE_COLUMNS, epoch_micros
from trademind.data.store_types import UpsertCounts
from trademind.db.copy_binary import COPY_HEADER, COPY_TRAILER, encode_copy_rows, pg_timestamp

STAGE_TABLE: Final = "tm_bar_stage"

_UNIX_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_BAR_FIELDS: Final = ("ts", *VALUE_COLUMNS)
_DIRECT_COLUMNS: Final = ("symbol", "timeframe", "source", "ingested_at", *_BAR_FIELDS)


def _epoch_micros_of(moment: datetime) -> int:
    return (moment - _UNIX_EPOCH) // timedelta(microseconds=1)


def _copy(
    cursor: psycopg.Cursor[Any],
    *,
    table: str,
    columns: Sequence[str],
    prefix: Sequence[bytes],
    bars: pd.DataFrame,
    batch_rows: int,
) -> None:
    micros = epoch_micros(bars["ts"])
    values = bars[list(VALUE_COLUMNS)].to_numpy(dtype=np.float64)
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    with cursor.copy(statement) as copy:
        copy.write(COPY_HEADER)
        for begin in range(0, len(bars), batch_rows):
            end = begin + batch_rows
            copy.write(encode_copy_rows(prefix, micros[begin:end], values[begin:end]))
        copy.write(COPY_TRAILER)


def upsert_postgres(
    connection: sa.Connection,
    *,
    symbol: str,
    timeframe: str,
    source: str,
    bars: pd.DataFrame,
    ingested_at: datetime,
    batch_rows: int,
) -> UpsertCounts:
    """Upsert ``bars`` (prepared, sorted, unique ``ts``) inside the caller's transaction."""
    if bars.empty:
        return UpsertCounts(0, 0, 0)
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    series = (symbol, timeframe)
    if not _stored_in_range(connection, series, bars):
        try:
            with connection.begin_nested(), driver.cursor() as cursor:
                ingested = int(pg_timestamp(_epoch_micros_of(ingested_at)))
                prefix = (
                    symbol.encode(),
                    timeframe.encode(),
                    source.encode(),
                    ingested.to_bytes(8, "big", signed=True),
                )
                _copy(
                    cursor,
                    table="market_data",
                    columns=_DIRECT_COLUMNS,
                    prefix=prefix,
                    bars=bars,
                    batch_rows=batch_rows,
                )
            return UpsertCounts(inserted=len(bars), updated=0, unchanged=0)
        except psycopg.errors.UniqueViolation:
            pass  # bars appeared in the range meanwhile: upsert them instead
    with driver.cursor() as cursor:
        return _staged_upsert(
            cursor,
            series=series,
            source=source,
            ingested_at=ingested_at,
            bars=bars,
            batch_rows=batch_rows,
        )


def _stored_in_range(
    connection: sa.Connection, series: tuple[str, str], bars: pd.DataFrame
) -> bool:
    found = connection.execute(
        sa.text(
            "SELECT 1 FROM market_data WHERE symbol = :symbol AND timeframe = :timeframe "
            "AND ts >= :first AND ts <= :last LIMIT 1"
        ),
        {
            "symbol": series[0],
            "timeframe": series[1],
            "first": bars["ts"].iloc[0].to_pydatetime(),
            "last": bars["ts"].iloc[-1].to_pydatetime(),
        },
    ).first()
    return found is not None


def _staged_upsert(
    cursor: psycopg.Cursor[Any],
    *,
    series: tuple[str, str],
    source: str,
    ingested_at: datetime,
    bars: pd.DataFrame,
    batch_rows: int,
) -> UpsertCounts:
    value_types = ", ".join(f"{column} double precision" for column in VALUE_COLUMNS)
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGE_TABLE}")
    cursor.execute(
        f"CREATE TEMP TABLE {STAGE_TABLE} (ts timestamptz NOT NULL, {value_types}) ON COMMIT DROP"
    )
    _copy(
        cursor, table=STAGE_TABLE, columns=_BAR_FIELDS, prefix=(), bars=bars, batch_rows=batch_rows
    )
    symbol, timeframe = series
    cursor.execute(
        f"SELECT count(*) FROM {STAGE_TABLE} AS s JOIN market_data AS m "  # noqa: S608 - constant
        "ON m.symbol = %s AND m.timeframe = %s AND m.ts = s.ts",
        (symbol, timeframe),
    )
    row = cursor.fetchone()
    matched = int(row[0]) if row else 0
    cursor.execute(_STAGED_UPSERT, (symbol, timeframe, source, ingested_at))
    changed = cursor.rowcount
    inserted = len(bars) - matched
    updated = changed - inserted
    return UpsertCounts(inserted=inserted, updated=updated, unchanged=matched - updated)


def _staged_upsert_sql() -> str:
    columns = ("symbol", "timeframe", *_BAR_FIELDS, "source", "ingested_at")
    selected = ", ".join(f"s.{column}" for column in _BAR_FIELDS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*VALUE_COLUMNS, "source", "ingested_at"))
    stored = ", ".join(f"market_data.{column}" for column in VALUE_COLUMNS)
    incoming = ", ".join(f"EXCLUDED.{column}" for column in VALUE_COLUMNS)
    return (
        f"INSERT INTO market_data ({', '.join(columns)}) "  # noqa: S608 - constant identifiers
        f"SELECT %s, %s, {selected}, %s, %s FROM {STAGE_TABLE} AS s "
        f"ON CONFLICT (symbol, timeframe, ts) DO UPDATE SET {updates} "
        f"WHERE ({stored}) IS DISTINCT FROM ({incoming})"
    )


_STAGED_UPSERT: Final = _staged_upsert_sql()
