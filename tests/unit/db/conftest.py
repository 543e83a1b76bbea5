"""Fixtures for the database unit tests: a migrated SQLite file in the test's tmp directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from trademind.db.session import Database


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'db' / 'trademind.db'}"


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Database]:
    """A SQLite database migrated to head through Alembic (the schema users get)."""
    database = Database(sqlite_url)
    database.ensure_schema()
    yield database
    database.dispose()
