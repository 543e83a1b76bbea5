"""`trademind safety backtest` and `trademind safety validate` through the CLI, on the bundled
sample (issue 11, item 6): the report's shape, the user's ledger untouched, the validation
stored and its exit code, and bad input as one-line errors with the CLI's exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from support.cli_driver import Cli

from trademind.config import load_config
from trademind.db.models import Account, Order, StrategyValidation
from trademind.db.session import Database

BACKTEST = ("safety", "backtest", "--strategy", "ma_crossover", "--symbols", "AAPL,MSFT")
VALIDATE = ("safety", "validate", "--strategy", "ma_crossover", "--symbols", "AAPL")


def _rows(model: type) -> int:
    database = Database(load_config(None).settings.database_url())
    try:
        with database.session() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
    finally:
        database.dispose()


def test_backtest_over_a_stress_window_reports_both_runs_and_leaves_the_ledger_alone(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    cli = Cli(capsys)
    report = cli.json(*BACKTEST, "--window", "covid-2020")
    assert report["window"] == "covid-2020"
    assert report["start"].startswith("2020-02-01")
    assert report["end"].startswith("2020-05-01")
    assert report["replay_start"] < report["start"]  # the warm-up comes before the window
    comparison = report["comparison"]
    assert comparison["with_safety"]["safety"] is True
    assert comparison["without_safety"]["safety"] is False
    for run in ("with_safety", "without_safety"):
        figures = comparison[run]
        assert figures["start_equity"] == pytest.approx(100_000.0)
        assert figures["total_return"] == pytest.approx(
            figures["final_equity"] / figures["start_equity"] - 1.0
        )
        assert figures["max_drawdown"] <= 0.0
    assert comparison["difference"]["final_equity"] == pytest.approx(
        comparison["with_safety"]["final_equity"] - comparison["without_safety"]["final_equity"]
    )
    assert any("bundled sample" in notice for notice in report["notices"])
    assert (_rows(Account), _rows(Order)) == (0, 0)  # both replays booked into the sandbox
    code, out, _err = cli(*BACKTEST, "--start", "2022-03-01", "--end", "2022-05-31")
    assert code == 0
    assert "with safety" in out
    assert "difference (with - without)" in out


def test_the_daily_loss_limit_halts_trading_in_the_covid_window(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    """Done-means of issue 11: over 2020-02..2020-04, with the default limits, the daily loss
    limit halts a buy-and-hold of the seven sample stocks (2020-02-25: -3.10% in a day)."""
    everything = "AAPL,MSFT,AMZN,GOOGL,META,NVDA,TSLA"
    report = Cli(capsys).json(
        "safety", "backtest", "--strategy", "buy_and_hold", "--symbols", everything,
        "--window", "covid-2020",
    )  # fmt: skip
    trips = report["comparison"]["trips"]
    daily = [t for t in trips if t["breaker"] == "daily_loss"]
    assert daily
    assert daily[0]["state"] == "halted"
    assert str(daily[0]["at"]).startswith("2020-02-25")
    changes = report["comparison"]["state_changes"]
    assert [c["to_state"] for c in changes] == ["halted"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((*BACKTEST, "--window", "nope"), 2, "unknown stress window 'nope' (known: gfc-2008"),
        ((*BACKTEST, "--window", "covid-2020", "--start", "2020-01-01"), 2, "exclude each other"),
        ((*BACKTEST, "--start", "2020-03-01", "--end", "2020-02-01"), 2, "is before --start"),
        (("safety", "backtest", "--strategy", "nope", "--symbols", "AAPL"), 2, "unknown strategy"),
        (("safety", "backtest", "--strategy", "ma_crossover"), 2, "name the symbols"),
        ((*BACKTEST, "--param", "fast=abc"), 2, "expected a number, got 'abc'"),
        (
            ("safety", "backtest", "--strategy", "ma_crossover", "--symbols", "ZZZZ"),
            1,
            "no 1d bars stored for ZZZZ",
        ),
        (
            (*BACKTEST, "--window", "gfc-2008"),
            1,
            "gfc-2008 (2008-09-01..2009-03-31) is not covered by the stored 1d bars of AAPL",
        ),
        ((*VALIDATE, "--simulations", "0"), 2, "0 is not in the range"),
        (("safety", "validate", "--strategy", "nope"), 2, "unknown strategy 'nope'"),
        ((*VALIDATE[:4], "--symbols", "ZZZZ"), 1, "no 1d bars stored for ZZZZ"),
        ((*VALIDATE, "--start", "2020-03-01", "--end", "2020-02-01"), 2, "is before --start"),
    ],
)
def test_bad_input_is_one_line_with_the_cli_exit_code(
    capsys: pytest.CaptureFixture[str],
    isolated_environment: Path,
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    err = Cli(capsys).fails(*args, code=code)
    assert err.startswith("error: ")
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_gfc_2008_names_the_ingest_that_covers_it(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    err = Cli(capsys).fails(*BACKTEST, "--window", "gfc-2008")
    assert "`trademind data ingest --symbols AAPL --start 2007-" in err
    assert "--end 2009-03-31`" in err


def test_validate_fails_on_too_few_round_trips_over_the_default_window(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    """ma_crossover on the sample's AAPL: 8 round trips in the last 3 years (2020-12-29 to
    2023-12-29), replayed with the safety layer; the gate needs 10."""
    cli = Cli(capsys)
    view = cli.json(*VALIDATE, "--simulations", "200", expect=1)
    assert view["passed"] is False
    assert view["measurement"] == "replay with the safety layer"
    figures = view["figures"]
    assert figures["window_start"].startswith("2020-12-29")
    assert figures["window_end"].startswith("2023-12-30")
    assert figures["safety"] is True
    assert figures["round_trips"] < 10
    verdicts = {check["name"]: check["verdict"] for check in view["checks"]}
    assert verdicts == {
        "round_trips": "fail",
        "drawdown": "pass",
        "breakers": "pass",
        "refused_entries": "pass",
    }
    assert _rows(StrategyValidation) == 1
    assert (_rows(Account), _rows(Order)) == (0, 0)  # the replay booked into the sandbox
    code, out, _err = cli(*VALIDATE, "--simulations", "200")
    assert code == 1
    assert "FAILED" in out
    assert "replay with the safety layer, 2020-12-29 to 2023-12-29" in out
    assert "round trips closed in the window" in out


def test_validate_passes_over_a_longer_window_and_is_seeded(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    cli = Cli(capsys)
    view = cli.json(*VALIDATE, "--start", "2018-01-01", "--simulations", "200")
    assert view["passed"] is True
    figures = view["figures"]
    assert figures["window_start"].startswith("2018-01-01")
    assert figures["round_trips"] >= 10
    assert 0 < figures["drawdown_p95"] <= 0.10  # the positions cut to 10% of equity
    assert figures["drawdown_p95"] >= figures["max_drawdown"] * 0.5
    assert (figures["simulations"], figures["seed"], figures["block_length"]) == (200, 0, 10)
    assert figures["entries"] >= figures["round_trips"]
    assert figures["refused_share"] == pytest.approx(
        figures["refused_entries"] / figures["entries"]
    )
    again = cli.json(*VALIDATE, "--start", "2018-01-01", "--simulations", "200")
    assert again["figures"] == figures  # seeded: the same figures
    assert _rows(StrategyValidation) == 2


def test_validate_fails_on_the_drawdown_under_a_tight_max_drawdown(
    capsys: pytest.CaptureFixture[str],
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRADEMIND__SAFETY__CIRCUIT_BREAKER__MAX_DRAWDOWN", "0.01")
    view = Cli(capsys).json(*VALIDATE, "--start", "2018-01-01", "--simulations", "200", expect=1)
    drawdown = next(check for check in view["checks"] if check["name"] == "drawdown")
    assert drawdown["verdict"] == "fail"
    assert drawdown["limit"] == pytest.approx(0.01)
    assert "above safety.circuit_breaker.max_drawdown 1.00%" in drawdown["reason"]


def test_validate_without_the_safety_layer_says_so_and_checks_the_worst_day(
    capsys: pytest.CaptureFixture[str],
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRADEMIND__SAFETY__ENABLED", "false")
    view = Cli(capsys).json(*VALIDATE, "--start", "2018-01-01", "--simulations", "200", expect=1)
    assert view["measurement"] == "replay without the safety layer (safety.enabled is false)"
    verdicts = {check["name"]: check["verdict"] for check in view["checks"]}
    assert set(verdicts) == {"round_trips", "drawdown", "worst_day"}
    assert verdicts["worst_day"] == "fail"  # all in on one stock: days far worse than 2%
    assert view["figures"]["breaker_trips"] == 0
