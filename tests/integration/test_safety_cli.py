"""`trademind safety ...` (issue 11, item 5) through the in-process driver on SQLite: the
trading state commands, limits, set, circuit breakers, heat, and the bad inputs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
import sqlalchemy as sa
from support.cli_driver import Cli
from support.ledger_data import DAY1, write_demo_ledger

from trademind.cli import confirm
from trademind.db.models import Order, SafetyEvent
from trademind.db.repositories import ConfigChangeRepository
from trademind.db.session import Database
from trademind.resources import resource_path
from trademind.safety.catalogue import all_rules


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'ledger' / 'trademind.db'}"
    monkeypatch.setenv("TRADEMIND__DATABASE__URL", url)
    return url


@pytest.fixture
def database(url: str) -> Iterator[Database]:
    database = Database(url)
    database.ensure_schema()
    write_demo_ledger(database)
    write_demo_ledger(database, "older", until=2, used_at=DAY1 - timedelta(days=9))
    yield database
    database.dispose()


@pytest.fixture
def config_file() -> Path:
    path = Path.cwd() / "config.yaml"
    path.write_text(resource_path("config.yaml").read_text())
    return path


def safety_event_count(database: Database) -> int:
    table = cast(sa.Table, SafetyEvent.__table__)
    query = sa.select(sa.func.count()).select_from(table)
    return int(database.run(lambda connection: connection.execute(query).scalar_one()))


def config_changes(database: Database) -> list[tuple[str, str | None, str | None, str]]:
    with database.session() as session:
        rows = ConfigChangeRepository(session).list_recent(100)
        return [(row.key, row.old_value, row.new_value, row.source) for row in reversed(rows)]


# --- no account, unknown account ---------------------------------------------------------


def test_without_any_account_every_command_says_how_to_make_one(url: str, cli: Cli) -> None:
    for argv in (
        ("safety", "status"),
        ("safety", "limits"),
        ("safety", "circuit-breaker"),
        ("safety", "heat"),
        ("safety", "emergency-stop", "--reason", "test", "--yes"),
        ("safety", "reset-circuit-breaker", "--reason", "test"),
    ):
        err = cli.fails(*argv)
        assert "no trading account yet" in err, argv
        assert len(err.strip().splitlines()) == 1


def test_an_unknown_account_names_the_known_ones_and_writes_nothing(
    database: Database, cli: Cli
) -> None:
    for argv in (
        ("safety", "status"),
        ("safety", "heat"),
        ("safety", "emergency-stop", "--reason", "test", "--yes"),
    ):
        err = cli.fails(*argv, "--account", "nope")
        assert "no account named 'nope' (known: demo, older)" in err, argv
    assert safety_event_count(database) == 0


# --- status, emergency stop, reset ---------------------------------------------------------


def test_status_of_a_fresh_account_is_active_with_the_limits(database: Database, cli: Cli) -> None:
    view = cli.json("safety", "status")
    assert (view["account"]["name"], view["state"], view["since"]) == ("demo", "active", None)
    assert view["events"] == []
    assert view["settings_changes"] == []
    rules = {rule["rule"]: rule for rule in view["limits"]["rules"]}
    assert rules["max_positions"]["settings"] == {"max_positions": 10}
    code, out, _ = cli("safety", "status")
    assert code == 0
    assert "Account demo: trading is active (never changed)" in out
    assert view["day_trades"]["remaining"] is None  # equity ~100,000: at or above 25,000
    assert "no limit" in view["day_trades"]["why"]


def test_status_counts_the_day_trades_left_under_the_threshold(
    database: Database, config_file: Path, cli: Cli
) -> None:
    cli.json("safety", "set", "--pdt-equity-threshold", "1000000")
    trades = cli.json("safety", "status")["day_trades"]
    assert (trades["used"], trades["allowed"], trades["window_days"]) == (0, 3, 5)
    assert trades["remaining"] == 3  # the demo ledger's trades were on different days
    assert trades["why"].startswith("equity 100,")


def test_emergency_stop_halts_records_the_actor_and_liquidate(database: Database, cli: Cli) -> None:
    code, out, err = cli(
        "safety", "emergency-stop", "--reason", "runaway orders", "--liquidate", "--yes"
    )
    assert code == 0, err
    assert "emergency_stop recorded" in out
    assert "active -> halted" in out
    assert "sees HALTED within a second and cancels working orders and liquidates" in out
    view = cli.json("safety", "status")
    assert (view["state"], view["reason"]) == ("halted", "runaway orders")
    assert view["actor"].startswith("cli:")
    (event,) = view["events"]
    assert event["details"] == {"liquidate": True}
    assert event["event"] == "emergency_stop"
    older = cli.json("safety", "status", "--account", "older")
    assert older["state"] == "active"


def test_emergency_stop_needs_confirmation_from_a_non_terminal(
    database: Database, cli: Cli
) -> None:
    err = cli.fails("safety", "emergency-stop", "--reason", "x", code=2)
    assert "add --yes to confirm" in err
    assert safety_event_count(database) == 0


@pytest.mark.parametrize("case", [("n\n", 1, 0), ("y\n", 0, 1)], ids=["no", "yes"])
def test_emergency_stop_asks_in_a_terminal(
    database: Database, cli: Cli, monkeypatch: pytest.MonkeyPatch, case: tuple[str, int, int]
) -> None:
    answer, code, events = case
    monkeypatch.setattr(confirm, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    got, _, err = cli("safety", "emergency-stop", "--reason", "stop")
    assert got == code, err
    assert "of account demo halts all trading. Continue?" in err
    assert safety_event_count(database) == events


def test_reset_reactivates_and_is_refused_when_already_active(database: Database, cli: Cli) -> None:
    err = cli.fails("safety", "reset-circuit-breaker", "--reason", "all clear")
    assert "already active" in err
    assert len(err.strip().splitlines()) == 1
    cli.json("safety", "emergency-stop", "--reason", "stop", "--yes")
    result = cli.json("safety", "reset-circuit-breaker", "--reason", "all clear")
    assert (result["change"]["from_state"], result["change"]["to_state"]) == ("halted", "active")
    assert cli.json("safety", "status")["state"] == "active"
    assert safety_event_count(database) == 2


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501], ids=["empty", "blank", "too long"])
def test_a_blank_or_too_long_reason_is_a_usage_error(
    database: Database, cli: Cli, reason: str
) -> None:
    for argv in (("emergency-stop", "--yes"), ("reset-circuit-breaker",)):
        err = cli.fails("safety", *argv, "--reason", reason, code=2)
        assert "--reason" in err
        assert len(err.strip().splitlines()) == 1
    assert safety_event_count(database) == 0


# --- limits and set --------------------------------------------------------------------------


def test_limits_lists_every_rule_enabled_or_not(
    database: Database, config_file: Path, cli: Cli
) -> None:
    cli.json("safety", "set", "--disabled-rules", "[order_rate]", "--pdt-enabled", "false")
    view = cli.json("safety", "limits")
    rules = {rule["rule"]: rule["enabled"] for rule in view["rules"]}
    assert set(rules) >= {"max_order_value", "order_rate", "pattern_day_trader"}
    assert rules["order_rate"] is False
    assert rules["pattern_day_trader"] is False
    assert rules["max_order_value"] is True
    code, out, _ = cli("safety", "limits")
    assert code == 0
    assert "order_rate" in out
    assert "disabled" in out


def test_disabled_rules_take_comma_separated_names_and_an_empty_list(
    database: Database, config_file: Path, cli: Cli
) -> None:
    cli.json("safety", "set", "--disabled-rules", "market_hours, order_rate")
    rules = {rule["rule"]: rule["enabled"] for rule in cli.json("safety", "limits")["rules"]}
    assert (rules["market_hours"], rules["order_rate"], rules["buying_power"]) == (
        False,
        False,
        True,
    )
    before = config_file.read_text()
    err = cli.fails("safety", "set", "--disabled-rules", "market_hours,nope", code=2)
    assert "'pattern_day_trader'" in err
    assert config_file.read_text() == before
    cli.json("safety", "set", "--disabled-rules", "")
    listed = cli.json("safety", "limits")["rules"]
    off = {rule["rule"]: rule["off_because"] for rule in listed if not rule["enabled"]}
    assert off == {"beta_adjusted_size": "safety.benchmark_symbol is not set"}


def test_set_accepts_percentages_and_records_each_change(
    database: Database, config_file: Path, cli: Cli
) -> None:
    change = cli.json(
        "safety",
        "set",
        "--max-positions",
        "8",
        "--daily-loss-limit",
        "3%",
        "--max-order-value",
        "5000",
        "--circuit-breaker-max-drawdown",
        "0.2",
    )
    assert change["written"] is True
    assert change["settings"]["max_positions"] == 8
    assert change["settings"]["daily_loss_limit"] == pytest.approx(0.03)
    assert change["settings"]["circuit_breaker"]["max_drawdown"] == pytest.approx(0.2)
    recorded = {key: (new, source) for key, _old, new, source in config_changes(database)}
    assert recorded["safety.max_positions"] == ("8", "cli safety set")
    assert recorded["safety.daily_loss_limit"][0] == "0.03"
    assert "max_positions: 8" in config_file.read_text()
    again = cli.json("safety", "set", "--max-positions", "8")
    assert again["written"] is False
    shown = cli.json("safety", "status")["settings_changes"]
    assert {(item["key"], item["source"]) for item in shown} >= {
        ("safety.max_positions", "cli safety set"),
        ("safety.circuit_breaker.max_drawdown", "cli safety set"),
    }


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--daily-loss-limit", "2%%"), "is not a percentage"),
        (("--daily-loss-limit", "-1"), "--daily-loss-limit"),
        (("--daily-loss-limit", "abc"), "--daily-loss-limit"),
        (("--daily-loss-limit", "nan"), "--daily-loss-limit"),
        (("--daily-loss-limit", "inf"), "--daily-loss-limit"),
        (("--daily-loss-limit", "nan%"), "is not a percentage"),
        (("--daily-loss-limit", "150%"), "allowed: > 0 and <= 1"),
        (("--max-positions", "600"), "allowed: >= 1 and <= 500"),
        (("--max-positions", "2.5"), "must be a whole number"),
        (("--max-order-value", "5%"), "a percentage is not accepted here"),
        (("--max-positions",), "requires an argument"),
        (("--no-such-limit", "3"), "No such option"),
        ((), "nothing to set"),
        (
            ("--max-position-size", "0.5"),
            "max_position_size (0.5) is above max_sector_concentration",
        ),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else value,
)
def test_bad_values_are_usage_errors_and_write_nothing(
    database: Database, config_file: Path, cli: Cli, argv: tuple[str, ...], expected: str
) -> None:
    before = config_file.read_text()
    err = cli.fails("safety", "set", *argv, code=2)
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert config_file.read_text() == before
    assert config_changes(database) == []


def test_set_offers_an_option_for_every_safety_setting(cli: Cli) -> None:
    from trademind.config.schema import iter_leaves
    from trademind.config.sections_trading import SafetySettings

    code, out, _ = cli("safety", "set", "--help")
    assert code == 0
    for leaf in iter_leaves(SafetySettings):
        option = "--" + "-".join(leaf.path).replace("_", "-")
        assert option in out, option


# --- circuit breakers and heat ---------------------------------------------------------------


def test_circuit_breaker_evaluates_the_stored_ledger(database: Database, cli: Cli) -> None:
    view = cli.json("safety", "circuit-breaker")
    breakers = {item["breaker"]: item for item in view["breakers"]}
    assert set(breakers) == {"daily_loss", "max_drawdown", "consecutive_losses", "rejection_rate"}
    losses = breakers["consecutive_losses"]
    assert (losses["value"], losses["tripped"]) == (1.0, False)  # MSFT lost, AAPL still open
    assert breakers["max_drawdown"]["tripped"] is False
    rejections = breakers["rejection_rate"]
    assert (rejections["value"], rejections["threshold"], rejections["tripped"]) == (
        0.0,
        5.0,
        False,
    )
    assert rejections["settings"] == {
        "circuit_breaker.max_rejections": 5,
        "circuit_breaker.rejection_window": 20,
    }
    assert view["history"] == []


def test_circuit_breaker_trips_on_a_tight_setting_and_lists_trips(
    database: Database, config_file: Path, cli: Cli
) -> None:
    cli.json("safety", "set", "--circuit-breaker-max-consecutive-losses", "1")
    view = cli.json("safety", "circuit-breaker")
    losses = {item["breaker"]: item for item in view["breakers"]}["consecutive_losses"]
    assert (losses["tripped"], losses["requested_state"]) == (True, "HALTED")
    code, out, _ = cli("safety", "circuit-breaker")
    assert code == 0
    assert "TRIPPED" in out


def test_heat_uses_the_default_stop_without_a_stop_order(database: Database, cli: Cli) -> None:
    view = cli.json("safety", "heat")
    (aapl,) = view["positions"]
    assert aapl["stop_source"] == "default_stop_loss"
    # 6 AAPL at 110, average cost 100.1 (commission included), stop 5% below it
    stop = Decimal("100.1") * Decimal("0.95")
    assert Decimal(aapl["stop"]) == stop
    assert aapl["risk"] == pytest.approx(float((Decimal(110) - stop) * 6))
    assert view["heat"] == pytest.approx(aapl["risk"] / 100046)
    assert view["over_limit"] is False
    code, out, _ = cli("safety", "heat")
    assert code == 0
    assert "within the limit" in out


def test_heat_uses_a_working_stop_order_when_stored(database: Database, cli: Cli) -> None:
    table = cast(sa.Table, Order.__table__)
    insert = sa.insert(table).values(
        account_id=1,
        client_order_id="stop-1",
        broker="paper",
        mode="replay",
        symbol="AAPL",
        side="sell",
        order_type="stop",
        quantity=Decimal(6),
        stop_price=Decimal(105),
        status="open",
        created_at=DAY1,
        updated_at=DAY1,
    )
    database.run(lambda connection: connection.execute(insert))
    (aapl,) = cli.json("safety", "heat")["positions"]
    assert (aapl["stop_source"], Decimal(aapl["stop"])) == ("stop order", 105)
    assert aapl["risk"] == pytest.approx(30.0)


def test_the_limits_rules_are_the_catalogues(database: Database, cli: Cli) -> None:
    from trademind.config.sections_trading import SafetySettings
    from trademind.services.safety_limits import limits

    names = [rule["rule"] for rule in cli.json("safety", "limits")["rules"]]
    assert names == [rule.rule for rule in limits(SafetySettings()).rules]
    assert len(names) == len(all_rules(SafetySettings(), None))  # type: ignore[arg-type]
