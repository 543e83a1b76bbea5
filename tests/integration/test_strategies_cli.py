"""`trademind strategies ...` through the real command tree (:func:`dispatch`), with a real
config file in the test's working directory and the real SQLite database for config_changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli_driver import Cli

from trademind.config import load_settings
from trademind.db.repositories import ConfigChangeRepository
from trademind.db.session import Database
from trademind.resources import resource_path

TEMPLATE = resource_path("config.yaml").read_text()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


@pytest.fixture
def config_file() -> Path:
    """./config.yaml: the shipped, fully commented template."""
    path = Path.cwd() / "config.yaml"
    path.write_text(TEMPLATE)
    return path


def recorded_changes() -> list[tuple[str, str | None, str | None, str]]:
    """(key, old, new, source) of config_changes, oldest first."""
    settings = load_settings()
    if not (settings.app.data_dir / "trademind.db").exists():
        return []
    database = Database(settings.database_url())
    try:
        with database.session() as session:
            rows = ConfigChangeRepository(session).list_recent(100)
            return [(row.key, row.old_value, row.new_value, row.source) for row in reversed(rows)]
    finally:
        database.dispose()


# --- list and config -----------------------------------------------------------------------


def test_list_shows_every_strategy_with_its_state_and_parameters(cli: Cli) -> None:
    listed = {item["name"]: item for item in cli.json("strategies", "list")}
    assert list(listed) == [
        "rsi_mean_reversion",
        "ma_crossover",
        "bollinger_reversion",
        "macd_momentum",
        "buy_and_hold",
        "meta",
    ]
    assert listed["rsi_mean_reversion"]["enabled"] is True
    assert listed["bollinger_reversion"]["enabled"] is False
    assert listed["ma_crossover"]["params"] == {"fast": 20, "slow": 50, "average": "sma"}
    assert listed["buy_and_hold"]["params"] == {}
    assert listed["meta"]["params"]["weight_ma_crossover"] == 1.0
    assert "Bollinger" in listed["bollinger_reversion"]["description"]
    code, out, _ = cli("strategies", "list")
    assert code == 0
    assert "macd_momentum" in out
    assert "signal=9" in out


def test_config_shows_the_declaration_and_the_current_values(cli: Cli, config_file: Path) -> None:
    config_file.write_text(TEMPLATE.replace("    oversold: 30.0\n", "    oversold: 27.5\n"))
    shown = cli.json("strategies", "config", "rsi_mean_reversion")
    assert shown["name"] == "rsi_mean_reversion"
    assert shown["enabled"] is True
    by_name = {param["name"]: param for param in shown["params"]}
    assert by_name["oversold"] == {
        "name": "oversold",
        "type": "float",
        "minimum": 1,
        "maximum": 50,
        "choices": [],
        "default": 30.0,
        "value": 27.5,
        "description": "RSI level below which the strategy buys.",
    }
    assert by_name["length"]["type"] == "int"
    code, out, _ = cli("strategies", "config", "ma_crossover")
    assert code == 0
    assert "sma|ema" in out
    assert "3..1000" in out
    code, out, _ = cli("strategies", "config", "buy_and_hold")
    assert code == 0
    assert "No parameters." in out


def test_global_format_option_works_before_the_group(cli: Cli) -> None:
    code, out, err = cli("--format", "json", "strategies", "config", "macd_momentum")
    assert code == 0, err
    assert json.loads(out)["params"][2]["name"] == "signal"


# --- enable / disable ----------------------------------------------------------------------


def test_enable_and_disable_are_persisted_and_recorded(cli: Cli, config_file: Path) -> None:
    result = cli.json("strategies", "enable", "macd_momentum")
    assert result["written"] is True
    assert result["strategy"]["enabled"] is True
    assert "enabled: [rsi_mean_reversion, ma_crossover, macd_momentum]" in config_file.read_text()
    assert "# strategies.macd_momentum: Buy when the MACD" in config_file.read_text()  # comments
    assert load_settings().strategies.enabled == [
        "rsi_mean_reversion",
        "ma_crossover",
        "macd_momentum",
    ]
    code, out, _ = cli("strategies", "enable", "macd_momentum")
    assert code == 0
    assert "nothing changed" in out
    code, out, _ = cli("strategies", "disable", "rsi_mean_reversion")
    assert code == 0
    assert "rsi_mean_reversion disabled: wrote" in out
    listed = {item["name"]: item["enabled"] for item in cli.json("strategies", "list")}
    assert listed == {
        "rsi_mean_reversion": False,
        "ma_crossover": True,
        "bollinger_reversion": False,
        "macd_momentum": True,
        "buy_and_hold": False,
        "meta": False,
    }
    assert recorded_changes() == [
        (
            "strategies.enabled",
            '["rsi_mean_reversion", "ma_crossover"]',
            '["rsi_mean_reversion", "ma_crossover", "macd_momentum"]',
            "cli strategies",
        ),
        (
            "strategies.enabled",
            '["rsi_mean_reversion", "ma_crossover", "macd_momentum"]',
            '["ma_crossover", "macd_momentum"]',
            "cli strategies",
        ),
    ]


def test_enable_without_a_config_file_creates_the_user_file(cli: Cli, tmp_path: Path) -> None:
    result = cli.json("strategies", "enable", "buy_and_hold")
    assert result["created"] is True
    assert Path(result["file"]) == tmp_path / "xdg-config" / "trademind" / "config.yaml"
    assert "buy_and_hold" in load_settings().strategies.enabled


def test_an_environment_override_is_reported(
    cli: Cli, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEMIND__STRATEGIES__ENABLED", '["buy_and_hold"]')
    code, _, err = cli("strategies", "enable", "ma_crossover")
    assert code == 0
    assert "strategies.enabled is also set by env TRADEMIND__STRATEGIES__ENABLED" in err


# --- set -----------------------------------------------------------------------------------


def test_set_writes_each_parameter_and_records_each_change(cli: Cli, config_file: Path) -> None:
    code, out, err = cli(
        "strategies", "set", "rsi_mean_reversion", "--oversold", "25", "--overbought=75"
    )
    assert code == 0, err
    assert "rsi_mean_reversion parameters set: wrote" in out
    text = config_file.read_text()
    assert "    oversold: 25.0\n" in text
    assert "    overbought: 75.0\n" in text
    assert "# RSI level below which the strategy buys." in text
    section = load_settings().strategies.rsi_mean_reversion
    assert (section.length, section.oversold, section.overbought) == (14, 25.0, 75.0)
    assert recorded_changes() == [
        ("strategies.rsi_mean_reversion.oversold", "30.0", "25.0", "cli strategies"),
        ("strategies.rsi_mean_reversion.overbought", "70.0", "75.0", "cli strategies"),
    ]
    result = cli.json("strategies", "set", "ma_crossover", "--average", "EMA", "--fast", "10")
    assert result["strategy"]["params"] == {"fast": 10, "slow": 50, "average": "ema"}
    assert [change["key"] for change in result["changes"]] == [
        "strategies.ma_crossover.fast",
        "strategies.ma_crossover.average",
    ]


def test_set_validates_against_the_current_values_of_the_other_parameters(
    cli: Cli, config_file: Path
) -> None:
    assert cli("strategies", "set", "ma_crossover", "--slow", "100")[0] == 0
    assert cli("strategies", "set", "ma_crossover", "--fast", "80")[0] == 0  # 80 < 100: fine
    err = cli.fails("strategies", "set", "ma_crossover", "--slow", "70", code=2)
    assert "ma_crossover: slow (70) must be greater than fast (80)" in err
    assert load_settings().strategies.ma_crossover.slow == 100


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("rsi_mean_reversion", "--oversold", "80"), "oversold: 80 is above the maximum 50"),
        (("rsi_mean_reversion", "--length", "abc"), "length: expected a number, got 'abc'"),
        (("rsi_mean_reversion", "--oversold", "45", "--overbought", "45"), "overbought"),
        (("macd_momentum", "--fast", "30"), "slow (26) must be greater than fast (30)"),
        (("ma_crossover", "--average", "wma"), "'wma' is not one of sma, ema"),
        (
            ("rsi_mean_reversion", "--period", "10"),
            "unknown parameter(s) period (known: length, oversold, overbought)",
        ),
        (("rsi_mean_reversion",), "nothing to set (parameters: length, oversold, overbought)"),
        (("buy_and_hold", "--length", "3"), "buy_and_hold has no parameters"),
        (("nope", "--length", "3"), "unknown strategy 'nope' (known: rsi_mean_reversion"),
    ],
)
def test_set_rejects_bad_input_as_a_usage_error_and_writes_nothing(
    cli: Cli, config_file: Path, args: tuple[str, ...], message: str
) -> None:
    """Issue 9, defect 11: a value the command line gives wrong (type, range, unknown name, not
    fitting the others) is a usage error, exit 2."""
    err = cli.fails("strategies", "set", *args, code=2)
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert config_file.read_text() == TEMPLATE
    assert recorded_changes() == []


@pytest.mark.parametrize(
    "args",
    [
        ("rsi_mean_reversion", "25"),
        ("rsi_mean_reversion", "--oversold"),
        ("rsi_mean_reversion", "--oversold", "25", "--oversold", "26"),
    ],
)
def test_a_malformed_set_command_line_is_a_usage_error(
    cli: Cli, config_file: Path, args: tuple[str, ...]
) -> None:
    cli.fails("strategies", "set", *args, code=2)
    assert config_file.read_text() == TEMPLATE


@pytest.mark.parametrize("command", ["enable", "disable", "config"])
def test_an_unknown_strategy_names_the_known_ones(cli: Cli, command: str) -> None:
    err = cli.fails("strategies", command, "rsi", code=2)
    assert "unknown strategy 'rsi' (known: rsi_mean_reversion, ma_crossover" in err
