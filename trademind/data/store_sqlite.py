"""SQLite bulk upsert of bars: a direct insert into an empty range, else a TEMP staging table
then ``INSERT ... SELECT ... ON CONFLICT``.

When none of the bars' timestamps is stored yet (the common first ingest), the bars go straight
into ``market_data`` through executemany of multi-row ``INSERT ... SELECT ... FROM (VALUES ...)``
statements joined to a one-row TEMP table that holds the per-call constants (symbol, timeframe,
source, ingestion time: bound once, not once per bar).

Bars go into the staging table through executemany of multi-row ``VALUES`` statements (only
the timestamp and the six values per bar are bound; the symbol, timeframe, source and
ingestion time are bound once, in the final ``INSERT ... SELECT``). A stored bar whose values
are all identical is left untouched (``ingested_at`` included): the conflict clause only
updates when some value ``IS NOT`` the stored one. Everything runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa

from trademind.data.store_frames import (
    VALUE_COLUMNS,
    epoch_micros,
    sqlite_timestamp,
    sqlite_timestamps,
)
from trademind.data.store_types import UpsertCounts

ROWS_PER_STATEMENT: Final = 200
"""Bars per staging INSERT (7 parameters each, far below SQLite's parameter limit)."""

STAGE_TABLE: Final = "tm_bar_stage"
_FIELDS: Final = ("ts", *VALUE_COLUMNS)
_ROW: Final = "(" + ", ".join("?" for _ in _FIELDS) + ")"


def _stage_sql(rows: int) -> str:
    values = ", ".join(_ROW for _ in range(rows))
    return f"INSERT INTO temp.{STAGE_TABLE} ({', '.join(_FIELDS)}) VALUES {values}"  # noqa: S608


def _upsert_sql() -> str:
    columns = ("symbol", "timeframe", *_FIELDS, "source", "ingested_at")
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*VALUE_COLUMNS, "source", "ingested_at"))
    changed = " OR ".join(f"market_data.{c} IS NOT excluded.{c}" for c in VALUE_COLUMNS)
    # "WHERE true" keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT.
    return (
        f"INSERT INTO market_data ({', '.join(columns)}) "  # noqa: S608 - constant identifiers
        f"SELECT ?, ?, {', '.join(_FIELDS)}, ?, ? FROM temp.{STAGE_TABLE} WHERE true "
        f"ON CONFLICT (symbol, timeframe, ts) DO UPDATE SET {updates} WHERE {changed}"
    )


_UPSERT: Final = _upsert_sql()


_INSERT_ROWS: Final = 200
"""Bars per direct INSERT statement (7 parameters each)."""

CONSTANTS_TABLE: Final = "tm_bar_constants"
_CONSTANT_COLUMNS: Final = ("symbol", "timeframe", "source", "ingested_at")


def _insert_sql(rows: int) -> str:
    values = ", ".join(f"v.column{index}" for index in range(1, len(_FIELDS) + 1))
    columns = ("symbol", "timeframe", *_FIELDS, "source", "ingested_at")
    return (
        f"INSERT INTO market_data ({', '.join(columns)}) "  # noqa: S608 - constant identifiers
        f"SELECT k.symbol, k.timeframe, {values}, k.source, k.ingested_at "
        f"FROM temp.{CONSTANTS_TABLE} AS k, (VALUES {', '.join(_ROW for _ in range(rows))}) AS v"
    )


