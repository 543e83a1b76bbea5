"""Every destructive command asks or needs --yes, and this module knows them all (issue 9).

A destructive command deletes rows, drops tables or overwrites the config file. Each one listed
in ``DESTRUCTIVE`` must have a ``--yes`` option and, run without it from a process whose stdin
is not a terminal, exit 2 with one ``error:`` line and leave the database file and the config
file byte for byte as they were; with ``--yes`` it does its work (so the refusal was about the
confirmation, not about a broken setup).

The list is checked against the real command tree: every command that has a ``--yes`` option
must be listed here, so a new destructive command is added to this test when it gets ``--yes``.
Covers "every destructive command ... asks for confirmation or --yes, and a test enumerates
them" and defect 4 (``db downgrade``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from support.cli_driver import Cli
from support.ledger_data import write_demo_ledger

from trademind.cli.main import build_cli
from trademind.db.session import Database

CONFIG_TEXT = "# my notes stay\nsafety:\n  daily_loss_limit: 0.03  # tighter than default\n"
IMPORTED_TEXT = "safety:\n  daily_loss_limit: 0.04\n"


@dataclass(frozen=True)
class Destructive:
    """A destructive command line (without --yes) that would lose something in the fixture."""

    path: tuple[str, ...]
    args: tuple[str, ...]


DESTRUCTIVE: tuple[Destructive, ...] = (
    Destructive(("db", "downgrade"), ("base",)),  # drops every table; market_data holds rows
    Destructive(("data", "clear-cache"), ("--symbol", "AAPL", "--bars")),
    Destructive(("config", "import"), ("{imported}",)),  # overwrites the config file
    Destructive(("config", "reset"), ()),  # rewrites the whole config file with defaults
    # halts the account (and --liquidate would close its positions); needs the demo account
    Destructive(("safety", "emergency-stop"), ("--reason", "test", "--liquidate")),
)


def _cases() -> Iterator[object]:
    for case in DESTRUCTIVE:
        yield pytest.param(case, id=" ".join(case.path))


def _leaf_commands(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _leaf_commands(sub, (*path, name))
    else:
        yield path, command


def _has_yes(command: click.Command) -> bool:
    return any("--yes" in getattr(param, "opts", ()) for param in command.params)


def test_every_command_with_yes_is_listed_as_destructive() -> None:
    with_yes = {path for path, command in _leaf_commands(build_cli()) if _has_yes(command)}
    assert with_yes, "the walk found no command with --yes: it is not walking the real tree"
    assert with_yes <= {case.path for case in DESTRUCTIVE}, (
        "a command has --yes but is not in DESTRUCTIVE: add it (with a command line that "
        "would lose something) so its refusal is tested"
    )


def test_the_listed_commands_exist() -> None:
    leaves = dict(_leaf_commands(build_cli()))
    assert {case.path for case in DESTRUCTIVE} <= set(leaves)


@pytest.fixture
def workspace(
    isolated_environment: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A data directory whose SQLite database holds the sample bars, and a commented config."""
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG_TEXT, encoding="utf-8")
    (tmp_path / "imported.yaml").write_text(IMPORTED_TEXT, encoding="utf-8")
    code, _, err = Cli(capsys)(
        "--config", str(config), "data", "ingest", "--source", "sample", "--symbols", "AAPL"
    )
    assert code == 0, err
    assert (isolated_environment / "trademind.db").exists()
    database = Database(f"sqlite:///{isolated_environment / 'trademind.db'}")
    try:
        write_demo_ledger(database)  # an account to halt
    finally:
        database.dispose()
    return tmp_path


def _trademind(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``trademind --config CONFIG ARGS`` in a child process whose stdin is not a terminal."""
    argv = [arg.format(imported=workspace / "imported.yaml") for arg in args]
    return subprocess.run(
        [sys.executable, "-m", "trademind", "--config", str(workspace / "config.yaml"), *argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
        check=False,
    )


def _files(workspace: Path, data_dir: Path) -> dict[str, bytes]:
    """The config file and every file of the database (main file, WAL) by name."""
    files = {"config.yaml": (workspace / "config.yaml").read_bytes()}
    for path in sorted(data_dir.glob("trademind.db*")):
        if not path.name.endswith("-shm"):  # shared-memory index, rewritten by any reader
            files[path.name] = path.read_bytes()
    return files


@pytest.mark.parametrize("case", list(_cases()))
def test_destructive_command_refuses_without_yes_and_changes_nothing(
    case: Destructive, workspace: Path, isolated_environment: Path
) -> None:
    assert _has_yes(dict(_leaf_commands(build_cli()))[case.path])
    before = _files(workspace, isolated_environment)
    refused = _trademind(workspace, *case.path, *case.args)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.startswith("error: ")
    assert refused.stderr.count("\n") == 1, refused.stderr
    assert "--yes" in refused.stderr
    assert _files(workspace, isolated_environment) == before

    confirmed = _trademind(workspace, *case.path, *case.args, "--yes")
    assert confirmed.returncode == 0, confirmed.stderr
    assert _files(workspace, isolated_environment) != before
