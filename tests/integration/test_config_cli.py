"""`trademind config ...` through Typer's CliRunner on the config command group, with real
files, the real environment and the real SQLite database in the test's data directory."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from trademind.cli.config import app
from trademind.cli.context import CliState
from trademind.cli.main import dispatch
from trademind.config import MASK, load_settings
from trademind.core.clock import TestClock
from trademind.core.errors import ConfigError, DatabaseError
from trademind.db.repositories import ConfigChangeRepository
from trademind.db.session import Database
from trademind.resources import resource_path
from trademind.services import config_service

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-secret-123"
TEMPLATE = resource_path("config.yaml").read_text()
DEFAULT_LIMIT_LINE = "  daily_loss_limit: 0.02\n"


@pytest.fixture(autouse=True)
def user_config_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """platformdirs' user config directory points into the test's tmp dir (XDG on Linux)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    return tmp_path / "xdg-config" / "trademind"


@pytest.fixture
def config_file() -> Path:
    """./config.yaml: the shipped template, so the file is fully commented."""
    path = Path.cwd() / "config.yaml"
    path.write_text(TEMPLATE)
    return path


def run(*args: str, json_output: bool = False, config: Path | None = None) -> Result:
    state = CliState(output_format="json" if json_output else "table", config_path=config)
    return CliRunner().invoke(app, list(args), obj=state)


def recorded_changes() -> list[tuple[str, str | None, str | None, str, str | None]]:
    """Rows of config_changes, oldest first (none when the database was never created)."""
    settings = load_settings()
    if not (settings.app.data_dir / "trademind.db").exists():
        return []
    database = Database(settings.database_url())
    try:
        with database.session() as session:
            rows = ConfigChangeRepository(session).list_recent(100)
            return [
                (row.key, row.old_value, row.new_value, row.source, row.file_path)
                for row in reversed(rows)
            ]
    finally:
        database.dispose()


def failure(result: Result) -> str:
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigError), result.output
    return str(result.exception)


# --- show / get / export -------------------------------------------------------------------


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TRADEMIND__LLM__API_KEY", SECRET)
    return SECRET


def test_show_json_is_the_nested_config_with_secrets_masked(api_key: str) -> None:
    result = run("show", json_output=True)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["safety"]["daily_loss_limit"] == 0.02
    assert data["llm"]["api_key"] == MASK
    assert data["web"]["auth_token"] is None
    assert api_key not in result.output


def test_show_table_lists_key_value_and_source(api_key: str, config_file: Path) -> None:
    result = run("show")
    assert result.exit_code == 0, result.output
    assert "safety.daily_loss_limit" in result.stdout
    assert "TRADEMIND__LLM__API_KEY" in result.stdout  # the source of llm.api_key
    assert MASK in result.stdout
    assert api_key not in result.output


@pytest.mark.parametrize("json_output", [True, False])
def test_get_masks_secrets(api_key: str, json_output: bool) -> None:
    for key in ("llm.api_key", "llm"):
        result = run("get", key, json_output=json_output)
        assert result.exit_code == 0, result.output
        assert MASK in result.stdout
        assert api_key not in result.output


def test_get_a_value() -> None:
    assert run("get", "safety.daily_loss_limit").stdout.strip() == "0.02"
    result = run("get", "safety.circuit_breaker", json_output=True)
    assert json.loads(result.stdout)["value"]["max_drawdown"] == 0.1


def test_get_an_unknown_key_names_it() -> None:
    message = failure(run("get", "safety.dialy_loss_limit"))
    assert "safety.dialy_loss_limit" in message
    assert "did you mean 'daily_loss_limit'" in message


@pytest.mark.parametrize("json_output", [True, False])
def test_export_masks_secrets(api_key: str, json_output: bool) -> None:
    result = run("export", json_output=json_output)
    assert result.exit_code == 0, result.output
    assert api_key not in result.output
    if json_output:
        assert json.loads(result.stdout)["llm"]["api_key"] == MASK
    else:
        assert "api_key: '**********'" in result.stdout