def upsert_sqlite(
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
    micros = epoch_micros(bars["ts"])
    stamps = sqlite_timestamps(micros)
    constants = (symbol, timeframe, source, sqlite_timestamp(ingested_at))
    columns = [bars[column].to_numpy(np.float64) for column in VALUE_COLUMNS]
    batches = [slice(begin, begin + batch_rows) for begin in range(0, len(bars), batch_rows)]
    if not _any_stored(connection, symbol, timeframe, stamps):
        bind_constants(
            connection, CONSTANTS_TABLE, dict(zip(_CONSTANT_COLUMNS, constants, strict=True))
        )
        for batch in batches:
            _insert_new(connection, stamps[batch], _value_rows(columns, batch))
        connection.exec_driver_sql(f"DROP TABLE temp.{CONSTANTS_TABLE}")
        return UpsertCounts(inserted=len(bars), updated=0, unchanged=0)
    matched = _count_stored(connection, symbol, timeframe, stamps)
    _create_stage(connection)
    for batch in batches:
        _stage_batch(connection, stamps[batch], _value_rows(columns, batch)[:, 1:])
    changed = connection.exec_driver_sql(_UPSERT, constants).rowcount
    connection.exec_driver_sql(f"DROP TABLE temp.{STAGE_TABLE}")
    inserted = len(bars) - matched
    updated = changed - inserted
    return UpsertCounts(inserted=inserted, updated=updated, unchanged=matched - updated)


def _value_rows(
    columns: Sequence[npt.NDArray[np.float64]], batch: slice
) -> npt.NDArray[np.float64]:
    """One float row per bar of ``batch``: slot 0 left for the timestamp, then ``columns``
    (the values in ``_FIELDS`` order). Built per batch, so each batch reuses the memory the
    last one freed (first-touching one matrix for every bar costs more than filling it).
    A NaN adj_close binds as NULL: SQLite stores a bound NaN as NULL."""
    first = columns[0][batch]
    rows = np.empty((len(first), len(_FIELDS)))
    rows[:, 0] = 0.0
    for index, column in enumerate(columns, start=1):
        rows[:, index] = column[batch]
    return rows


def _any_stored(
    connection: sa.Connection, symbol: str, timeframe: str, stamps: npt.NDArray[np.object_]
) -> bool:
    """Whether the series has any bar between the first and the last of ``stamps``."""
    found = connection.exec_driver_sql(
        "SELECT 1 FROM market_data WHERE symbol = ? AND timeframe = ? AND ts >= ? AND ts <= ? "
        "LIMIT 1",
        (symbol, timeframe, stamps[0], stamps[-1]),
    ).first()
    return found is not None


def bind_constants(connection: sa.Connection, table: str, values: Mapping[str, str]) -> None:
    """The per-call values every row of a bulk write shares (symbol, timeframe, a timestamp...)
    as a one-row TEMP table ``table`` with one TEXT column per key: bound once as parameters,
    then joined into each multi-row statement instead of bound once per row.
    ``table`` and the keys are constant identifiers of the caller; drop the table afterwards."""
    columns = ", ".join(f"{name} TEXT" for name in values)
    marks = ", ".join("?" for _ in values)
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{table}")
    connection.exec_driver_sql(f"CREATE TEMP TABLE {table} ({columns})")
    connection.exec_driver_sql(
        f"INSERT INTO temp.{table} VALUES ({marks})",  # noqa: S608 - constant identifiers
        tuple(values.values()),
    )


def _insert_new(
    connection: sa.Connection, stamps: npt.NDArray[np.object_], rows: npt.NDArray[np.float64]
) -> None:
    """Insert bars none of which is stored (the caller checked their range is empty).

    Parameters are built without an object array: the float ``rows`` (see ``_value_rows``)
    become Python lists in one C pass, then each statement's timestamps drop into slot 0 of
    their rows by slice assignment.
    """
    width = len(_FIELDS)
    texts = stamps.tolist()
    full = len(rows) - len(rows) % _INSERT_ROWS
    cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if full:
            chunks = rows[:full].reshape(-1, _INSERT_ROWS * width).tolist()
            for index, chunk in enumerate(chunks):
                chunk[0::width] = texts[index * _INSERT_ROWS : (index + 1) * _INSERT_ROWS]
            cursor.executemany(_insert_sql(_INSERT_ROWS), chunks)
        if full < len(rows):
            rest = rows[full:].reshape(-1).tolist()
            rest[0::width] = texts[full:]
            cursor.execute(_insert_sql(len(rows) - full), rest)
    finally:
        cursor.close()


def _create_stage(connection: sa.Connection) -> None:
    value_types = ", ".join(f"{column} REAL" for column in VALUE_COLUMNS)
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{STAGE_TABLE}")
    connection.exec_driver_sql(f"CREATE TEMP TABLE {STAGE_TABLE} (ts TEXT NOT NULL, {value_types})")


def _count_stored(
    connection: sa.Connection, symbol: str, timeframe: str, stamps: npt.NDArray[np.object_]
) -> int:
    """How many of ``stamps`` are already stored for the series (read within their range)."""
    stored = connection.exec_driver_sql(
        "SELECT ts FROM market_data WHERE symbol = ? AND timeframe = ? AND ts >= ? AND ts <= ?",
        (symbol, timeframe, stamps[0], stamps[-1]),
    ).scalars()
    existing = pd.Index(list(stored))
    if existing.empty:
        return 0
    return int(pd.Index(stamps).isin(existing).sum())


def _stage_batch(
    connection: sa.Connection,
    stamps: npt.NDArray[np.object_],
    numbers: npt.NDArray[np.float64],
) -> None:
    values = np.empty((len(stamps), len(_FIELDS)), dtype=object)
    values[:, 0] = stamps
    values[:, 1:] = numbers  # a NaN adj_close binds as NULL: SQLite stores a bound NaN as NULL
    full = len(values) - len(values) % ROWS_PER_STATEMENT
    if full:
        chunks = values[:full].reshape(-1, ROWS_PER_STATEMENT * len(_FIELDS))
        connection.exec_driver_sql(
            _stage_sql(ROWS_PER_STATEMENT), [tuple(row) for row in chunks.tolist()]
        )
    if full < len(values):
        rest = values[full:]
        connection.exec_driver_sql(_stage_sql(len(rest)), tuple(rest.reshape(-1).tolist()))
