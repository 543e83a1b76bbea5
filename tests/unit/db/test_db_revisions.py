"""Issue 9 defect 15: a database already at the newest schema is recognised without Alembic.

:mod:`trademind.db.revisions` reads the head from the migration scripts' own declarations and
the current revision with one query; these tests hold it to Alembic's answers, and check that
anything it cannot read simply is left to Alembic (None), never guessed.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from trademind.db import migrate, revisions
from trademind.db.session import Database


def test_the_shipped_head_is_alembics_head() -> None:
    assert revisions.shipped_head() == migrate.head_revision()


def test_a_migrated_database_is_current_and_an_older_one_is_not(database: Database) -> None:
    head = migrate.head_revision()
    assert database.run(revisions.current_revisions) == (head,)
    assert database.run(lambda connection: revisions.is_current(connection, head))
    previous = migrate.history()[1].revision
    database.run(lambda connection: migrate.downgrade_on(connection, previous))
    assert not database.run(lambda connection: revisions.is_current(connection, head))
    database.ensure_schema()  # the fast check says "not current": Alembic upgrades as before
    assert database.run(migrate.current_on) == head


def test_a_new_database_has_no_revision_and_ensure_schema_migrates_it(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    try:
        assert database.run(revisions.current_revisions) == ()
        database.ensure_schema()
        assert database.run(migrate.current_on) == migrate.head_revision()
        assert "market_data" in sa.inspect(database.engine).get_table_names()
    finally:
        database.dispose()


def _script(versions: Path, name: str, body: str) -> None:
    versions.mkdir(exist_ok=True)
    (versions / f"{name}.py").write_text(f'"""{name}"""\n\n{body}\n', encoding="utf-8")


def test_a_linear_history_has_its_newest_revision_as_head(tmp_path: Path) -> None:
    _script(tmp_path, "a", 'revision: str = "a1"\ndown_revision: str | None = None')
    _script(tmp_path, "b", "revision = 'b2'\ndown_revision = 'a1'")
    assert revisions.read_heads(tmp_path) == {"b2"}


def test_two_branches_are_two_heads(tmp_path: Path) -> None:
    _script(tmp_path, "a", 'revision = "a1"\ndown_revision = None')
    _script(tmp_path, "b", 'revision = "b2"\ndown_revision = "a1"')
    _script(tmp_path, "c", 'revision = "c3"\ndown_revision = "a1"')
    assert revisions.read_heads(tmp_path) == {"b2", "c3"}


def test_what_the_reader_does_not_understand_is_left_to_alembic(tmp_path: Path) -> None:
    _script(tmp_path, "a", 'revision = "a1"\ndown_revision = None')
    _script(tmp_path, "m", 'revision = "m2"\ndown_revision = ("a1", "x")')  # a merge
    assert revisions.read_heads(tmp_path) is None
    computed = tmp_path / "computed"
    _script(computed, "a", 'revision = "a1"\ndown_revision = None')
    _script(computed, "b", 'revision = "b" + "2"\ndown_revision = "a1"')
    assert revisions.read_heads(computed) is None
    unknown_parent = tmp_path / "orphan"
    _script(unknown_parent, "b", 'revision = "b2"\ndown_revision = "zz"')
    assert revisions.read_heads(unknown_parent) is None
    assert revisions.read_heads(tmp_path / "empty") is None
