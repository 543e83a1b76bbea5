"""`trademind shell`: commands run inside one session; history, completion, exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from trademind.cli import shell
from trademind.cli.context import CliState
from trademind.cli.main import build_cli, dispatch


def run_session(lines: str, state: CliState, history_file: Path | None = None) -> int:
    history = FileHistory(str(history_file)) if history_file else InMemoryHistory()
    with create_pipe_input() as pipe:
        pipe.send_text(lines)
        pipe.close()  # end of input after the lines, as when stdin is a file
        return shell.shell_loop(
            state,
            dispatch=dispatch,
            completer=shell.build_completer(build_cli()),
            history=history,
            prompt_input=pipe,
            prompt_output=DummyOutput(),
        )


def test_commands_run_inside_the_session_until_exit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    history_file = tmp_path / "history"
    code = run_session("examples --format json\nno-such-command\nexit\n", CliState(), history_file)
    captured = capsys.readouterr()
    assert '"topic": "config"' in captured.out  # the examples command ran, as JSON
    assert "No such command" in captured.err  # a bad line does not end the session
    assert code == 0  # `exit` leaves with 0 whatever the last command returned (defect 11)
    saved = history_file.read_text()
    assert "examples --format json" in saved
    assert "no-such-command" in saved


def test_end_of_input_leaves_the_shell(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_session("", CliState()) == 0
    assert "TradeMind shell" in capsys.readouterr().out


def test_unbuilt_command_reports_and_the_session_continues(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run_session("broker status\nexamples\nquit\n", CliState())
    captured = capsys.readouterr()
    assert "not built yet" in captured.err
    assert "TradeMind examples" in captured.out
    assert code == 0


def test_nested_shell_and_unbalanced_quotes_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert shell.run_line("shell", dispatch, CliState()) == 2
    assert shell.run_line('config get "unterminated', dispatch, CliState()) == 2
    err = capsys.readouterr().err
    assert "already in the shell" in err
    assert "cannot parse" in err


def test_help_word_and_trademind_prefix_are_understood(capsys: pytest.CaptureFixture[str]) -> None:
    assert shell.run_line("help data", dispatch, CliState()) == 0
    assert "ingest" in capsys.readouterr().out
    assert shell.run_line("trademind examples", dispatch, CliState()) == 0


def test_completion_offers_groups_commands_and_options() -> None:
    completer = shell.build_completer(build_cli())
    groups = {c.text for c in shell.complete(completer, "")}
    assert {"config", "data", "db", "backtest", "exit", "help"} <= groups
    assert "shell" not in groups
    assert {c.text for c in shell.complete(completer, "data ")} >= {"ingest", "verify"}
    assert "--format" in {c.text for c in shell.complete(completer, "examples --f")}


def test_completion_walks_into_groups_and_skips_option_values() -> None:
    completer = shell.build_completer(build_cli())
    after_value = {c.text for c in shell.complete(completer, "db current --format json --")}
    assert "--config" in after_value
    assert "current" not in after_value
    assert {c.text for c in shell.complete(completer, "db up")} == {"upgrade"}


def test_piped_commands_run_without_a_prompt_and_fail_on_the_first_error() -> None:
    import subprocess
    import sys

    def piped(script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "trademind", "shell"],
            input=script,
            capture_output=True,
            text=True,
            check=False,
        )

    result = piped("# nightly checks\nexamples --format json\n\nbroker status\nexamples\n")
    assert result.returncode == 1  # `broker status` is not built yet: the script failed
    assert "not built yet" in result.stderr
    assert "trademind>" not in result.stdout
    assert result.stdout.count("TradeMind examples") == 1
    # Issue 9, defect 11: a bare `exit` ends the script with 0 (not the last or first failure)
    # and nothing after it runs; `exit 1` is how a script ends itself with a failure.
    ended = piped("broker status\nexamples\nexit\nexamples\n")
    assert ended.returncode == 0
    assert ended.stdout.count("TradeMind examples") == 1
    assert piped("broker status\nexit 1\n").returncode == 1


def test_exit_returns_0_or_the_code_given(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 9 defect 11: `exit` returns 0 unless given a code, not the last command's code;
    `exit 3` returns 3; `exit foo` is a usage error (2) and the session goes on."""
    assert run_session("no-such-command\nexit\n", CliState()) == 0
    assert run_session("no-such-command\nquit\n", CliState()) == 0
    assert run_session("examples\nexit 3\n", CliState()) == 3
    capsys.readouterr()
    assert run_session("exit foo\nexit -1\nexit 256\nexit 1 2\nexit 4\n", CliState()) == 4
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 4
    assert all(line.startswith("error: exit takes at most one exit code") for line in errors)


def test_piped_exit_code_and_bad_exit_are_handled_like_a_session() -> None:
    """Issue 9 defect 11: in a piped script `exit N` ends it with N and `exit foo` is a usage
    error (2) that fails the script without ending it."""
    import subprocess
    import sys

    def piped(script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "trademind", "shell"],
            input=script,
            capture_output=True,
            text=True,
            check=False,
        )

    assert piped("examples\nexit 3\nexamples\n").returncode == 3
    result = piped("exit foo\nexamples --format json\n")
    assert result.returncode == 2
    assert '"topic"' in result.stdout  # the script went on after the bad exit line
    assert result.stderr.startswith("error: exit takes")