def test_an_export_can_be_imported_again(api_key: str, config_file: Path, tmp_path: Path) -> None:
    """Issue 9, defect 3: importing an export edits only the changed key, keeps every comment
    and never writes derived defaults (app.data_dir stays commented out, not absolute)."""
    run("set", "safety.max_positions", "4")
    exported = tmp_path / "exported.yaml"
    exported.write_text(run("export").stdout)
    assert "data_dir: /" in exported.read_text()  # the export shows the derived path
    config_file.write_text(TEMPLATE)
    result = run("import", str(exported), "--yes")
    assert result.exit_code == 0, result.output
    assert load_settings().safety.max_positions == 4
    assert config_file.read_text() == TEMPLATE.replace(
        "  max_positions: 10\n", "  max_positions: 4\n"
    )
    assert "1 setting(s) changed" in result.stdout


def test_secrets_never_reach_the_logs(api_key: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        for args in (("show",), ("get", "llm.api_key"), ("export",), ("validate",)):
            run(*args)
            run(*args, json_output=True)
        run("set", "safety.max_positions", "3")
    assert api_key not in caplog.text


# --- set --------------------------------------------------------------------------------------


def test_set_writes_atomically_keeps_comments_and_records_the_change(config_file: Path) -> None:
    inode = config_file.stat().st_ino
    result = run("set", "safety.daily_loss_limit", "0.03")
    assert result.exit_code == 0, result.output
    assert config_file.read_text() == TEMPLATE.replace(
        DEFAULT_LIMIT_LINE, "  daily_loss_limit: 0.03\n"
    )
    assert config_file.stat().st_ino != inode  # replaced, not rewritten in place
    assert [p.name for p in config_file.parent.iterdir()] == ["config.yaml"]
    assert load_settings().safety.daily_loss_limit == 0.03
    assert recorded_changes() == [
        ("safety.daily_loss_limit", "0.02", "0.03", "cli set", str(config_file))
    ]


def test_set_json_reports_the_change(config_file: Path) -> None:
    result = run("set", "data.watchlist", "[aapl, msft]", json_output=True)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["file"] == str(config_file)
    assert report["changes"] == [
        {
            "key": "data.watchlist",
            "old": '["SPY", "QQQ", "AAPL", "MSFT", "NVDA"]',
            "new": '["aapl", "msft"]',
        }
    ]
    assert load_settings().data.watchlist == ["AAPL", "MSFT"]


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("safety.daily_loss_limit", "-0.05", "safety.daily_loss_limit: must be greater than 0"),
        ("ibkr.port", "abc", "ibkr.port: must be a whole number"),
        ("web.host", "0.0.0.0", "web.auth_token: is required"),
        ("safety.dialy_loss_limit", "0.01", "safety.dialy_loss_limit"),
    ],
)
def test_an_invalid_set_changes_nothing(
    config_file: Path, key: str, value: str, named: str
) -> None:
    before = config_file.read_bytes()
    message = failure(run("set", key, value))
    assert named in message
    assert config_file.read_bytes() == before
    assert recorded_changes() == []


