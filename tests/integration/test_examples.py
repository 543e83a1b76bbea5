"""Every `trademind examples` line runs, and the examples cover every working group (issue 9,
defect 16).

The examples run in their listed order in one fresh working and data directory (the sample
ingest comes before the backtests, the first run is run 1), offline, through
``support.example_shell`` (the shell syntax the examples use, run in-process). The PostgreSQL
example runs against the test server, in a database of its own that it creates first, as the
example tells the user to (the runner's ``createdb`` issues CREATE DATABASE on that server).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from support.cli_driver import Cli
from support.example_shell import ExampleShell

from trademind.cli.examples import EXAMPLES
from trademind.cli.main import build_cli
from trademind.db import migrate
from trademind.db.session import Database

EXAMPLE_POSTGRES = "postgres@127.0.0.1:5432"
INTERACTIVE = {"trademind shell": "exit\n"}
"""Examples that read a terminal, with what the test types into them."""
type CreateDb = Callable[[str, str, str], None]


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
    assert {"config", "db", "data", "strategies", "backtest", "trade", "shell", "scripting"} <= (
        topics
    )


def test_the_ledger_examples_come_after_the_trade_example_that_makes_an_account() -> None:
    """A fresh directory has no account: `portfolio` and `trades` exit 1 until `trade` ran."""
    commands = [_first_command(example.command) for example in EXAMPLES]
    first_trade = commands.index("trade")
    for group in ("portfolio", "trades"):
        assert commands.index(group) > first_trade, group


def test_the_postgres_example_says_the_database_must_exist_first() -> None:
    (example,) = [e for e in EXAMPLES if "postgresql" in e.command]
    assert example.command.startswith("createdb ")
    assert "create the database first" in example.description


def _is_postgres(command: str) -> bool:
    return "postgresql" in command


def _shell(capsys: pytest.CaptureFixture[str], createdb: CreateDb) -> ExampleShell:
    def capture() -> tuple[str, str]:
        captured = capsys.readouterr()
        return captured.out, captured.err

    return ExampleShell(capture=capture, createdb=createdb, cwd=Path.cwd())


def _run(shell: ExampleShell, command: str, line: str | None = None) -> None:
    result = shell.run(line or command, INTERACTIVE.get(command, ""))
    assert result.code == 0, f"{command!r} exited {result.code}: {result.err}"
    assert "Traceback" not in result.err, command
    assert "internal error" not in result.err, command


def _no_createdb(host: str, user: str, database: str) -> None:
    raise AssertionError(f"only the PostgreSQL example creates a database ({database})")


def test_every_offline_example_runs(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    shell = _shell(capsys, _no_createdb)
    for example in EXAMPLES:
        if not _is_postgres(example.command):
            _run(shell, example.command)
    assert (Path.cwd() / "report.html").stat().st_size > 0
    assert len((Path.cwd() / "trades.csv").read_text(encoding="utf-8").splitlines()) > 1
    assert (isolated_environment / "trademind.db").exists()
    assert Cli(capsys).json("backtest", "results", "1")["id"] == 1


@pytest.mark.postgres
def test_the_postgres_example_runs(
    capsys: pytest.CaptureFixture[str], postgres_server_url: str
) -> None:
    """Against the test server, in a database of its own (its name replaces `trademind`)."""
    url = sa.make_url(postgres_server_url)
    server = f"{url.username}@{url.host}:{url.port or 5432}"
    name = f"trademind_example_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def createdb(host: str, user: str, database: str) -> None:
        assert (host, user, database) == ("127.0.0.1", "postgres", name)
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
        created.append(database)

    (example,) = [e for e in EXAMPLES if _is_postgres(e.command)]
    line = example.command.replace(EXAMPLE_POSTGRES, server)
    line = line.replace(" trademind &&", f" {name} &&").replace("/trademind ", f"/{name} ")
    try:
        _run(_shell(capsys, createdb), example.command, line)
        assert created == [name]
        database = Database(url.set(database=name).render_as_string(hide_password=False))
        try:
            assert database.run(migrate.current_on) == migrate.head_revision()
        finally:
            database.dispose()
    finally:
        with admin.connect() as connection:
            for database_name in created:
                connection.execute(
                    sa.text(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
                )
        admin.dispose()


def test_a_failing_example_fails_the_runner(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    """The runner is not a rubber stamp: jq -e on a false value, a failing command and an
    unknown program are all noticed."""
    shell = _shell(capsys, _no_createdb)
    assert shell.run("trademind db current --format json | jq -e .up_to_date").code == 1
    assert shell.run("trademind db upgrade && trademind db current --format json").code == 0
    assert json.loads(shell.run("trademind db current -f json | jq .up_to_date").out) is True
    assert shell.run("trademind backtest results 1").code == 1
    with pytest.raises(AssertionError, match="cannot run 'rm'"):
        shell.run("rm -rf /nothing")
