"""The prepared insert stores what SQLAlchemy's own insert of the same rows stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from trademind.db.prepared_insert import PreparedInsert
from trademind.db.session import Database
from trademind.db.types import JsonDocument, UtcDateTime

METADATA = sa.MetaData()
TABLES = [
    sa.Table(
        name,
        METADATA,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ref", sa.String(16), nullable=False),
        sa.Column("at", UtcDateTime, nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("flag", sa.Boolean, nullable=False),
        sa.Column("doc", JsonDocument, nullable=False),
        sa.UniqueConstraint("ref"),
    )
    for name in ("prepared", "reference")
]
SHARED = {"weights": {"a": 1.0}}
PARIS = timezone(timedelta(hours=1))


def _rows() -> list[dict[str, Any]]:
    at = datetime(2024, 3, 1, 21, 0, tzinfo=UTC)
    return [
        {"ref": "a", "at": at, "score": 0.25, "flag": True, "doc": SHARED},
        {"ref": "b", "at": at.astimezone(PARIS), "score": None, "flag": False, "doc": SHARED},
        {"ref": "c", "at": None, "score": -1.0, "flag": False, "doc": {"votes": [1, "x"]}},
        {"ref": "a", "at": at, "score": 0.5, "flag": False, "doc": {}},  # stored already
    ]


def _stored(connection: sa.Connection, table: str) -> list[tuple[Any, ...]]:
    query = f"SELECT ref, at, score, flag, doc FROM {table} ORDER BY id"
    return list(connection.exec_driver_sql(query))


def test_the_stored_rows_are_those_of_sqlalchemys_insert(tmp_path: Any) -> None:
    database = Database(f"sqlite:///{tmp_path / 'rows.db'}")
    METADATA.create_all(database.engine)
    prepared, reference = TABLES
    insert = PreparedInsert(prepared, conflict=["ref"])
    with database.engine.begin() as connection:
        insert.execute(connection, _rows())
        statement = sqlite.insert(reference).on_conflict_do_nothing(index_elements=["ref"])
        connection.execute(statement, _rows())
        stored = _stored(connection, "prepared")
        assert stored == _stored(connection, "reference")
        assert [row[0] for row in stored] == ["a", "b", "c"]
        assert stored[1][1] == "2024-03-01 21:00:00.000000"  # UTC wall time
        assert stored[0][4] == '{"weights": {"a": 1.0}}'
    database.dispose()


def test_a_row_without_a_column_of_the_first_is_refused(tmp_path: Any) -> None:
    database = Database(f"sqlite:///{tmp_path / 'rows.db'}")
    METADATA.create_all(database.engine)
    rows = _rows()[:2]
    del rows[1]["score"]
    with database.engine.begin() as connection, pytest.raises(KeyError, match="score"):
        PreparedInsert(TABLES[0], conflict=["ref"]).execute(connection, rows)
    with database.engine.connect() as connection:
        assert _stored(connection, "prepared") == []
    database.dispose()