def test_set_validates_with_the_layers_above(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The candidate file is checked together with the overlay and the environment."""
    monkeypatch.setenv("TRADEMIND__WEB__HOST", "0.0.0.0")
    monkeypatch.setenv("TRADEMIND__WEB__AUTH_TOKEN", "a-token-of-sufficient-length-for-the-rule")
    assert run("set", "web.port", "8080").exit_code == 0
    monkeypatch.delenv("TRADEMIND__WEB__AUTH_TOKEN")
    before = config_file.read_bytes()
    assert "web.auth_token" in failure(run("set", "web.port", "8081"))
    assert config_file.read_bytes() == before


def test_set_of_a_secret_is_refused_naming_the_variable(config_file: Path) -> None:
    before = config_file.read_bytes()
    for key, variable in (("llm.api_key", "TRADEMIND__LLM__API_KEY"), ("llm", "TRADEMIND__LLM")):
        message = failure(run("set", key, "sk-abc"))
        assert variable in message
        assert "sk-abc" not in message
    assert config_file.read_bytes() == before


def test_set_without_a_config_file_creates_one_from_the_template(user_config_home: Path) -> None:
    result = run("set", "ibkr.client_id", "7")
    assert result.exit_code == 0, result.output
    created = user_config_home / "config.yaml"
    assert created.read_text() == TEMPLATE.replace("  client_id: 1\n", "  client_id: 7\n")
    assert "created from the documented defaults" in result.stdout
    assert load_settings().ibkr.client_id == 7
    assert [row[:3] for row in recorded_changes()] == [("ibkr.client_id", "1", "7")]


def test_set_warns_when_a_higher_layer_still_wins(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEMIND__SAFETY__MAX_POSITIONS", "3")
    result = run("set", "safety.max_positions", "5")
    assert result.exit_code == 0, result.output
    assert "TRADEMIND__SAFETY__MAX_POSITIONS" in result.stderr
    assert load_settings().safety.max_positions == 3


def test_set_the_same_value_writes_nothing(config_file: Path) -> None:
    inode = config_file.stat().st_ino
    result = run("set", "safety.daily_loss_limit", "0.02")
    assert result.exit_code == 0, result.output
    assert config_file.stat().st_ino == inode
    assert recorded_changes() == []


def test_a_failed_write_records_nothing(config_file: Path) -> None:
    def broken_writer(path: Path, text: str) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        config_service.set_config_value(
            "safety.max_positions", "3", None, writer=broken_writer, clock=TestClock()
        )
    assert config_file.read_text() == TEMPLATE
    assert recorded_changes() == []


def test_without_auto_migrate_an_old_database_refuses_the_change(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEMIND__DATABASE__AUTO_MIGRATE", "false")
    result = run("set", "safety.max_positions", "3")
    assert isinstance(result.exception, DatabaseError)
    assert "trademind db upgrade" in str(result.exception)
    assert config_file.read_text() == TEMPLATE


# --- validate ---------------------------------------------------------------------------------


def test_validate_a_file_with_a_negative_loss_limit_fails_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("safety:\n  daily_loss_limit: -0.05\n  dialy_loss_limit: 0.01\n")
    result = run("validate", str(bad))
    message = failure(result)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "safety.daily_loss_limit: must be greater than 0 (got -0.05)" in message
    assert "safety.dialy_loss_limit: unknown key" in message
    result = run("validate", str(bad), json_output=True)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert {problem["key"] for problem in report["problems"]} == {
        "safety.daily_loss_limit",
        "safety.dialy_loss_limit",
    }


def test_validate_ok_names_the_file(config_file: Path) -> None:
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"OK: file {config_file} is valid"
    assert json.loads(run("validate", json_output=True).stdout)["valid"] is True


def test_validate_of_a_missing_file_names_it_as_given(tmp_path: Path) -> None:
    """Issue 9, defect 8: the message said the file was "given with --config"."""
    result = run("validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    message = failure(result)
    assert message == f"configuration file not found: {tmp_path / 'nope.yaml'}"


def test_validate_reports_a_yaml_error_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("safety:\n  daily_loss_limit: [0.02\n")
    result = run("validate", str(bad))
    assert result.exit_code == 1
    assert f"{bad}: invalid YAML at line 3" in failure(result)


def test_the_trademind_command_validates_and_hides_secrets(
    tmp_path: Path, api_key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same through the real entry point (global options, error handling)."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("safety:\n  daily_loss_limit: -0.05\n")
    assert dispatch(["config", "validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "safety.daily_loss_limit" in err
    assert len(err.strip().splitlines()) == 1
    assert dispatch(["config", "show", "--format", "json"]) == 0
    output = capsys.readouterr()
    assert json.loads(output.out)["llm"]["api_key"] == MASK
    assert api_key not in output.out + output.err
    assert dispatch(["--config", str(bad), "config", "set", "safety.max_positions", "3"]) == 1
    assert "safety.daily_loss_limit" in capsys.readouterr().err


# --- import / reset ---------------------------------------------------------------------------


def test_import_edits_the_changed_keys_and_records_each(config_file: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.yaml"
    new.write_text("# mine\nsafety:\n  max_positions: 4\nbroker:\n  type: ibkr\n")
    result = run("import", str(new), "--yes")
    assert result.exit_code == 0, result.output
    assert config_file.read_text() == TEMPLATE.replace(
        "  max_positions: 10\n", "  max_positions: 4\n"
    ).replace("  type: paper\n", "  type: ibkr\n")
    assert sorted(row[:4] for row in recorded_changes()) == [
        ("broker.type", '"paper"', '"ibkr"', "cli import"),
        ("safety.max_positions", "10", "4", "cli import"),
    ]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("safety:\n  daily_loss_limit: -0.05\n", "safety.daily_loss_limit"),
        ("llm:\n  api_key: sk-abc\n", "TRADEMIND__LLM__API_KEY"),
        ("- a list\n", "must be a mapping"),
    ],
)
def test_an_invalid_import_changes_nothing(
    config_file: Path, tmp_path: Path, text: str, named: str
) -> None:
    new = tmp_path / "new.yaml"
    new.write_text(text)
    message = failure(run("import", str(new), "--yes"))
    assert named in message
    assert str(new) in message
    assert config_file.read_text() == TEMPLATE
    assert recorded_changes() == []


def test_reset_one_key_restores_its_default(config_file: Path) -> None:
    run("set", "safety.daily_loss_limit", "0.05")
    run("set", "app.data_dir", str(load_settings().app.data_dir))
    assert run("reset", "safety.daily_loss_limit", "--yes").exit_code == 0
    assert DEFAULT_LIMIT_LINE in config_file.read_text()
    assert run("reset", "app.data_dir", "--yes").exit_code == 0  # not in the template: removed
    assert config_file.read_text() == TEMPLATE
    resets = [row[:4] for row in recorded_changes() if row[3] == "cli reset"]
    assert resets[0] == ("safety.daily_loss_limit", "0.05", "0.02", "cli reset")


def test_reset_the_whole_file_restores_the_template(config_file: Path) -> None:
    config_file.write_text("# my own\nsafety:\n  max_positions: 2\n")
    result = run("reset", "--yes", json_output=True)
    assert result.exit_code == 0, result.output
    assert config_file.read_text() == TEMPLATE
    assert [row[:4] for row in recorded_changes()] == [
        ("safety.max_positions", "2", "10", "cli reset")
    ]


def test_reset_repairs_a_broken_file(config_file: Path) -> None:
    config_file.write_text("safety: [\n")
    assert run("reset", "--yes").exit_code == 0
    assert config_file.read_text() == TEMPLATE


def test_reset_of_a_secret_is_refused() -> None:
    assert "TRADEMIND__IBKR__ACCOUNT" in failure(run("reset", "ibkr.account"))


def test_reset_in_a_checkout_restores_the_documented_defaults(tmp_path: Path) -> None:
    """Run from a checkout, ./config.yaml IS the repository's documented copy: `config set`
    edits it, and `config reset` must still bring back the defaults, not the edited file."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("trademind", "migrations"):
        shutil.copytree(ROOT / name, checkout / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "config.yaml", checkout / "config.yaml")

    def trademind(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        command = [sys.executable, "-m", "trademind", *args]
        return subprocess.run(
            command, cwd=checkout, env=env, capture_output=True, text=True, check=False
        )

    assert trademind("config", "set", "safety.daily_loss_limit", "0.03").returncode == 0
    assert DEFAULT_LIMIT_LINE not in (checkout / "config.yaml").read_text()
    reset = trademind("config", "reset", "--yes")
    assert reset.returncode == 0, reset.stderr
    assert (checkout / "config.yaml").read_text() == TEMPLATE


# --- mapping settings (one setting whose value is a mapping) ---------------------------------


def test_a_mapping_setting_is_shown_set_and_recorded_whole(config_file: Path) -> None:
    key = "orchestrator.portfolio.targets"
    assert run("get", key).stdout.strip() == "{}"
    result = run("set", key, "{AAPL: 0.1, MSFT: 0.2}", json_output=True)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changes"] == [
        {"key": key, "old": "{}", "new": '{"AAPL": 0.1, "MSFT": 0.2}'}
    ]
    assert run("get", key).stdout.strip() == '{"AAPL": 0.1, "MSFT": 0.2}'
    section = run("get", "orchestrator.portfolio").stdout
    assert key in section
    assert f"{key}.AAPL" not in section
    assert recorded_changes()[-1][:3] == (key, "{}", '{"AAPL": 0.1, "MSFT": 0.2}')


def test_the_mapping_settings_are_the_schemas_mapping_fields() -> None:
    from typing import get_origin

    from trademind.config.masking import MAPPING_SETTINGS
    from trademind.config.schema import dotted, iter_leaves

    mappings = {
        dotted(leaf.path) for leaf in iter_leaves() if get_origin(leaf.field.annotation) is dict
    }
    assert mappings == MAPPING_SETTINGS
