"""`trademind db downgrade` asks before it deletes data (issue 9, defect 4).

Every downgrade that drops a table holding rows, or a column holding values, names what goes
with row counts and asks on a terminal; without a terminal it needs ``--yes`` (exit 2, one
line, nothing changed). A downgrade that loses nothing just runs. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.cli_driver import Cli

from trademind.cli import confirm
from trademind.db import migrate, schema_loss
from trademind.db.models import metadata
from trademind.db.session import Database

HEAD = migrate.head_revision()
NOW = datetime(2024, 1, 2, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'guard' / 'trademind.db'}"
    else:
        database_url = str(request.getfixturevalue("postgres_schema_url"))
    monkeypatch.setenv("TRADEMIND__DATABASE__URL", database_url)
    migrate.upgrade(database_url)
    return database_url


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def _fill(url: str, quarantined: int, states: int) -> None:
    quarantine = metadata.tables["data_quarantine"]
    state = metadata.tables["indicator_state"]
    database = Database(url)
    try:
        with database.engine.begin() as connection:
            for n in range(quarantined):
                connection.execute(
                    quarantine.insert().values(
                        symbol="AAPL", timeframe="1d", source="csv", check="ohlc",
                        detail="high < low", fingerprint=f"{n:064d}", quarantined_at=NOW,
                    )
                )  # fmt: skip
            for n in range(states):
                connection.execute(
                    state.insert().values(
                        symbol=f"S{n}", timeframe="1d", spec_key="k", last_ts=NOW, bars_seen=1,
                        window_start_ts=NOW, window_length=1, window_checksum="c",
                        state=b"\x00", updated_at=NOW,
                    )
                )  # fmt: skip
    finally:
        database.dispose()


def _snapshot(url: str) -> tuple[str | None, dict[str, int]]:
    """The revision and the row count of every table: what "nothing changed" compares."""
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            tables = sorted(schema_loss.shape_of(connection))
            counts = {
                table: int(
                    connection.execute(
                        sa.select(sa.func.count()).select_from(sa.table(table))
                    ).scalar_one()
                )
                for table in tables
            }
        return migrate.current(url), counts
    finally:
        database.dispose()


def test_downgrade_dropping_tables_with_rows_is_refused_without_yes(url: str, cli: Cli) -> None:
    _fill(url, quarantined=12, states=3)
    before = _snapshot(url)
    code, out, err = cli("db", "downgrade", "0001")
    assert code == 2, err
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert "data_quarantine: 12 rows, indicator_state: 3 rows" in err
    assert "--yes" in err
    assert _snapshot(url) == before


def test_relative_and_base_downgrades_are_refused_too(url: str, cli: Cli) -> None:
    _fill(url, quarantined=0, states=2)
    before = _snapshot(url)
    steps = len(migrate.history())
    # the revisions after 0003 lose nothing here (0008 drops empty columns, 0007 the empty
    # safety_state table and new safety_events columns, 0006 the empty
    # accounts tables, 0005 changes a CHECK, 0004 rebuilds tables); 0003's indicator_state holds
    # rows
    harmless = steps - 3
    relative = [f"-{n}" for n in range(1, harmless + 2)]
    for target in (*relative, f"-{steps}", "base"):
        code, _, err = cli("db", "downgrade", target)
        if int(target[1:] if target[1:].isdigit() else steps) <= harmless:
            assert code == 0, err
            migrate.upgrade(url)
            continue
        assert code == 2, (target, err)
        assert "indicator_state: 2 rows" in err
        assert "data_quarantine" not in err  # empty: nothing of it is lost
        assert _snapshot(url) == before


def test_downgrade_with_yes_deletes_what_it_said(url: str, cli: Cli) -> None:
    _fill(url, quarantined=12, states=3)
    result = cli.json("db", "downgrade", "0001", "--yes")
    assert result["revision"] == "0001"
    revision, counts = _snapshot(url)
    assert revision == "0001"
    assert "data_quarantine" not in counts
    assert "indicator_state" not in counts


def test_downgrade_that_loses_nothing_needs_no_confirmation(url: str, cli: Cli) -> None:
    assert cli.json("db", "downgrade", "0001")["revision"] == "0001"
    assert cli.json("db", "downgrade", "base")["revision"] is None


def test_a_terminal_is_asked_and_no_changes_nothing(
    url: str, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(url, quarantined=1, states=0)
    before = _snapshot(url)
    monkeypatch.setattr(confirm, "stdin_is_terminal", lambda: True)
    answers = iter(["n\n", "y\n"])
    monkeypatch.setattr("sys.stdin", _Answer(next(answers)))
    code, _, err = cli("db", "downgrade", "0001")
    assert code == 1
    assert "deletes data_quarantine: 1 rows. Continue?" in err
    assert err.rstrip().endswith("error: db downgrade 0001 cancelled; nothing was changed")
    assert _snapshot(url) == before
    monkeypatch.setattr("sys.stdin", _Answer(next(answers)))
    code, out, err = cli("db", "downgrade", "0001")
    assert code == 0, err
    assert "now at revision 0001" in out


class _Answer:
    """A stdin holding one typed answer (the terminal check is faked separately)."""

    def __init__(self, line: str) -> None:
        self._line = line

    def readline(self, *_: object) -> str:
        line, self._line = self._line, ""
        return line

    def isatty(self) -> bool:
        return True


def test_a_dropped_column_with_values_counts(
    url: str, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A future migration that drops a column: its non-NULL values are what would be lost."""
    database = Database(url)
    try:
        with database.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE config_changes ADD COLUMN note TEXT")
            changed_at = sa.column("changed_at", sa.DateTime(timezone=True))
            others = map(sa.column, ("key", "source", "note"))
            table = sa.table("config_changes", changed_at, *others)
            for note in ("kept", None, "also"):
                connection.execute(
                    table.insert().values(changed_at=NOW, key="a.b", source="cli", note=note)
                )
    finally:
        database.dispose()
    real = schema_loss.revision_shapes()
    shapes = dict(real)
    shapes[HEAD] = {**real[HEAD], "config_changes": real[HEAD]["config_changes"] | {"note"}}
    monkeypatch.setattr(schema_loss, "revision_shapes", lambda: shapes)
    code, _, err = cli("db", "downgrade", "-1")
    assert code == 2, err
    assert "config_changes.note: 2 values" in err
    assert migrate.current(url) == HEAD


def test_plan_lists_every_table_of_a_downgrade_to_base(url: str) -> None:
    _fill(url, quarantined=4, states=0)
    database = Database(url)
    try:
        plan = database.run(lambda connection: schema_loss.plan_downgrade(connection, "base"))
    finally:
        database.dispose()
    assert {loss.table for loss in plan.losses} == set(metadata.tables)
    assert plan.loss_text() == "data_quarantine: 4 rows"
    assert plan.reverted == tuple(info.revision for info in migrate.history())


def test_json_refusal_keeps_stdout_empty(url: str, cli: Cli) -> None:
    _fill(url, quarantined=1, states=0)
    code, out, err = cli("db", "downgrade", "base", "--format", "json")
    assert code == 2
    assert out == ""
    assert json.dumps("data_quarantine: 1 rows")[1:-1] in err
