"""The `trademind` entry point: groups, global options, exit codes, errors."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
import typer
import typer.main

from trademind.cli.context import CliState
from trademind.cli.main import dispatch
from trademind.cli.pending import register_pending
from trademind.core.errors import ConfigError, UsageError

GROUPS = (
    "server",
    "portfolio",
    "trades",
    "strategies",
    "safety",
    "backtest",
    "data",
    "agents",
    "config",
    "db",
    "broker",
    "shell",
    "examples",
)


def trademind(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trademind", *args], capture_output=True, text=True, check=False
    )


def test_help_lists_every_group() -> None:
    result = trademind("--help")
    assert result.returncode == 0, result.stderr
    for group in GROUPS:
        assert group in result.stdout, group


def test_version() -> None:
    result = trademind("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("trademind ")


@pytest.mark.parametrize(
    ("group", "command"),
    [
        ("broker", "connect"),
    ],
)
def test_unbuilt_commands_exit_1_saying_so_and_print_no_data(group: str, command: str) -> None:
    result = trademind(group, command, "--symbols", "AAPL")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "not built yet" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_registered_command_is_either_built_or_says_it_is_not(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Walks the whole tree: a command with --help works; pending ones exit 1 on invocation."""
    from trademind.cli.main import build_cli

    root = build_cli()
    assert hasattr(root, "commands")
    for group_name, group in root.commands.items():  # type: ignore[attr-defined]
        for name in getattr(group, "commands", {}):
            assert dispatch([group_name, name, "--help"]) == 0, (group_name, name)
    capsys.readouterr()


def test_unknown_command_is_a_usage_error_with_exit_2() -> None:
    result = trademind("no-such-group")
    assert result.returncode == 2
    assert "No such command" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_global_option_value_is_a_usage_error() -> None:
    result = trademind("--format", "xml", "examples")
    assert result.returncode == 2


def test_format_json_is_accepted_after_the_subcommand() -> None:
    import json

    result = trademind("examples", "--format", "json")
    assert result.returncode == 0, result.stderr
    examples = json.loads(result.stdout)
    assert {"topic", "description", "command"} <= set(examples[0])


def _boom_cli() -> click.Command:
    app = typer.Typer()

    @app.command("count")
    def count(n: int = 1) -> None:
        del n

    @app.command("usage")
    def usage() -> None:
        raise UsageError("--days must be a positive number of days, got -5")

    @app.command("boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    @app.command("fail")
    def fail() -> None:
        raise ConfigError("safety.daily_loss_limit: must be greater than 0")

    return typer.main.get_command(app)


def test_internal_errors_are_one_line_without_debug(capsys: pytest.CaptureFixture[str]) -> None:
    assert dispatch(["boom"], CliState(), cli=_boom_cli()) == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: kaboom" in err
    assert "Traceback" not in err


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert dispatch(["boom"], CliState(debug=True), cli=_boom_cli()) == 1
    assert "Traceback" in capsys.readouterr().err


def test_expected_errors_are_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert dispatch(["fail"], CliState(), cli=_boom_cli()) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "error: safety.daily_loss_limit: must be greater than 0"


def test_register_pending_commands_accept_any_arguments() -> None:
    from typer.testing import CliRunner

    app = typer.Typer()
    register_pending(app, "demo", [("thing", "Does a thing.")], arrives_with="issue 99")
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(app, ["thing", "--whatever", "1", "extra"])
    assert result.exit_code == 1
    assert "issue 99" in str(result.exception)


def test_cli_start_up_does_not_import_the_heavy_libraries() -> None:
    """`trademind --help` stays fast: pandas, numba, alembic load only for commands using them."""
    code = (
        "import sys, trademind.cli.main as m; m.build_cli(); "
        "print(sorted({'pandas', 'numba', 'alembic', 'sqlalchemy', 'yfinance'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "argv",
    [["usage"], ["count", "--n", "nan"], ["count", "--n", "-5", "extra"], ["no-such-command"]],
)
def test_usage_errors_exit_2_with_one_error_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 9 defect 11: a bad value the CLI can check is a usage error, exit 2, whether Click
    finds it (`--n nan`) or our code does (UsageError, as `--days -5` raises); one line."""
    assert dispatch(argv, CliState(), cli=_boom_cli()) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")


def _listing(help_text: str) -> dict[str, str]:
    """``{command: summary}`` of the Commands section of a help text (wrapped lines joined)."""
    section = help_text.split("\nCommands:\n", 1)[1]
    entries: dict[str, str] = {}
    name = ""
    for line in section.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            name, _, text = line.strip().partition(" ")
            entries[name] = text.strip()
        elif line.strip():
            entries[name] += " " + line.strip()
    return entries


def _help_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert dispatch([*argv, "--help"]) == 0
    return capsys.readouterr().out


def test_group_help_lists_whole_sentences_and_marks_unbuilt_commands(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 9 defect 16: the help of every group lists every command with a complete short
    help (never cut with "..."), and each command not built yet is marked "[not built yet]"."""
    from trademind.cli.main import build_cli

    root = build_cli()
    assert isinstance(root, click.Group)
    groups = {"": root} | {
        name: command for name, command in root.commands.items() if isinstance(command, click.Group)
    }
    for group_name, group in groups.items():
        listing = _listing(_help_of(capsys, *([group_name] if group_name else [])))
        assert set(listing) == {name for name, c in group.commands.items() if not c.hidden}
        for name, text in listing.items():
            command = group.commands[name]
            where = f"{group_name} {name}".strip()
            assert text, where
            assert not text.endswith("..."), (where, text)
            unbuilt = "not built yet" in (command.help or "") or (
                isinstance(command, click.Group)
                and all("not built yet" in (c.help or "") for c in command.commands.values())
            )
            assert ("[not built yet]" in text) == unbuilt, (where, text)
    broker = _listing(_help_of(capsys, "broker"))
    assert all(text.endswith("[not built yet]") for text in broker.values())


def test_root_help_names_the_groups_without_importing_them() -> None:
    """Issue 9 defect 15: `trademind --help` lists each group from main.py's table, without
    importing it; the table says what each group's own help says (it cannot drift)."""
    from trademind.cli.main import build_cli, build_lazy_cli

    lazy = build_lazy_cli()
    lazy_help = lazy.get_help(click.Context(lazy, info_name="trademind"))
    assert not lazy.commands.keys() & lazy.lazy.keys()  # nothing was built for the help
    full = build_cli()
    assert lazy_help == full.get_help(click.Context(full, info_name="trademind"))
