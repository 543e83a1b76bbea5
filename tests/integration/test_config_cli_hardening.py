"""Issue 9 on the `config` commands: hostile files fail at once, imports edit only what changes,
values are typed, destructive commands ask first, and every error is one line with exit 1
(failure) or 2 (usage error). Runs the real entry point (``dispatch``) against real files and
the real SQLite database in the test's data directory."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.yaml_bombs import billion_laughs
from trademind.cli import confirm
from trademind.cli.main import dispatch
from trademind.config import load_settings
from trademind.db.repositories import ConfigChangeRepository
from trademind.db.session import Database
from trademind.resources import resource_path

TEMPLATE = resource_path("config.yaml").read_text()


@pytest.fixture(autouse=True)
def user_config_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    return tmp_path / "xdg-config" / "trademind"


@pytest.fixture
def config_file() -> Path:
    """./config.yaml: the shipped, fully commented template."""
    path = Path.cwd() / "config.yaml"
    path.write_text(TEMPLATE)
    return path


def trademind(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `trademind ARGS` in process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = dispatch(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    assert "internal error" not in err
    return lines[0]


def recorded_keys() -> list[str]:
    settings = load_settings()
    if not (settings.app.data_dir / "trademind.db").exists():
        return []
    database = Database(settings.database_url())
    try:
        with database.session() as session:
            return [row.key for row in ConfigChangeRepository(session).list_recent(100)]
    finally:
        database.dispose()


# --- defect 1: the alias bomb -----------------------------------------------------------------


def _limited() -> None:  # runs in the child: a runaway parse dies instead of eating the machine
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))


@pytest.mark.parametrize("command", [["validate"], ["import"]])
def test_a_billion_laughs_file_fails_at_once_with_one_line(
    config_file: Path, tmp_path: Path, command: list[str]
) -> None:
    """Defect 1: `config validate|import bomb.yaml` grew memory without end. The child process
    has a memory and CPU limit, so the old behaviour fails this test instead of the machine."""
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs())
    before = config_file.read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "trademind", "config", command[0], str(bomb), *command[1:]],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        preexec_fn=_limited,
        check=False,
    )
    assert result.returncode == 1, result.stderr[-500:]
    line = one_error_line(result.stderr)
    assert f"{bomb}: line 1, column 5: YAML anchors and aliases (&a0) are not allowed" in line
    assert config_file.read_bytes() == before


# --- defect 2: empty and non-mapping imports --------------------------------------------------


@pytest.mark.parametrize("text", ["", "# nothing\n", "null\n", "- safety\n", "42\n"])
def test_importing_an_empty_or_non_mapping_file_changes_nothing(
    capsys: pytest.CaptureFixture[str], config_file: Path, tmp_path: Path, text: str
) -> None:
    """Defect 2: an empty file exited 0 and truncated config.yaml to 0 bytes."""
    empty = tmp_path / "empty.yaml"
    empty.write_text(text)
    code, _, err = trademind(capsys, "config", "import", str(empty))  # fails before asking
    assert code == 1
    line = one_error_line(err)
    assert f"{empty}: must be a mapping of sections" in line
    assert config_file.read_text() == TEMPLATE
    assert recorded_keys() == []


# --- defect 3: import edits only what changes -------------------------------------------------


def test_an_import_that_changes_nothing_does_not_touch_the_file(
    capsys: pytest.CaptureFixture[str], config_file: Path, tmp_path: Path
) -> None:
    """Defect 3: importing the active settings rewrote the whole commented file ("0
    setting(s) changed") and pinned app.data_dir as an absolute path."""
    exported = tmp_path / "exported.yaml"
    code, out, _ = trademind(capsys, "config", "export")
    exported.write_text(out)
    stat_before = config_file.stat()
    code, out, err = trademind(capsys, "config", "import", str(exported))  # no --yes needed
    assert code == 0, err
    assert "unchanged" in out
    assert config_file.read_text() == TEMPLATE
    assert config_file.stat().st_mtime_ns == stat_before.st_mtime_ns
    assert config_file.stat().st_ino == stat_before.st_ino


def test_an_import_keeps_comments_and_resets_what_it_leaves_out(
    capsys: pytest.CaptureFixture[str], config_file: Path, tmp_path: Path
) -> None:
    trademind(capsys, "config", "set", "ibkr.client_id", "7")
    new = tmp_path / "new.yaml"
    new.write_text("database:\n  auto_migrate: false\nsafety:\n  max_positions: 4.0\n")
    code, out, err = trademind(capsys, "config", "import", str(new), "--yes")
    assert code == 0, err
    assert "3 setting(s) changed" in out
    # Written with the settings' types (4.0 -> 4); ibkr.client_id goes back to its default.
    assert config_file.read_text() == TEMPLATE.replace(
        "  auto_migrate: true\n", "  auto_migrate: false\n"
    ).replace("  max_positions: 10\n", "  max_positions: 4\n")
    assert sorted(recorded_keys()) == [
        "database.auto_migrate",
        "ibkr.client_id",
        "ibkr.client_id",
        "safety.max_positions",
    ]


def test_an_import_with_a_non_boolean_for_a_boolean_names_file_and_key(
    capsys: pytest.CaptureFixture[str], config_file: Path, tmp_path: Path
) -> None:
    """Defect 9: TradeMind never writes the text "yes" for a boolean setting."""
    new = tmp_path / "new.yaml"
    new.write_text("database:\n  auto_migrate: yes\n")
    code, _, err = trademind(capsys, "config", "import", str(new))
    assert code == 1
    line = one_error_line(err)
    assert f"{new}: database.auto_migrate: must be true or false (got 'yes')" in line
    assert config_file.read_text() == TEMPLATE


# --- defect 8: errors name the imported file --------------------------------------------------


def test_an_invalid_import_names_the_imported_file_not_config_yaml(
    capsys: pytest.CaptureFixture[str], config_file: Path, tmp_path: Path
) -> None:
    """Defect 8: the message said "invalid configuration (file .../config.yaml)"."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("safety:\n  max_positions: -1\nnope: 1\n")
    code, _, err = trademind(capsys, "config", "import", str(bad))
    assert code == 1
    line = one_error_line(err)
    assert f"invalid configuration (file {bad}): 2 problems: " in line
    assert f"(file {config_file})" not in line
    assert "safety.max_positions: must be at least 1 (got -1)" in line
    assert config_file.read_text() == TEMPLATE


# --- defect 9: typed values and honest change counts ------------------------------------------


@pytest.mark.parametrize("value", ["yes", "no", "on", "1", "maybe"])
def test_set_of_a_boolean_takes_only_true_or_false(
    capsys: pytest.CaptureFixture[str], config_file: Path, value: str
) -> None:
    """Defect 9: `config set database.auto_migrate yes` stored the string "yes"."""
    code, _, err = trademind(capsys, "config", "set", "database.auto_migrate", value)
    assert code == 2
    assert "database.auto_migrate: must be true or false" in one_error_line(err)
    assert config_file.read_text() == TEMPLATE


def test_set_stores_the_type_of_the_setting(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    for key, value in (
        ("safety.max_positions", "4.0"),
        ("backtest.commission_minimum", "2"),
        ("database.auto_migrate", "false"),  # last: the database exists by now
    ):
        code, out, err = trademind(capsys, "config", "set", key, value)
        assert code == 0, err
        assert "1 setting(s) changed" in out
    assert config_file.read_text() == (
        TEMPLATE.replace("  auto_migrate: true\n", "  auto_migrate: false\n")
        .replace("  max_positions: 10\n", "  max_positions: 4\n")
        .replace("  commission_minimum: 1.0\n", "  commission_minimum: 2.0\n")
    )


@pytest.mark.parametrize(
    ("key", "value"), [("backtest.commission_minimum", "1"), ("safety.max_positions", "10.0")]
)
def test_set_of_the_current_value_writes_nothing_and_says_unchanged(
    capsys: pytest.CaptureFixture[str], config_file: Path, key: str, value: str
) -> None:
    """Defect 9: `config set ... 1` where it was 1.0 rewrote the file reporting 0 changes."""
    stat_before = config_file.stat()
    code, out, err = trademind(capsys, "config", "set", key, value)
    assert code == 0, err
    assert "unchanged" in out
    assert config_file.read_text() == TEMPLATE
    assert config_file.stat().st_ino == stat_before.st_ino
    assert recorded_keys() == []


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("set", "safety.daily_loss_limit", "-0.05"), "safety.daily_loss_limit: must be greater"),
        (("set", "safety.max_positions", "null"), "safety.max_positions: "),
        (("set", "data.watchlist", "SPY"), "data.watchlist: must be a list"),
        (("set", "broker.type", "paperr"), "broker.type: must be one of"),
        (("set", "safety.dialy_loss_limit", "1"), "safety.dialy_loss_limit"),
        (("set", "llm.api_key", "sk-x"), "TRADEMIND__LLM__API_KEY"),
        (("get", "nope"), "unknown configuration key 'nope'"),
    ],
)
def test_a_bad_key_or_value_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], config_file: Path, args: tuple[str, ...], named: str
) -> None:
    """Exit-code rule: a value or key the CLI can check by itself is a usage error (exit 2)."""
    code, _, err = trademind(capsys, "config", *args)
    assert code == 2
    assert named in one_error_line(err)
    assert config_file.read_text() == TEMPLATE


def test_a_value_that_breaks_another_key_is_a_failure(
    capsys: pytest.CaptureFixture[str], config_file: Path
) -> None:
    code, _, err = trademind(capsys, "config", "set", "web.host", "0.0.0.0")
    assert code == 1
    assert "web.auth_token: is required" in one_error_line(err)


# --- destructive commands ask first -----------------------------------------------------------


@pytest.mark.parametrize("args", [("reset",), ("reset", "safety.max_positions")])
def test_reset_without_yes_and_without_a_terminal_changes_nothing(
    capsys: pytest.CaptureFixture[str], config_file: Path, args: tuple[str, ...]
) -> None:
    trademind(capsys, "config", "set", "safety.max_positions", "4")
    before = config_file.read_bytes()
    code, _, err = trademind(capsys, "config", *args)
    assert code == 2
    line = one_error_line(err)
    assert f"would change 1 setting(s) in {config_file} (safety.max_positions)" in line
    assert "--yes" in line
    assert config_file.read_bytes() == before


def test_import_without_yes_lists_the_keys_it_would_change(
    capsys: pytest.CaptureFixture[str], config_file: Path, tmp_path: Path
) -> None:
    new = tmp_path / "new.yaml"
    new.write_text("safety:\n  max_positions: 4\nbroker:\n  type: ibkr\n")
    code, _, err = trademind(capsys, "config", "import", str(new))
    assert code == 2
    line = one_error_line(err)
    assert "would change 2 setting(s)" in line
    assert "safety.max_positions" in line
    assert "broker.type" in line
    assert config_file.read_text() == TEMPLATE
    assert recorded_keys() == []


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Make stdin a terminal that answers ``text``."""

    def answer(text: str) -> None:
        monkeypatch.setattr(confirm, "stdin_is_terminal", lambda: True)
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return answer


def test_in_a_terminal_reset_asks_and_no_changes_nothing(
    capsys: pytest.CaptureFixture[str], config_file: Path, terminal: Callable[[str], None]
) -> None:
    trademind(capsys, "config", "set", "safety.max_positions", "4")
    before = config_file.read_bytes()
    terminal("n\n")
    code, _, err = trademind(capsys, "config", "reset")
    assert code == 1
    assert "would change 1 setting(s)" in err
    assert err.endswith("error: config reset cancelled; nothing was changed\n")
    assert config_file.read_bytes() == before


def test_in_a_terminal_reset_asks_and_yes_resets(
    capsys: pytest.CaptureFixture[str], config_file: Path, terminal: Callable[[str], None]
) -> None:
    trademind(capsys, "config", "set", "safety.max_positions", "4")
    terminal("y\n")
    code, _, err = trademind(capsys, "config", "reset")
    assert code == 0, err
    assert "would change 1 setting(s)" in err
    assert config_file.read_text() == TEMPLATE


# --- .env ---------------------------------------------------------------------------------------


def test_a_broken_dotenv_is_one_error_line_naming_the_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path(".env").write_text("TRADEMIND__IBKR__CLIENT_ID=3\nthis is 'not valid\n")
    code, _, err = trademind(capsys, "config", "show")
    assert code == 1
    assert one_error_line(err).endswith(".env: line 2 is not NAME=VALUE")
