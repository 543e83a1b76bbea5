"""Layering: defaults < base file < overlay < .env < environment, and the error reports."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from trademind.config import Settings, load_config, load_settings
from trademind.config.documents import dump_document, load_document
from trademind.config.schema import iter_leaves
from trademind.config.template import render_template
from trademind.core.errors import ConfigError
from trademind.resources import resource_path

SHIPPED = resource_path("config.yaml")
WriteFile = Callable[[str, str], Path]


def problems_of(error: pytest.ExceptionInfo[ConfigError]) -> dict[str, str]:
    return dict(error.value.problems)


# --- defaults and the shipped config.yaml ---------------------------------------------------


def test_no_files_gives_the_defaults(isolated_environment: Path) -> None:
    loaded = load_config()
    assert loaded.files.base is None
    assert loaded.settings == Settings.model_validate({"app": {"data_dir": isolated_environment}})
    assert loaded.sources["safety.daily_loss_limit"] == "default"
    assert loaded.sources["app.data_dir"] == "env TRADEMIND__APP__DATA_DIR"


def test_config_yaml_is_the_rendering_of_the_models() -> None:
    """Regenerate with `uv run python -m trademind.config.template > config.yaml`."""
    assert SHIPPED.read_text() == render_template()


def test_shipped_config_yaml_equals_the_defaults() -> None:
    assert load_settings(SHIPPED, environ={}) == Settings()


def test_shipped_config_yaml_names_every_setting_and_nothing_else() -> None:
    text = SHIPPED.read_text()
    document = load_document(SHIPPED)
    present: set[str] = set()
    leaves = {".".join(leaf.path): leaf for leaf in iter_leaves()}

    def walk(node: object, prefix: str) -> None:
        assert isinstance(node, dict)
        for key, value in node.items():
            # `{}` is a section without settings (strategies.buy_and_hold), not a setting
            if isinstance(value, dict) and (value or f"{prefix}{key}" not in leaves):
                walk(value, f"{prefix}{key}.")
            else:
                present.add(f"{prefix}{key}")

    walk(document, "")
    assert present <= set(leaves), present - set(leaves)
    for key, leaf in leaves.items():
        name = leaf.path[-1]
        if leaf.is_secret or key == "app.data_dir":
            assert f"# {name}:" in text, key  # documented, commented out
            assert key not in present
        else:
            assert key in present, key


def test_shipped_config_yaml_comments_every_setting() -> None:
    lines = SHIPPED.read_text().splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not stripped.endswith(":"):
            assert lines[index - 1].strip().startswith("#"), f"no comment above: {line}"


def test_shipped_config_yaml_survives_a_round_trip_unchanged() -> None:
    assert dump_document(load_document(SHIPPED)) == SHIPPED.read_text()


# --- each layer overrides the one below ------------------------------------------------------


def _files(write_file: WriteFile) -> None:
    write_file(
        "config.yaml",
        "safety:\n  daily_loss_limit: 0.03\n  max_positions: 7\n  max_order_value: 5000\n"
        "  circuit_breaker:\n    max_drawdown: 0.2\n",
    )
    write_file("config.dev.yaml", "safety:\n  daily_loss_limit: 0.04\n  max_positions: 8\n")


def _stack(write_file: WriteFile) -> None:
    _files(write_file)
    write_file(".env", "TRADEMIND__SAFETY__DAILY_LOSS_LIMIT=0.05\nUNRELATED=1\n")


def test_each_layer_overrides_the_one_below(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    _files(write_file)
    assert load_settings().safety.daily_loss_limit == 0.03  # file (no TRADEMIND_ENV)

    monkeypatch.setenv("TRADEMIND_ENV", "dev")
    assert load_settings().safety.daily_loss_limit == 0.04  # overlay over file
    assert load_settings().safety.max_positions == 8

    _stack(write_file)
    assert load_settings().safety.daily_loss_limit == 0.05  # .env over overlay

    monkeypatch.setenv("TRADEMIND__SAFETY__DAILY_LOSS_LIMIT", "0.06")
    loaded = load_config()
    assert loaded.settings.safety.daily_loss_limit == 0.06  # environment over .env
    assert loaded.settings.safety.max_order_value == 5000  # deep merge keeps file keys
    assert loaded.settings.safety.circuit_breaker.max_drawdown == 0.2
    assert loaded.settings.safety.circuit_breaker.max_consecutive_losses == 5  # default
    assert loaded.sources["safety.daily_loss_limit"] == "env TRADEMIND__SAFETY__DAILY_LOSS_LIMIT"
    assert loaded.sources["safety.max_positions"].startswith("overlay ")
    assert loaded.sources["safety.max_order_value"].startswith("file ")


def test_dotenv_sits_between_overlay_and_environment(write_file: WriteFile) -> None:
    _stack(write_file)
    loaded = load_config(environ={"TRADEMIND_ENV": "dev"})
    assert loaded.settings.safety.daily_loss_limit == 0.05
    assert loaded.sources["safety.daily_loss_limit"] == ".env TRADEMIND__SAFETY__DAILY_LOSS_LIMIT"


def test_trademind_env_may_come_from_dotenv(write_file: WriteFile) -> None:
    _stack(write_file)
    write_file(".env", "TRADEMIND_ENV=dev\n")
    assert load_settings(environ={}).safety.max_positions == 8


def test_a_missing_overlay_file_is_fine(write_file: WriteFile) -> None:
    write_file("config.yaml", "safety:\n  max_positions: 7\n")
    loaded = load_config(environ={"TRADEMIND_ENV": "prod"})
    assert loaded.settings.safety.max_positions == 7
    assert loaded.files.overlay == Path.cwd() / "config.prod.yaml"


@pytest.mark.parametrize("value", ["qa", "production", "dev2"])
def test_a_bad_trademind_env_is_rejected(value: str) -> None:
    with pytest.raises(ConfigError, match="TRADEMIND_ENV must be one of dev, staging, prod"):
        load_settings(environ={"TRADEMIND_ENV": value})


def test_env_var_names_are_case_insensitive_and_lists_are_json() -> None:
    settings = load_settings(
        environ={
            "TRADEMIND__ibkr__Port": "7496",
            "TRADEMIND__DATA__WATCHLIST": '["spy", "qqq"]',
            "TRADEMIND__BROKER__LIVE_TRADING_ENABLED": "true",
            "TRADEMIND__SAFETY__CIRCUIT_BREAKER__MAX_DRAWDOWN": "0.15",
            "TRADEMIND__LLM__API_KEY": "sk-secret-123",
            "TRADEMIND__DATABASE__URL": "",
            "TRADEMIND_REQUIRE_SERVICES": "1",
        }
    )
    assert settings.ibkr.port == 7496
    assert settings.data.watchlist == ["SPY", "QQQ"]
    assert settings.broker.live_trading_enabled is True
    assert settings.safety.circuit_breaker.max_drawdown == 0.15
    assert settings.llm.api_key is not None
    assert settings.llm.api_key.get_secret_value() == "sk-secret-123"
    assert settings.database.url is None


# --- base file selection -----------------------------------------------------------------------


def test_base_file_order(write_file: WriteFile, user_config_home: Path, tmp_path: Path) -> None:
    user_config_home.mkdir(parents=True)
    (user_config_home / "config.yaml").write_text("safety:\n  max_positions: 1\n")
    assert load_settings(environ={}).safety.max_positions == 1
    write_file("config.yaml", "safety:\n  max_positions: 2\n")
    assert load_settings(environ={}).safety.max_positions == 2
    named = tmp_path / "named.yaml"
    named.write_text("safety:\n  max_positions: 3\n")
    assert load_settings(environ={"TRADEMIND_CONFIG": str(named)}).safety.max_positions == 3
    explicit = tmp_path / "explicit.yaml"
    explicit.write_text("safety:\n  max_positions: 4\n")
    loaded = load_config(explicit, environ={"TRADEMIND_CONFIG": str(named)})
    assert loaded.settings.safety.max_positions == 4
    assert loaded.files.base == explicit


def test_the_overlay_sits_beside_the_base_file(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    base = tmp_path / "conf" / "main.yaml"
    base.write_text("safety:\n  max_positions: 3\n")
    (tmp_path / "conf" / "config.staging.yaml").write_text("safety:\n  max_positions: 4\n")
    assert load_settings(base, environ={"TRADEMIND_ENV": "staging"}).safety.max_positions == 4


@pytest.mark.parametrize("how", ["argument", "variable"])
def test_an_explicit_missing_file_is_an_error(how: str, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    arguments = {"argument": (missing, {}), "variable": (None, {"TRADEMIND_CONFIG": str(missing)})}
    path, environ = arguments[how]
    with pytest.raises(ConfigError, match=r"configuration file not found: .*nope\.yaml"):
        load_settings(path, environ=environ)


def test_an_explicit_path_that_is_not_a_file_says_so(tmp_path: Path) -> None:
    """Issue 9 (fuzz): `--config /dev/null` or a directory was reported as "not found"."""
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(ConfigError, match=r"configuration file is not a regular file: .*folder"):
        load_settings(folder)


# --- problems are reported with the dotted key ------------------------------------------------


def test_negative_daily_loss_limit_in_a_file_names_the_key(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "safety:\n  daily_loss_limit: -0.05\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert problems_of(caught) == {"safety.daily_loss_limit": "must be greater than 0 (got -0.05)"}
    message = str(caught.value)
    assert message.startswith(f"invalid configuration (file {path}): ")
    assert "safety.daily_loss_limit: must be greater than 0 (got -0.05)" in message


def test_negative_daily_loss_limit_from_the_environment_names_key_and_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"TRADEMIND__SAFETY__DAILY_LOSS_LIMIT": "-0.05"})
    assert problems_of(caught) == {"safety.daily_loss_limit": "must be greater than 0 (got -0.05)"}
    assert "[from env TRADEMIND__SAFETY__DAILY_LOSS_LIMIT]" in str(caught.value)


def test_unknown_keys_in_a_file_are_named(write_file: WriteFile) -> None:
    write_file(
        "config.yaml",
        "safety:\n  dialy_loss_limit: 0.01\n  circuit_breaker:\n    bogus: 1\nsaftey: {}\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings()
    problems = problems_of(caught)
    assert problems["safety.dialy_loss_limit"].startswith("unknown key")
    assert "did you mean 'daily_loss_limit'" in problems["safety.dialy_loss_limit"]
    assert problems["safety.circuit_breaker.bogus"] == "unknown key"
    assert problems["saftey"].startswith("unknown key")
    assert "safety.dialy_loss_limit: unknown key" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("TRADEMIND__SAFETY__DIALY_LOSS_LIMIT", "safety.dialy_loss_limit"),
        ("TRADEMIND__SAFTEY__DAILY_LOSS_LIMIT", "saftey"),
        ("TRADEMIND__SAFETY__CIRCUIT_BREAKER__BOGUS", "safety.circuit_breaker.bogus"),
    ],
)
def test_unknown_environment_variables_are_named_by_dotted_key(name: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={name: "1"})
    assert problems_of(caught)[key].startswith("unknown key")
    assert f"[from env {name}]" in str(caught.value)


def test_unknown_keys_in_dotenv_are_named(write_file: WriteFile) -> None:
    write_file(".env", "TRADEMIND__LLM__API_TOKEN=abc\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={})
    assert "llm.api_token" in problems_of(caught)


def test_every_problem_is_named_in_one_line(write_file: WriteFile) -> None:
    """Issue 9: every CLI error is one line, so the message joins the problems with '; '."""
    write_file(
        "config.yaml",
        "safety:\n  daily_loss_limit: -1\n  max_positions: 0\nibkr:\n  port: 99999\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"TRADEMIND__LLM__TEMPERATURE": "9"})
    message = str(caught.value)
    assert "\n" not in message
    assert "4 problems: " in message
    assert message.count("; ") == 3
    assert "ibkr.port: must be at most 65535 (got 99999) [from file " in message
    assert set(problems_of(caught)) == {
        "safety.daily_loss_limit",
        "safety.max_positions",
        "ibkr.port",
        "llm.temperature",
    }


def test_a_secret_in_a_file_is_rejected_naming_its_variable(write_file: WriteFile) -> None:
    write_file("config.yaml", "llm:\n  api_key: sk-from-file\nibkr:\n  account: DU123\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    problems = problems_of(caught)
    assert "TRADEMIND__LLM__API_KEY" in problems["llm.api_key"]
    assert "TRADEMIND__IBKR__ACCOUNT" in problems["ibkr.account"]
    assert "sk-from-file" not in str(caught.value)
    assert "DU123" not in str(caught.value)


def test_a_secret_in_an_overlay_is_rejected(write_file: WriteFile) -> None:
    write_file("config.yaml", "{}\n")
    write_file("config.prod.yaml", "web:\n  auth_token: abcdefghijklmnopqrstuvwxyz\n")
    with pytest.raises(ConfigError, match="TRADEMIND__WEB__AUTH_TOKEN"):
        load_settings(environ={"TRADEMIND_ENV": "prod"})


def test_masked_or_null_secrets_from_an_export_are_ignored(write_file: WriteFile) -> None:
    write_file("config.yaml", "llm:\n  api_key: '**********'\nibkr:\n  account: null\n")
    settings = load_settings(environ={"TRADEMIND__IBKR__ACCOUNT": "DU999"})
    assert settings.llm.api_key is None
    assert settings.ibkr.account is not None


def test_secret_values_never_appear_in_errors() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"TRADEMIND__WEB__AUTH_TOKEN": "tiny-secret"})
    assert problems_of(caught) == {"web.auth_token": "must be at least 32 characters"}
    assert "tiny-secret" not in str(caught.value)


def test_a_yaml_syntax_error_names_the_file_and_line(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "safety:\n  daily_loss_limit: 0.02\n  max_positions: [1\n")
    with pytest.raises(ConfigError, match=rf"{path}: invalid YAML at line 4"):
        load_settings()


def test_a_base_file_that_is_not_a_mapping_is_rejected(write_file: WriteFile) -> None:
    path = write_file("config.yaml", "- safety\n- llm\n")
    with pytest.raises(ConfigError, match=rf"{path}: must be a mapping of sections"):
        load_settings()


def test_a_section_with_every_key_commented_out_is_empty(write_file: WriteFile) -> None:
    write_file("config.yaml", "safety:\n  # daily_loss_limit: 0.01\nllm:\n")
    assert load_settings().safety == Settings().safety


def test_an_empty_file_is_the_defaults(write_file: WriteFile) -> None:
    write_file("config.yaml", "# nothing yet\n")
    assert load_settings(environ={}) == Settings()


def test_the_process_environment_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEMIND__IBKR__CLIENT_ID", "42")
    assert os.environ["TRADEMIND__IBKR__CLIENT_ID"] == "42"
    assert load_settings().ibkr.client_id == 42


def test_the_reference_in_docs_lists_every_setting_and_no_removed_one() -> None:
    docs = (SHIPPED.parent / "docs" / "configuration.md").read_text()
    reference = docs[docs.index("## Reference") :]
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", reference, flags=re.MULTILINE))
    assert documented == {".".join(leaf.path) for leaf in iter_leaves()}
