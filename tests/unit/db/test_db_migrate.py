"""Migration plumbing that needs no server: revisions, history, bad targets, status."""

from __future__ import annotations

from pathlib import Path

import pytest

from trademind.core.errors import ValidationError
from trademind.db import migrate
from trademind.db.session import Database


def test_head_is_the_initial_revision_and_history_lists_it() -> None:
    assert migrate.head_revision() == "0001"
    (initial,) = migrate.history()
    assert initial.revision == "0001"
    assert initial.down_revision is None
    assert initial.is_head
    assert initial.message.startswith("initial schema")


def test_current_of_a_missing_sqlite_file_is_none_and_creates_nothing(tmp_path: Path) -> None:
    file = tmp_path / "nowhere" / "trademind.db"
    assert migrate.current(f"sqlite:///{file}") is None
    assert not file.parent.exists()


def test_upgrade_then_current_is_head(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    assert migrate.current(sqlite_url) == "0001"
    migrate.downgrade(sqlite_url, "base")
    assert migrate.current(sqlite_url) is None


def test_unknown_revision_is_a_validation_error(sqlite_url: str) -> None:
    with pytest.raises(ValidationError, match="'nope'"):
        migrate.upgrade(sqlite_url, "nope")


def test_relative_downgrade_that_reaches_base_is_detected(database: Database) -> None:
    def reaches(revision: str) -> bool:
        return database.run(lambda connection: migrate.resolves_to_base(connection, revision))

    assert reaches("base")
    assert reaches("-1")
    assert reaches("-2")
    assert not reaches("0001")
