"""Every `trademind examples` line runs, and the examples cover every working group (issue 9,
defect 16).

The examples run in their listed order in one fresh working and data directory (the sample
ingest comes before the backtests, the first run is run 1), offline, through
``support.example_shell`` (the shell syntax the examples use, run in-process). The PostgreSQL
example runs against the test server, in a database of its own that it creates first, as the
example tells the user to.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from support.cli_driver import Cli
from support.example_shell import ExampleShell

from trademind.cli.examples import EXAMPLES
from trademind.cli.main import build_cli

EXAMPLE_POSTGRES = "postgres@127.0.0.1:5432"
INTERACTIVE = {"trademind shell": "exit\n"}
"""Examples that read a terminal, with what the test types into them."""


def _built_groups() -> set[str]:
    """Top-level commands with at least one command that works (not "not built yet")."""
    groups = set()
    root = build_cli()
    assert isinstance(root, click.Group)
    for name, command in root.commands.items():
        leaves = command.commands.values() if isinstance(command, click.Group) else [command]
        if any("[not built yet" not in (leaf.help or "") for leaf in leaves):
            groups.add(name)
    return groups


def _first_command(line: str) -> str:
    words = [word for word in line.split() if "=" not in word]
    at = words.index("trademind")
    rest = [word for word in words[at + 1 :] if not word.startswith("-")]
    return rest[0] if words[at + 1] != "--config" else rest[1]


def test_examples_cover_every_group_that_works() -> None:
    covered = {_first_command(example.command) for example in EXAMPLES}
    assert _built_groups() - {"examples"} <= covered
    topics = {example.topic for example in EXAMPLES}
    assert {"config", "db", "data", "strategies", "backtest", "shell", "scripting"} <= topics


def test_the_postgres_example_says_the_database_must_exist_first() -> None:
    (example,) = [e for e in EXAMPLES if "postgresql" in e.command]
    assert example.command.startswith("createdb ")
    assert "create the database first" in example.description


@pytest.fixture
def postgres_database(postgres_server_url: str) -> Iterator[tuple[str, list[str]]]:
    """The test server's ``user@host:port`` and the databases an example created (dropped
    afterwards)."""
    url = sa.make_url(postgres_server_url)
    created: list[str] = []
    yield f"{url.username}@{url.host}:{url.port or 5432}", created
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for name in created:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.mark.postgres
def test_every_example_runs(
    capsys: pytest.CaptureFixture[str],
    isolated_environment: Path,
    postgres_server_url: str,
    postgres_database: tuple[str, list[str]],
) -> None:
    server, created = postgres_database
    name = f"trademind_example_{uuid.uuid4().hex[:10]}"

    def createdb(host: str, user: str, database: str) -> None:
        assert (host, user, database) == ("127.0.0.1", "postgres", database)
        admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
        finally:
            admin.dispose()
        created.append(database)

    def capture() -> tuple[str, str]:
        captured = capsys.readouterr()
        return captured.out, captured.err

    shell = ExampleShell(capture=capture, createdb=createdb, cwd=Path.cwd())
    for example in EXAMPLES:
        line = example.command.replace(EXAMPLE_POSTGRES, server)
        line = line.replace(" trademind &&", f" {name} &&").replace("/trademind ", f"/{name} ")
        result = shell.run(line, INTERACTIVE.get(example.command, ""))
        assert result.code == 0, f"{example.command!r} exited {result.code}: {result.err}"
        assert "Traceback" not in result.err, example.command
        assert "internal error" not in result.err, example.command
    assert created == [name]
    assert (Path.cwd() / "report.html").stat().st_size > 0
    assert len((Path.cwd() / "trades.csv").read_text(encoding="utf-8").splitlines()) > 1
    assert (isolated_environment / "trademind.db").exists()
    assert _run_one_json(capsys)["id"] == 1


def _run_one_json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    result: dict[str, object] = Cli(capsys).json("backtest", "results", "1")
    return result


def test_a_failing_example_fails_the_runner(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    """The runner is not a rubber stamp: jq -e on a false value, a failing command and an
    unknown program are all noticed."""

    def capture() -> tuple[str, str]:
        captured = capsys.readouterr()
        return captured.out, captured.err

    def no_createdb(host: str, user: str, database: str) -> None:
        raise AssertionError("not used")

    shell = ExampleShell(capture=capture, createdb=no_createdb, cwd=Path.cwd())
    assert shell.run("trademind db current --format json | jq -e .up_to_date").code == 1
    assert shell.run("trademind db upgrade && trademind db current --format json").code == 0
    assert json.loads(shell.run("trademind db current -f json | jq .up_to_date").out) is True
    assert shell.run("trademind backtest results 1").code == 1
    with pytest.raises(AssertionError, match="cannot run 'rm'"):
        shell.run("rm -rf /nothing")
