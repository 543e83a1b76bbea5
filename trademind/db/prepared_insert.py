"""Many rows inserted through one statement compiled once: the hot write path of the decision log.

SQLAlchemy's ``connection.execute(insert, rows)`` processes every row's parameters through the
compiled statement's machinery at each call (``construct_params`` per row); for thousands of
rows per transaction that costs more than the database's own work. :class:`PreparedInsert`
compiles its ``INSERT ... ON CONFLICT (keys) DO NOTHING`` once per dialect and set of columns,
applies each column type's own bind processor (the same functions SQLAlchemy applies:
``UtcDateTime`` to UTC, JSON documents through the engine's serialiser, ...) and hands the rows
to the driver's ``executemany`` (``connection.exec_driver_sql``): the stored values are those
``connection.execute`` would store. The conversion of a value repeated in a call (a bar close
shared by a batch's rows, the rules' payload shared by every row) is done once per call.
SQLite and PostgreSQL (psycopg) only, as the rest of the database layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

_Processor = Callable[[Any], Any]


class _Compiled:
    """The statement text of one dialect and column set, its parameter order, a getter of a
    row's values in that order, and the bind processor of each parameter that has one."""

    def __init__(self, connection: sa.Connection, table: sa.Table, keys: tuple[str, ...],
                 conflict: Sequence[str]) -> None:  # fmt: skip
        dialect = connection.dialect
        module = postgresql if dialect.name == "postgresql" else sqlite
        statement = module.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        order = list(compiled.positiontup or ()) if self.positional else list(keys)
        if sorted(order) != sorted(keys):
            raise ValueError(f"insert into {table.name}: parameters {order} do not match {keys}")
        self.keys = tuple(order)
        self.values_of = itemgetter(*self.keys)
        processors = [(key, _processor(table.c[key].type, dialect)) for key in self.keys]
        self.processors = [(key, p) for key, p in processors if p is not None]


def _processor(type_: sa.types.TypeEngine[Any], dialect: sa.Dialect) -> _Processor | None:
    processor: _Processor | None = type_.dialect_impl(dialect).bind_processor(dialect)
    return processor


class PreparedInsert:
    """``INSERT INTO table ... ON CONFLICT (conflict) DO NOTHING`` of many rows (module doc)."""

    def __init__(self, table: sa.Table, *, conflict: Sequence[str]) -> None:
        self._table = table
        self._conflict = tuple(conflict)
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def execute(self, connection: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` (dicts of one set of keys: the first row's) in their order; a row
        lacking a key of the first one raises KeyError, as SQLAlchemy refuses it. The rows are
        the caller's to give away: each value with a bind processor is replaced by its
        processed value."""
        if not rows:
            return
        keys = tuple(rows[0])
        compiled = self._compiled.get((connection.dialect.name, keys))
        if compiled is None:
            compiled = _Compiled(connection, self._table, keys, self._conflict)
            self._compiled[(connection.dialect.name, keys)] = compiled
        for key, processor in compiled.processors:
            _process(rows, key, processor)
        if compiled.positional:
            connection.exec_driver_sql(compiled.sql, list(map(compiled.values_of, rows)))
        else:
            for row in rows:
                compiled.values_of(row)  # every key there (KeyError otherwise)
            connection.exec_driver_sql(compiled.sql, list(rows))


def _process(rows: Sequence[dict[str, Any]], key: str, processor: _Processor) -> None:
    """Each row's ``key`` processed in place; a datetime or a document (dict) seen before in
    the call is processed once (datetimes by value, documents by identity)."""
    by_time: dict[datetime, Any] = {}
    by_identity: dict[int, Any] = {}
    for row in rows:
        value = row[key]
        if type(value) is datetime:
            found = by_time.get(value)
            if found is None:
                found = by_time[value] = processor(value)
        elif type(value) is dict:
            found = by_identity.get(id(value))
            if found is None:
                found = by_identity[id(value)] = processor(value)
        else:
            found = processor(value)
        row[key] = found
