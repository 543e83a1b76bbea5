"""Migration plumbing that needs no server: revisions, history, bad targets, status."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from trademind.core.errors import ValidationError
from trademind.db import migrate
from trademind.db.session import Database


def test_history_is_one_linear_chain_from_the_initial_revision_to_head() -> None:
    revisions = sorted(migrate.history(), key=lambda info: info.revision)
    initial = revisions[0]
    assert initial.revision == "0001"
    assert initial.down_revision is None
    assert initial.message.startswith("initial schema")
    for previous, following in itertools.pairwise(revisions):
        assert following.down_revision == previous.revision
    assert [info.revision for info in revisions if info.is_head] == [revisions[-1].revision]
    assert migrate.head_revision() == revisions[-1].revision


def test_current_of_a_missing_sqlite_file_is_none_and_creates_nothing(tmp_path: Path) -> None:
    file = tmp_path / "nowhere" / "trademind.db"
    assert migrate.current(f"sqlite:///{file}") is None
    assert not file.parent.exists()


def test_upgrade_then_current_is_head(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    assert migrate.current(sqlite_url) == migrate.head_revision()
    migrate.downgrade(sqlite_url, "base")
    assert migrate.current(sqlite_url) is None


def test_unknown_revision_is_a_validation_error(sqlite_url: str) -> None:
    with pytest.raises(ValidationError, match="'nope'"):
        migrate.upgrade(sqlite_url, "nope")


def test_relative_downgrade_that_reaches_base_is_detected(database: Database) -> None:
    def reaches(revision: str) -> bool:
        return database.run(lambda connection: migrate.resolves_to_base(connection, revision))

    steps = len(migrate.history())
    assert reaches("base")
    assert reaches(f"-{steps}")
    assert reaches(f"-{steps + 1}")
    assert not reaches(f"-{steps - 1}")
    assert not reaches("0001")
