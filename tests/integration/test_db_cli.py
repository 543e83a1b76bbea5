"""`trademind db ...` through Typer's CliRunner on the db command group.

Most tests hand the command a CliState whose settings are a hand-written fake (the URL is all
the db group reads); the last ones go through the real configuration with
TRADEMIND__DATABASE__URL, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from trademind.cli.context import CliState
from trademind.cli.db import app
from trademind.core.errors import UsageError, ValidationError
from trademind.db import migrate
from trademind.db.models import metadata
from trademind.db.session import Database

MODEL_TABLES = set(metadata.tables)


class FakeSettings:
    """Stands in for trademind.config.Settings: only database_url() is used by `db`."""

    def __init__(self, url: str) -> None:
        self._url = url

    def database_url(self) -> str:
        return self._url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli' / 'trademind.db'}"


def run(url: str | None, *args: str, json_output: bool = False) -> Any:
    state = CliState(output_format="json" if json_output else "table")
    if url is not None:
        state.parts._settings = FakeSettings(url)  # type: ignore[assignment]
    return CliRunner().invoke(app, list(args), obj=state)


def _tables(url: str) -> set[str]:
    database = Database(url)
    try:
        return set(sa.inspect(database.engine).get_table_names()) - {"alembic_version"}
    finally:
        database.dispose()


HEAD = migrate.head_revision()


def test_upgrade_creates_every_table(sqlite_url: str) -> None:
    result = run(sqlite_url, "upgrade")
    assert result.exit_code == 0, result.output
    assert f"now at revision {HEAD} (head {HEAD})" in result.output
    assert _tables(sqlite_url) == MODEL_TABLES


def test_current_reports_a_fresh_database_as_behind_without_creating_it(
    sqlite_url: str, tmp_path: Path
) -> None:
    result = run(sqlite_url, "current", json_output=True)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "revision": None,
        "head": HEAD,
        "backend": "sqlite",
        "url": sqlite_url,
        "up_to_date": False,
    }
    assert not (tmp_path / "cli").exists()


def test_current_after_upgrade_is_up_to_date(sqlite_url: str) -> None:
    run(sqlite_url, "upgrade")
    table = run(sqlite_url, "current")
    assert table.exit_code == 0, table.output
    assert HEAD in table.output
    assert "yes" in table.output
    status = json.loads(run(sqlite_url, "current", json_output=True).stdout)
    assert status["up_to_date"] is True
    assert status["revision"] == HEAD


def _add_config_change(url: str) -> None:
    table = metadata.tables["config_changes"]
    database = Database(url)
    try:
        with database.engine.begin() as connection:
            connection.execute(
                table.insert().values(changed_at=datetime.now(UTC), key="a.b", source="cli")
            )
    finally:
        database.dispose()


def test_downgrade_to_base_needs_yes_when_tables_hold_rows(sqlite_url: str) -> None:
    """Issue 9, defect 4: the refusal names each table that holds rows, with its count."""
    run(sqlite_url, "upgrade")
    _add_config_change(sqlite_url)
    refused = run(sqlite_url, "downgrade", "base")
    assert isinstance(refused.exception, ValidationError)
    assert refused.exception.exit_code == 2  # a usage error: `trademind` exits 2
    assert "--yes" in str(refused.exception)
    assert "would delete config_changes: 1 rows; nothing was changed" in str(refused.exception)
    assert _tables(sqlite_url) == MODEL_TABLES

    relative = run(sqlite_url, "downgrade", f"-{len(migrate.history())}")
    assert isinstance(relative.exception, ValidationError)
    assert _tables(sqlite_url) == MODEL_TABLES

    confirmed = run(sqlite_url, "downgrade", "base", "--yes", json_output=True)
    assert confirmed.exit_code == 0, confirmed.output
    assert json.loads(confirmed.stdout)["revision"] is None
    assert _tables(sqlite_url) == set()


def test_downgrade_needs_a_revision(sqlite_url: str) -> None:
    result = run(sqlite_url, "downgrade")
    assert result.exit_code == 2


@pytest.mark.parametrize("command", ["upgrade", "downgrade"])
@pytest.mark.parametrize("revision", ["", " 0001", "0001\n", "x" * 65])
def test_a_blank_or_malformed_revision_is_a_usage_error(
    sqlite_url: str, command: str, revision: str
) -> None:
    """Issue 9 (fuzz): `db upgrade ''` was "internal error: AssertionError"."""
    result = run(sqlite_url, command, revision)
    assert isinstance(result.exception, UsageError)  # the CLI's handler exits 2 with it
    assert result.exception.exit_code == 2
    assert "is not a revision" in str(result.exception)
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()  # nothing was touched


def test_unknown_revision_is_a_one_line_error(sqlite_url: str) -> None:
    result = run(sqlite_url, "upgrade", "zzz")
    assert result.exit_code == 1
    assert isinstance(result.exception, ValidationError)
    assert "'zzz'" in str(result.exception)


def test_history_lists_the_migrations() -> None:
    table = run(None, "history")
    assert table.exit_code == 0, table.output
    assert "0001" in table.output
    assert "initial schema" in table.output
    data = json.loads(run(None, "history", json_output=True).stdout)
    assert {
        "revision": "0001",
        "down_revision": None,
        "message": "initial schema: every TradeMind table and index",
        "is_head": HEAD == "0001",
    } in data
    assert [entry["revision"] for entry in data if entry["is_head"]] == [HEAD]


# --- through the real configuration (TRADEMIND__DATABASE__URL) --------------------------------


@pytest.fixture
def postgres_url_with_password(postgres_schema_url: str) -> str:
    """The schema URL with a dummy password (ignored by trust auth) that must never be shown."""
    return (
        sa.make_url(postgres_schema_url)
        .set(password="pw-not-shown")
        .render_as_string(hide_password=False)
    )


def test_upgrade_uses_the_configured_sqlite_url(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEMIND__DATABASE__URL", sqlite_url)
    result = run(None, "upgrade")
    assert result.exit_code == 0, result.output
    assert _tables(sqlite_url) == MODEL_TABLES


def test_default_database_is_sqlite_in_the_data_directory(isolated_environment: Path) -> None:
    result = run(None, "upgrade", json_output=True)
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    assert status["backend"] == "sqlite"
    assert status["up_to_date"] is True
    assert (isolated_environment / "trademind.db").exists()


@pytest.mark.postgres
def test_upgrade_and_current_on_postgres(
    postgres_url_with_password: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    postgres_schema_url = postgres_url_with_password
    monkeypatch.setenv("TRADEMIND__DATABASE__URL", postgres_schema_url)
    upgraded = run(None, "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert _tables(postgres_schema_url) == MODEL_TABLES
    current = run(None, "current", json_output=True)
    assert current.exit_code == 0, current.output
    status = json.loads(current.stdout)
    assert status["backend"] == "postgresql"
    assert status["up_to_date"] is True
    assert "pw-not-shown" not in current.stdout + upgraded.output
    assert ":**********@" in status["url"]
