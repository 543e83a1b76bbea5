"""Indicator values and engine states in the database, written in bulk.

Values live in the long ``indicators`` table (symbol, timeframe, ts, name, value). Only
finite values are stored: warm-up bars (and the rare undefined value, e.g. %B of a zero-width
band) have no row, and read back as NaN.

Bulk writes never go through the ORM:

* PostgreSQL: one binary ``COPY`` of a wide staging table (ts + one float8 per indicator,
  built with numpy), then one ``INSERT ... SELECT`` that unpivots it ``ON CONFLICT DO UPDATE``
  only where the value differs.
* SQLite: one ``executemany`` of pre-converted tuples (timestamps as the exact text
  :class:`~trademind.db.types.UtcDateTime` stores) with the same upsert, in the caller's
  transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Final, cast

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from trademind.core.errors import ValidationError
from trademind.data.store_frames import sqlite_timestamp, sqlite_timestamps
from trademind.data.store_sqlite import bind_constants
from trademind.db.copy_binary import COPY_HEADER, COPY_TRAILER, encode_copy_rows
from trademind.db.models.market import Indicator, IndicatorState
from trademind.db.session import Database
from trademind.indicators.state import EngineState, FloatArray, IntArray

CHUNK_BARS: Final = 20_000
"""Bars converted and sent per chunk: bounds memory on million-bar writes."""

_STAGE: Final = "tm_indicator_stage"
_VALUES: Final = cast(sa.Table, Indicator.__table__)
_STATES: Final = cast(sa.Table, IndicatorState.__table__)

ROWS_PER_STATEMENT: Final = 500
"""Rows per multi-row ``INSERT`` on SQLite (3 bound values each, far below its 32766 limit):
one statement per row would spend more time stepping statements than inserting."""

_SQLITE_CONSTANTS: Final = "tm_indicator_constants"
_SQLITE_UPSERT: Final = (
    "INSERT INTO indicators (symbol, timeframe, ts, name, value, computed_at) "  # noqa: S608
    "SELECT k.symbol, k.timeframe, v.column1, v.column2, v.column3, k.computed_at "
    f"FROM temp.{_SQLITE_CONSTANTS} AS k, (VALUES {{rows}}) AS v WHERE true "
    "ON CONFLICT (symbol, timeframe, ts, name) DO UPDATE SET "
    "value = excluded.value, computed_at = excluded.computed_at "
    "WHERE indicators.value IS NOT excluded.value"
)
"""Only ts, name and value are bound per row; the per-call constants (symbol, timeframe,
computed_at) are bound once, in a one-row TEMP table joined in
(:func:`trademind.data.store_sqlite.bind_constants`). "WHERE true" keeps SQLite from reading
ON CONFLICT as a join constraint of the SELECT."""


def sqlite_timestamp_texts(ts_ns: IntArray) -> list[str]:
    """UTC epoch nanoseconds as the text UtcDateTime stores on SQLite
    (``2024-01-02 14:30:00.000000``): the bar store's conversion, so both tables key alike."""
    micros = np.asarray(ts_ns, dtype=np.int64) // 1000
    return sqlite_timestamps(micros).tolist()  # type: ignore[no-any-return]


def sqlite_timestamp_text(moment: datetime) -> str:
    """One aware datetime as SQLite timestamp text (see :func:`sqlite_timestamp_texts`)."""
    return sqlite_timestamp(moment)


def _value_matrix(columns: dict[str, FloatArray], length: int) -> FloatArray:
    matrix = np.empty((length, len(columns)))
    for index, values in enumerate(columns.values()):
        matrix[:, index] = values
    return matrix


def _sqlite_parameters(ts_ns: IntArray, columns: dict[str, FloatArray]) -> Iterator[list[Any]]:
    """``[ts, name, value] * rows`` for every finite value, bar by bar, chunk by chunk."""
    names = list(columns)
    width = len(names)
    for first in range(0, len(ts_ns), CHUNK_BARS):
        last = min(first + CHUNK_BARS, len(ts_ns))
        chunk = {name: values[first:last] for name, values in columns.items()}
        flat = _value_matrix(chunk, last - first).ravel()
        positions = np.flatnonzero(np.isfinite(flat))
        stamps = sqlite_timestamp_texts(ts_ns[first:last])
        parameters: list[Any] = [None] * (3 * len(positions))
        parameters[0::3] = map(stamps.__getitem__, (positions // width).tolist())
        parameters[1::3] = map(names.__getitem__, (positions % width).tolist())
        parameters[2::3] = flat[positions].tolist()
        yield parameters


def _copy_chunks(ts_ns: IntArray, columns: dict[str, FloatArray]) -> Iterator[bytes]:
    """The staging rows in PostgreSQL's binary COPY format (NaN stays NaN), chunk by chunk."""
    yield COPY_HEADER
    for first in range(0, len(ts_ns), CHUNK_BARS):
        last = min(first + CHUNK_BARS, len(ts_ns))
        chunk = {name: values[first:last] for name, values in columns.items()}
        micros = np.asarray(ts_ns[first:last], dtype=np.int64) // 1000
        yield encode_copy_rows((), micros, _value_matrix(chunk, last - first), null_last_nan=False)
    yield COPY_TRAILER


_PG_INSERT: Final = (
    "INSERT INTO indicators (symbol, timeframe, ts, name, value, computed_at) "
    "SELECT %s, %s, s.ts, v.name, v.value, %s FROM {stage} AS s "
    "CROSS JOIN LATERAL (VALUES {pairs}) AS v(name, value) "
    "WHERE v.value <> 'NaN'::float8"
)
_PG_UPSERT_TAIL: Final = (
    " ON CONFLICT (symbol, timeframe, ts, name) DO UPDATE SET "
    "value = EXCLUDED.value, computed_at = EXCLUDED.computed_at "
    "WHERE indicators.value IS DISTINCT FROM EXCLUDED.value"
)
_PG_ANY_STORED: Final = (
    "SELECT EXISTS (SELECT 1 FROM indicators WHERE symbol = %s AND timeframe = %s "
    "AND ts BETWEEN %s AND %s)"
)


def _stage_postgresql(cursor: Any, ts_ns: IntArray, columns: dict[str, FloatArray]) -> None:
    value_columns = ", ".join(f"v{index} float8" for index in range(len(columns)))
    cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
    cursor.execute(
        f"CREATE TEMP TABLE {_STAGE} (ts timestamptz NOT NULL, {value_columns}) ON COMMIT DROP"
    )
    with cursor.copy(f"COPY {_STAGE} FROM STDIN (FORMAT BINARY)") as copy:
        for chunk in _copy_chunks(ts_ns, columns):
            copy.write(chunk)


def _insert_new_postgresql(cursor: Any, insert: str, parameters: list[Any]) -> int | None:
    """Plain INSERT (no conflict handling: half the cost) under a savepoint; None when a
    concurrent writer stored a clashing row meanwhile, so the caller upserts instead."""
    cursor.execute("SAVEPOINT tm_indicators_insert")
    try:
        cursor.execute(insert, parameters)
    except Exception as exc:
        if getattr(exc, "sqlstate", None) != "23505":  # unique_violation
            raise
        cursor.execute("ROLLBACK TO SAVEPOINT tm_indicators_insert")
        return None
    inserted = int(cursor.rowcount)
    cursor.execute("RELEASE SAVEPOINT tm_indicators_insert")
    return inserted


def _write_postgresql(
    connection: sa.Connection,
    symbol: str,
    timeframe: str,
    ts_ns: IntArray,
    columns: dict[str, FloatArray],
    *,
    now: datetime,
) -> int:
    """COPY into a staging table, then unpivot it into ``indicators``. When no row of the
    symbol exists in the written time range (a first or full computation) the rows go in
    with a plain INSERT; otherwise with the ``ON CONFLICT ... DO UPDATE WHERE distinct``."""
    raw: Any = connection.connection.driver_connection
    pairs = ", ".join(f"(%s::varchar, s.v{index})" for index in range(len(columns)))
    insert = _PG_INSERT.format(stage=_STAGE, pairs=pairs)
    parameters = [symbol, timeframe, now, *columns]
    span = [symbol, timeframe, as_datetime(int(ts_ns[0])), as_datetime(int(ts_ns[-1]))]
    with raw.cursor() as cursor:
        _stage_postgresql(cursor, ts_ns, columns)
        cursor.execute(_PG_ANY_STORED, span)
        written = (
            None if cursor.fetchone()[0] else _insert_new_postgresql(cursor, insert, parameters)
        )
        if written is None:
            cursor.execute(insert + _PG_UPSERT_TAIL, parameters)
            written = int(cursor.rowcount)
        cursor.execute(f"DROP TABLE {_STAGE}")
    return written


def _write_sqlite(
    connection: sa.Connection,
    symbol: str,
    timeframe: str,
    ts_ns: IntArray,
    columns: dict[str, FloatArray],
    *,
    now: datetime,
) -> int:
    raw: Any = connection.connection.driver_connection
    constants = {
        "symbol": symbol,
        "timeframe": timeframe,
        "computed_at": sqlite_timestamp_text(now),
    }
    bind_constants(connection, _SQLITE_CONSTANTS, constants)
    row = "(?, ?, ?)"
    full = _SQLITE_UPSERT.format(rows=", ".join([row] * ROWS_PER_STATEMENT))
    step = 3 * ROWS_PER_STATEMENT
    written = 0
    cursor = raw.cursor()
    try:
        for parameters in _sqlite_parameters(ts_ns, columns):
            whole = len(parameters) - len(parameters) % step
            cursor.executemany(full, (parameters[at : at + step] for at in range(0, whole, step)))
            written += max(cursor.rowcount, 0)
            if whole < len(parameters):
                rest = _SQLITE_UPSERT.format(
                    rows=", ".join([row] * ((len(parameters) - whole) // 3))
                )
                cursor.execute(rest, parameters[whole:])
                written += max(cursor.rowcount, 0)
    finally:
        cursor.close()
    connection.exec_driver_sql(f"DROP TABLE temp.{_SQLITE_CONSTANTS}")
    return written


def _finite_or_nan(values: FloatArray) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(array)
    return array if bool(finite.all()) else np.where(finite, array, np.nan)


def write_values(
    connection: sa.Connection,
    symbol: str,
    timeframe: str,
    ts_ns: IntArray,
    columns: dict[str, FloatArray],
    *,
    now: datetime,
) -> int:
    """Upsert the finite values of ``columns`` (aligned with ``ts_ns``, UTC epoch ns) inside
    the connection's transaction, stamped computed ``now`` (the caller's clock); returns the
    number of rows inserted or changed."""
    if len(ts_ns) == 0 or not columns:
        return 0
    if len(ts_ns) > 1 and not bool(np.all(np.diff(ts_ns) > 0)):
        raise ValidationError("indicator timestamps must be strictly increasing")
    arrays = {name: _finite_or_nan(values) for name, values in columns.items()}
    if connection.dialect.name == "postgresql":
        return _write_postgresql(connection, symbol, timeframe, ts_ns, arrays, now=now)
    return _write_sqlite(connection, symbol, timeframe, ts_ns, arrays, now=now)


def delete_values(connection: sa.Connection, symbol: str, timeframe: str) -> int:
    """Remove every stored indicator value of ``symbol`` at ``timeframe``."""
    table = _VALUES
    statement = table.delete().where(table.c.symbol == symbol, table.c.timeframe == timeframe)
    return int(connection.execute(statement).rowcount)


def frame_columns(frame: pd.DataFrame) -> tuple[IntArray, dict[str, FloatArray]]:
    """``ts`` as UTC epoch ns and the float columns of an indicator frame."""
    ts = frame["ts"]
    if not isinstance(ts.dtype, pd.DatetimeTZDtype):
        raise ValueError("indicator frame column 'ts' must be timezone-aware")
    ts_ns = np.asarray(ts.dt.tz_convert("UTC").astype("datetime64[ns, UTC]").array.asi8)
    names = [name for name in frame.columns if name != "ts"]
    return ts_ns, {name: frame[name].to_numpy(dtype=np.float64) for name in names}


def write_indicators(
    database: Database, symbol: str, timeframe: str, frame: pd.DataFrame, *, now: datetime
) -> int:
    """Upsert an indicator frame (``ts`` + one column per indicator) in one transaction,
    stamped computed ``now`` (the caller's clock)."""
    ts_ns, columns = frame_columns(frame)
    return database.run(
        lambda connection: write_values(connection, symbol, timeframe, ts_ns, columns, now=now),
        bulk=True,
    )


def read_indicators(
    database: Database,
    symbol: str,
    timeframe: str,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    names: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Stored values with ``start <= ts <= end`` as ``ts`` + one column per name (NaN where a
    bar has no value), oldest first. Columns follow ``names`` when given, else name order."""
    table = _VALUES
    statement = sa.select(table.c.ts, table.c.name, table.c.value).where(
        table.c.symbol == symbol, table.c.timeframe == timeframe
    )
    if start is not None:
        statement = statement.where(table.c.ts >= start)
    if end is not None:
        statement = statement.where(table.c.ts <= end)
    if names is not None:
        statement = statement.where(table.c.name.in_(list(names)))
    rows = database.run(lambda connection: connection.execute(statement).all())
    if not rows:
        empty = {"ts": pd.Series(dtype="datetime64[ns, UTC]")}
        return pd.DataFrame(empty | {name: pd.Series(dtype="float64") for name in names or ()})
    long = pd.DataFrame(rows, columns=["ts", "name", "value"])
    long["ts"] = pd.to_datetime(long["ts"], utc=True).astype("datetime64[ns, UTC]")
    wide = long.pivot(index="ts", columns="name", values="value")
    order = list(names) if names is not None else sorted(wide.columns)
    wide = wide.reindex(columns=order).astype("float64").sort_index()
    wide.columns.name = None
    return wide.reset_index()


def as_datetime(ts_ns: int) -> datetime:
    return pd.Timestamp(ts_ns, tz="UTC").to_pydatetime()


def _as_ns(moment: datetime) -> int:
    return int(pd.Timestamp(moment).tz_convert("UTC").value)


def load_state(connection: sa.Connection, symbol: str, timeframe: str) -> EngineState | None:
    """The saved engine state of ``symbol`` at ``timeframe``, or None."""
    table = _STATES
    row = connection.execute(
        sa.select(table).where(table.c.symbol == symbol, table.c.timeframe == timeframe)
    ).first()
    if row is None:
        return None
    return EngineState(
        spec_key=row.spec_key,
        bars_seen=int(row.bars_seen),
        last_ts=_as_ns(row.last_ts),
        window_start_ts=_as_ns(row.window_start_ts),
        window_length=int(row.window_length),
        window_checksum=row.window_checksum,
        values=EngineState.values_from_bytes(bytes(row.state)),
    )


def save_state(
    connection: sa.Connection, symbol: str, timeframe: str, state: EngineState, *, now: datetime
) -> None:
    """Insert or replace the engine state of ``symbol`` at ``timeframe``, updated ``now`` (the
    caller's clock)."""
    table = _STATES
    row = {
        "symbol": symbol,
        "timeframe": timeframe,
        "spec_key": state.spec_key,
        "last_ts": as_datetime(state.last_ts),
        "bars_seen": state.bars_seen,
        "window_start_ts": as_datetime(state.window_start_ts),
        "window_length": state.window_length,
        "window_checksum": state.window_checksum,
        "state": state.values_bytes(),
        "updated_at": now,
    }
    insert: Any = (
        postgresql.insert(table)
        if connection.dialect.name == "postgresql"
        else sqlite.insert(table)
    )
    updates = {name: insert.excluded[name] for name in row if name not in ("symbol", "timeframe")}
    connection.execute(
        insert.values(row).on_conflict_do_update(
            index_elements=["symbol", "timeframe"], set_=updates
        )
    )


def delete_state(connection: sa.Connection, symbol: str, timeframe: str) -> None:
    table = _STATES
    connection.execute(
        table.delete().where(table.c.symbol == symbol, table.c.timeframe == timeframe)
    )
