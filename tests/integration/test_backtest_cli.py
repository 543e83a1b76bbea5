"""`trademind backtest ...` end to end through the real command tree on SQLite.

Every test starts with a data directory holding only a migrated, empty database (no bars, no
runs), so the bundled sample is what the README's offline promise rests on: a symbol without
stored bars is served from it, with a notice. Runs are stored and read back through `results`,
`list` and `export`.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.cli_driver import Cli

from trademind.core.clock import TestClock

SAMPLE_NOTICE = "no stored bars for AAPL: using the bundled sample data (2013-01-02 to 2023-12-29"
RUN_KEYS = {"id", "strategy", "symbols", "start", "end", "final_equity", "trades", "metrics"}
TRADE_KEYS = {
    "symbol",
    "side",
    "quantity",
    "entry_time",
    "entry_price",
    "exit_time",
    "exit_price",
    "commission",
    "pnl",
    "return_pct",
    "entry_reason",
    "exit_reason",
}
METRICS = {
    "total_return",
    "cagr",
    "volatility",
    "sharpe",
    "sortino",
    "calmar",
    "max_drawdown",
    "max_drawdown_duration",
    "win_rate",
    "profit_factor",
    "average_win",
    "average_loss",
    "expectancy",
    "exposure",
    "turnover",
    "trade_count",
    "alpha",
    "beta",
    "probabilistic_sharpe",
}


# A migrated, empty database in the data directory (no bars, no runs): what is tested here is
# the command, not creating the database (test_db_cli.py, test_migrations.py).
pytestmark = pytest.mark.usefixtures("migrated_data_dir")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def _without_plotly_ids(page: str) -> str:
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", page)


def test_the_readme_command_works_offline_and_its_report_regenerates_from_storage(
    cli: Cli,
) -> None:
    code, out, err = cli(
        "backtest", "run", "--strategy", "rsi_mean_reversion", "--symbol", "AAPL",
        "--report", "report.html",
    )  # fmt: skip
    assert code == 0, err
    assert f"note: {SAMPLE_NOTICE}" in err
    assert "trademind data ingest --symbols AAPL" in err
    assert "Backtest #1: rsi_mean_reversion on AAPL, 2013-01-02 to 2023-12-29" in out
    assert "RSI(14)" in out  # trades with their reasons
    assert "report written to report.html" in out
    page = Path("report.html").read_text(encoding="utf-8")
    assert SAMPLE_NOTICE in page
    assert "Monte Carlo" in page
    assert "seed 20240101" in page
    assert "buy and hold" in page

    code, _, err = cli("backtest", "export", "1", "--format", "html", "--output", "again.html")
    assert code == 0, err
    again = Path("again.html").read_text(encoding="utf-8")
    assert _without_plotly_ids(again) == _without_plotly_ids(page)

    code, _, err = cli("backtest", "run", "--strategy", "rsi_mean_reversion", "--symbol", "AAPL")
    assert code == 0, err
    assert "the stored bars come from the bundled sample data" in err  # still said, run 2


def test_json_run_has_the_promised_keys_and_its_trades_reconcile(cli: Cli) -> None:
    code, out, err = cli(
        "backtest", "run", "--strategy", "ma_crossover", "--symbol", "aapl",
        "--param", "fast=10", "--param", "slow=30", "--commission", "0.1%", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert "note:" not in err  # notices travel inside the JSON object
    run = json.loads(out)
    assert set(run) >= RUN_KEYS
    assert run["symbols"] == ["AAPL"]
    assert run["engine"] == "native"
    assert run["params"] == {"fast": 10, "slow": 30, "average": "sma"}
    assert run["config"]["backtest"]["commission"]["spec"] == "0.1%"
    assert any(SAMPLE_NOTICE in notice for notice in run["notices"])
    assert set(run["metrics"]) >= METRICS
    trades = run["trades"]
    assert len(trades) == run["metrics"]["trade_count"] + sum(
        t["exit_time"] is None for t in trades
    )
    assert all(set(trade) >= TRADE_KEYS for trade in trades)
    assert all(trade["side"] == "long" and trade["entry_reason"] for trade in trades)
    closed = [t for t in trades if t["exit_time"] is not None]
    assert all(t["exit_reason"] for t in closed)
    total_pnl = sum(trade["pnl"] for trade in trades)  # open trades: unrealised pnl
    assert total_pnl == pytest.approx(run["final_equity"] - run["initial_cash"], abs=1e-6)
    commission = sum(t["commission"] for t in trades)
    assert commission == pytest.approx(run["config"]["outcome"]["total_commission"], rel=1e-9)


def test_results_list_and_export_read_the_stored_run(cli: Cli, tmp_path: Path) -> None:
    run = cli.json("backtest", "run", "--strategy", "rsi_mean_reversion", "--symbol", "AAPL")
    run_id = str(run["id"])

    stored = cli.json("backtest", "results", run_id)
    assert stored["trades"] == run["trades"]
    assert stored["metrics"] == run["metrics"]
    assert stored["final_equity"] == run["final_equity"]
    code, out, err = cli("backtest", "results", run_id)
    assert code == 0, err
    assert f"Backtest #{run_id}" in out
    assert "RSI(14)" in out

    (listed,) = cli.json("backtest", "list", "--limit", "5")
    assert listed["id"] == run["id"]
    assert listed["sharpe"] == run["metrics"]["sharpe"]
    assert listed["total_return"] == run["metrics"]["total_return"]
    assert listed["start"].startswith("2013-01-02")
    assert listed["end"].startswith("2023-12-29")

    target = tmp_path / "out" / "trades.csv"
    code, _, err = cli("backtest", "export", run_id, "--format", "csv", "--output", str(target))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert list(rows[0])[:5] == ["run_id", "symbol", "side", "status", "quantity"]
    assert [float(row["pnl"]) for row in rows] == [t["pnl"] for t in run["trades"]]
    assert [row["entry_reason"] for row in rows] == [t["entry_reason"] for t in run["trades"]]

    code, out, err = cli("backtest", "export", run_id, "--format", "json")
    assert code == 0, err
    exported = json.loads(out)
    assert exported["equity_curve"][0][1] == run["initial_cash"]
    assert exported["equity_curve"][-1][1] == run["final_equity"]
    assert exported["equity_curve"][-1][0].startswith("2023-12-29")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--strategy", "nope", "--symbol", "AAPL"], 2, "unknown strategy 'nope'"),
        (["--param", "foo=1"], 2, "unknown parameter(s) foo"),
        (["--param", "length=1"], 2, "length: 1 is below the minimum 2"),
        (["--param", "oversold=abc"], 2, "oversold: expected a number"),
        (["--param", "length"], 2, "expected name=value"),
        (["--symbol", "ZZZZ"], 1, "no 1d bars stored for ZZZZ"),
        (["--start", "2030-01-01"], 1, "stored bars run from 2013-01-02 to 2023-12-29"),
        (["--start", "2020-06-01", "--end", "2020-01-01"], 2, "is after --end"),
        (["--days", "10"], 1, "too little history for rsi_mean_reversion"),
        (["--slippage", "lots"], 2, "--slippage 'lots': not a slippage model"),
        (["--commission", "50%"], 2, "--commission '50%'"),
        (["--symbol", "AA PL"], 2, "invalid symbol"),
        (["--interval", "1h"], 1, "no 1h bars stored for AAPL"),
        (["--sizing", "fraction:0.1"], 2, "--sizing 'fraction:0.1': '0.1' is not a percentage"),
        (["--stop-loss", "120%"], 2, "--stop-loss '120%': must be above 0% and below 100%"),
        (["--order", "twap"], 2, "--order 'twap': not an order type"),
    ],
)
def test_bad_input_names_the_problem_with_the_rules_exit_code_and_stores_nothing(
    cli: Cli, args: list[str], code: int, message: str
) -> None:
    """Issue 9, defect 11: what the command line gets wrong exits 2, a valid request that
    cannot be carried out exits 1; either way one line and no run stored."""
    base = {"--strategy": "rsi_mean_reversion", "--symbol": "AAPL"}
    defaults = [word for key, value in base.items() if key not in args for word in (key, value)]
    err = cli.fails("backtest", "run", *defaults, *args, code=code)
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert cli.json("backtest", "list") == []


def test_sizing_and_exits_from_the_command_line_drive_the_run_and_are_stored(cli: Cli) -> None:
    run = cli.json(
        "backtest", "run", "--strategy", "ma_crossover", "--symbol", "AAPL",
        "--sizing", "fraction:25%", "--stop-loss", "3%", "--commission", "none",
        "--slippage", "none",
    )  # fmt: skip
    stored = cli.json("backtest", "results", str(run["id"]))["config"]["backtest"]
    assert stored["sizing"] == {"model": "FixedFraction", "fraction": 0.25, "spec": "fraction:25%"}
    assert (stored["stop_loss"], stored["order_spec"]) == (0.03, "market")
    first = run["trades"][0]
    assert first["quantity"] * first["entry_price"] == pytest.approx(0.25 * run["initial_cash"])
    reasons = {trade["exit_reason"] for trade in run["trades"] if trade["exit_time"]}
    assert "stop-loss 3%" in reasons
    stopped = [t for t in run["trades"] if t["exit_reason"] == "stop-loss 3%"]
    assert all(t["exit_price"] <= t["entry_price"] * 0.97 + 1e-9 for t in stopped)


def test_the_backtrader_engine_refuses_what_it_cannot_reproduce(cli: Cli) -> None:
    err = cli.fails(
        "backtest", "run", "--strategy", "ma_crossover", "--symbol", "AAPL",
        "--engine", "backtrader", "--sizing", "fraction:25%",
    )  # fmt: skip
    assert "the backtrader engine does not support this sizing (only all-in)" in err
    assert cli.json("backtest", "list") == []


def test_a_symbol_the_sample_lacks_names_the_ingest_command(cli: Cli) -> None:
    code, _, err = cli("backtest", "run", "--strategy", "buy_and_hold", "--symbols", "AAPL,QQQQ")
    assert code == 1
    assert "`trademind data ingest --symbols QQQQ`" in err


@pytest.mark.skipif(
    importlib.util.find_spec("backtrader") is None, reason="the backtrader extra is not installed"
)
def test_the_backtrader_engine_runs_and_is_stored_as_such(cli: Cli) -> None:
    args = [
        "backtest", "run", "--strategy", "ma_crossover", "--symbol", "AAPL",
        "--start", "2022-01-01", "--end", "2023-06-30", "--commission", "0.1%",
    ]  # fmt: skip
    reference = cli.json(*args, "--engine", "backtrader")
    native = cli.json(*args)
    assert reference["engine"] == "backtrader"
    assert cli.json("backtest", "results", str(reference["id"]))["engine"] == "backtrader"
    assert [t["entry_time"] for t in reference["trades"]] == [
        t["entry_time"] for t in native["trades"]
    ]
    assert reference["final_equity"] == pytest.approx(native["final_equity"], rel=1e-6)


def test_optimize_sweeps_a_grid_in_worker_processes_and_stores_the_best(cli: Cli) -> None:
    result = cli.json(
        "backtest", "optimize", "--strategy", "ma_crossover", "--symbol", "AAPL",
        "--param", "fast=10:20:10", "--param", "slow=20,40", "--workers", "2", "--top", "2",
    )  # fmt: skip
    assert result["trials"] == 3  # fast=20 slow=20 is skipped: slow must exceed fast
    assert result["skipped"] == 1
    assert "slow (20) must be greater than fast (20)" in result["skipped_reasons"][0]
    sharpes = [row["sharpe"] for row in result["top"]]
    assert len(sharpes) == 2
    assert sharpes == sorted(sharpes, reverse=True)
    assert 0.0 <= result["deflated_sharpe"] <= 1.0
    best = cli.json("backtest", "results", str(result["best_run_id"]))
    assert best["params"] == result["best"]["params"]
    assert best["metrics"]["sharpe"] == pytest.approx(result["best"]["sharpe"], rel=1e-12)


def test_walk_forward_with_two_windows(cli: Cli) -> None:
    result = cli.json(
        "backtest", "walk-forward", "--strategy", "ma_crossover", "--symbol", "AAPL",
        "--param", "fast=5,10", "--param", "slow=30,50", "--windows", "2", "--workers", "1",
    )  # fmt: skip
    windows = result["windows"]
    assert [w["window"] for w in windows] == [1, 2]
    assert windows[0]["out_of_sample"]["end"] < windows[1]["out_of_sample"]["start"]
    assert windows[1]["out_of_sample"]["end"].startswith("2023-12-29")
    assert all(w["params"]["fast"] in (5, 10) for w in windows)
    assert all(w["out_of_sample_sharpe"] is not None for w in windows)
    assert result["stitched_final_equity"] > 0
    assert result["mode"] == "rolling"
    code, out, err = cli(
        "backtest", "walk-forward", "--strategy", "ma_crossover", "--symbol", "AAPL",
        "--param", "fast=5,10", "--windows", "2", "--mode", "anchored", "--workers", "1",
    )  # fmt: skip
    assert code == 0, err
    assert "walk-forward efficiency" in out


def test_compare_stores_each_strategy_on_the_same_bars(cli: Cli) -> None:
    result = cli.json(
        "backtest", "compare", "--strategies", "rsi_mean_reversion,ma_crossover",
        "--symbol", "AAPL", "--days", "730",
    )  # fmt: skip
    assert [row["strategy"] for row in result["runs"]] == ["rsi_mean_reversion", "ma_crossover"]
    listed = cli.json("backtest", "list")
    assert {row["id"] for row in listed} == {row["id"] for row in result["runs"]}
    assert len({(row["start"], row["end"]) for row in listed}) == 1


def test_montecarlo_of_a_stored_run_is_seeded(cli: Cli) -> None:
    run = cli.json("backtest", "run", "--strategy", "ma_crossover", "--symbol", "MSFT")
    args = ("backtest", "montecarlo", str(run["id"]), "--runs", "300", "--seed", "7")
    first, second = cli.json(*args), cli.json(*args)
    assert first == second
    assert first["runs"] == 300
    assert first["seed"] == 7
    closed = sum(t["exit_time"] is not None for t in run["trades"])
    assert first["trades"] == closed
    returns = list(first["total_return"].values())
    assert returns == sorted(returns)
    assert 0.0 <= first["probability_of_loss"] <= 1.0


def test_strategies_backtest_and_performance(cli: Cli) -> None:
    assert cli.json("strategies", "performance", "macd_momentum")["runs"] == 0
    run = cli.json("strategies", "backtest", "macd_momentum", "--symbol", "AAPL", "--days", "400")
    assert run["strategy"] == "macd_momentum"
    summary = cli.json("strategies", "performance", "macd_momentum")
    assert summary["runs"] == 1
    assert summary["last_run"]["id"] == run["id"]
    assert summary["best_sharpe"] == run["metrics"]["sharpe"]


def test_strategies_backtest_takes_the_same_sizing_and_exit_options(cli: Cli) -> None:
    args = ["--symbol", "AAPL", "--sizing", "fraction:25%", "--stop-loss", "3%"]
    via_strategies = cli.json("strategies", "backtest", "ma_crossover", *args)
    via_backtest = cli.json("backtest", "run", "--strategy", "ma_crossover", *args)
    stored = cli.json("backtest", "results", str(via_strategies["id"]))["config"]["backtest"]
    assert (stored["sizing"]["spec"], stored["stop_loss"]) == ("fraction:25%", 0.03)
    assert via_strategies["trades"] == via_backtest["trades"]


class _BrokenEngine:
    """An engine that fails the way a bug would."""

    def __call__(self, bars: object, signals: object, config: object) -> Any:
        raise RuntimeError("engine exploded")


def test_a_run_whose_engine_raises_is_stored_as_failed_with_its_error(cli: Cli) -> None:
    from trademind.bootstrap import build_database
    from trademind.config import load_settings
    from trademind.services import backtest_service
    from trademind.services.backtest_data import DataRequest, prepare_data

    settings = load_settings()
    database = build_database(settings)
    clock = TestClock(datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC))
    try:
        data = prepare_data(database, settings, DataRequest(["AAPL"], days=365), clock=clock)
        spec = backtest_service.run_spec(
            settings, backtest_service.RunRequest("ma_crossover", DataRequest(["AAPL"]))
        )
        with pytest.raises(RuntimeError, match="engine exploded"):
            backtest_service.execute(database, data, spec, engine_run=_BrokenEngine(), clock=clock)
    finally:
        database.dispose()
    (listed,) = cli.json("backtest", "list")
    assert listed["status"] == "failed"
    assert listed["final_equity"] is None
    failed = cli.json("backtest", "results", str(listed["id"]))
    assert failed["error"] == "RuntimeError: engine exploded"
    assert failed["started_at"] == failed["finished_at"] == "2031-05-06T07:08:09+00:00"
    assert failed["trades"] == []
    assert failed["params"] == {"fast": 20, "slow": 50, "average": "sma"}
    code, out, err = cli("backtest", "export", str(listed["id"]), "--format", "html")
    assert code == 1
    assert out == ""
    assert "no equity curve (failed)" in err
    assert cli.json("strategies", "performance", "ma_crossover")["failed_runs"] == 1


@pytest.mark.postgres
def test_runs_are_stored_and_read_back_on_postgresql(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, postgres_schema_url: str
) -> None:
    monkeypatch.setenv("TRADEMIND__DATABASE__URL", postgres_schema_url)
    first = cli.json("backtest", "run", "--strategy", "rsi_mean_reversion", "--symbol", "AAPL")
    assert any(SAMPLE_NOTICE in notice for notice in first["notices"])
    again = cli.json("backtest", "run", "--strategy", "rsi_mean_reversion", "--symbol", "AAPL")
    assert any("come from the bundled sample" in notice for notice in again["notices"])
    assert again["final_equity"] == first["final_equity"]
    stored = cli.json("backtest", "results", str(first["id"]))
    assert stored["trades"] == first["trades"]
    assert [row["id"] for row in cli.json("backtest", "list")] == [again["id"], first["id"]]
    assert cli.json("strategies", "performance", "rsi_mean_reversion")["runs"] == 2


def _usage_error(err: str, *words: str) -> None:
    assert "Traceback" not in err
    assert "internal error" not in err
    for word in words:
        assert word in err


@pytest.mark.parametrize(
    "args",
    [
        ["backtest", "results", "99999999999999999999999"],
        ["backtest", "results", "0"],
        ["backtest", "export", "0"],
        ["backtest", "montecarlo", "99999999999999999999999"],
        ["backtest", "list", "--limit", "0"],
        ["backtest", "run", "--strategy", "ma_crossover", "--symbol", "AAPL", "--days", "0"],
        ["backtest", "run", "--strategy", "ma_crossover", "--symbol", "AAPL", "--days", "1000000"],
        ["strategies", "backtest", "ma_crossover", "--symbol", "AAPL", "--days", "-5"],
        [
            "backtest",
            "run",
            "--strategy",
            "ma_crossover",
            "--symbol",
            "AAPL",
            "--end",
            "9999-12-31",
        ],
        ["backtest", "optimize", "--strategy", "ma_crossover", "--symbol", "AAPL", "--random", "0"],
        [
            "backtest",
            "optimize",
            "--strategy",
            "ma_crossover",
            "--symbol",
            "AAPL",
            "--random",
            "5",
            "--seed",
            "-1",
        ],
        ["backtest", "optimize", "--strategy", "ma_crossover", "--symbol", "AAPL", "--top", "0"],
        [
            "backtest",
            "optimize",
            "--strategy",
            "ma_crossover",
            "--symbol",
            "AAPL",
            "--workers",
            "0",
            "--random",
            "3",
        ],
        [
            "backtest",
            "walk-forward",
            "--strategy",
            "ma_crossover",
            "--symbol",
            "AAPL",
            "--windows",
            "1000",
        ],
        [
            "backtest",
            "walk-forward",
            "--strategy",
            "ma_crossover",
            "--symbol",
            "AAPL",
            "--in-sample-ratio",
            "nan",
        ],
        [
            "backtest",
            "walk-forward",
            "--strategy",
            "ma_crossover",
            "--symbol",
            "AAPL",
            "--mode",
            "sideways",
        ],
        ["backtest", "montecarlo", "1", "--runs", "5"],
        ["backtest", "montecarlo", "1", "--seed", "99999999999999999999"],
    ],
)
def test_numbers_out_of_their_documented_range_are_usage_errors(cli: Cli, args: list[str]) -> None:
    """Issue 9, defects 5 and 9: every numeric option of the backtest commands has a range
    checked at the edge: exit 2, never an internal error, nothing stored."""
    code, out, err = cli(*args)
    assert code == 2, (out, err)
    _usage_error(err)
    assert cli.json("backtest", "list") == []


def test_a_run_that_does_not_exist_is_a_failure_naming_it(cli: Cli) -> None:
    """Issue 9, defect 5: an id in range but not stored is exit 1 "no run #N"."""
    err = cli.fails("backtest", "results", str(2**63 - 1))
    assert f"no run #{2**63 - 1} stored" in err


def test_walk_forward_windows_share_the_range_of_the_setting(cli: Cli) -> None:
    """Issue 9, defect 9: --windows and backtest.walk_forward_windows are one range, shown
    in --help."""
    from trademind.config.sections_market import BacktestSettings
    from trademind.core import backtest_limits

    bounds = {
        type(item).__name__: getattr(item, "ge", getattr(item, "le", None))
        for item in BacktestSettings.model_fields["walk_forward_windows"].metadata
    }
    assert bounds == {
        "Ge": backtest_limits.WALK_FORWARD_WINDOWS_MIN,
        "Le": backtest_limits.WALK_FORWARD_WINDOWS_MAX,
    }
    code, out, _ = cli("backtest", "walk-forward", "--help")
    assert code == 0
    assert "2<=x<=100" in out
    code, _, err = cli(
        "backtest", "walk-forward", "--strategy", "ma_crossover", "--symbol", "AAPL",
        "--windows", "101",
    )  # fmt: skip
    assert code == 2
    assert "2<=x<=100" in err


def test_walk_forward_refuses_windows_shorter_than_the_warm_up(cli: Cli) -> None:
    """Issue 9, defect 9: a window too short for the strategy's warm-up is refused, clearly."""
    err = cli.fails(
        "backtest", "walk-forward", "--strategy", "ma_crossover", "--symbol", "AAPL",
        "--param", "fast=5,10", "--param", "slow=100,200", "--windows", "20",
        "--in-sample-ratio", "0.5", "--days", "1500",
    )  # fmt: skip
    assert "need a warm-up of 200 bars" in err
    assert len(err.strip().splitlines()) == 1


def test_optimize_says_every_combination_is_invalid_not_too_little_history(cli: Cli) -> None:
    """Issue 9, defect 8: slow <= fast everywhere is a usage error saying so."""
    code, out, err = cli(
        "backtest", "optimize", "--strategy", "ma_crossover", "--symbol", "AAPL",
        "--param", "fast=50,60", "--param", "slow=20,30",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert "every combination is invalid (4 of 4 rejected)" in err
    assert "slow (20) must be greater than fast (50)" in err
    assert "history" not in err
    assert len(err.strip().splitlines()) == 1
    assert cli.json("backtest", "list") == []


def test_montecarlo_of_a_stored_run_words_its_notices_as_the_past(cli: Cli) -> None:
    """Issue 9, defect 8: a stored run's notes are shown as what applied when it was made."""
    run = cli.json("backtest", "run", "--strategy", "ma_crossover", "--symbol", "AAPL")
    assert any(SAMPLE_NOTICE in notice for notice in run["notices"])
    code, _, err = cli("backtest", "montecarlo", str(run["id"]))
    assert code == 0, err
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert notes
    assert all(line.startswith(f"note: when run #{run['id']} was made: ") for line in notes)
    result = cli.json("backtest", "montecarlo", str(run["id"]))
    assert result["notices"] == []
    assert result["run_notices"] == run["notices"]
    code, _, err = cli("backtest", "results", str(run["id"]))
    assert code == 0, err
    assert f"note: when run #{run['id']} was made: {SAMPLE_NOTICE}" in err


@pytest.mark.parametrize("command", [["backtest", "run", "--strategy"], ["strategies", "backtest"]])
@pytest.mark.parametrize("target", ["/sys/kernel/r.html", "folder", "file.txt/r.html"])
def test_an_unwritable_report_is_refused_before_the_run_and_nothing_is_stored(
    cli: Cli, command: list[str], target: str
) -> None:
    """Issue 9, defect 7: a report path that cannot be written is a usage error before the
    backtest runs (it used to exit 1 after storing run #N)."""
    Path("folder").mkdir()
    Path("file.txt").write_text("x", encoding="utf-8")
    code, out, err = cli(*command, "ma_crossover", "--symbol", "AAPL", "--report", target)
    assert (code, out) == (2, "")
    assert err.startswith(f"error: --report {target}: ")
    assert len(err.strip().splitlines()) == 1
    assert cli.json("backtest", "list") == []


class _FullDisk:
    """A ``publish`` step (the report writer) that fails the way a full disk would."""

    def __init__(self) -> None:
        self.seen: list[int | None] = []

    def __call__(self, record: Any, data: Any) -> None:
        self.seen.append(record.id)
        raise OSError(28, "No space left on device")


def test_a_report_that_fails_after_the_run_leaves_no_run_stored(cli: Cli) -> None:
    """Issue 9, defect 7: the run and its report are one transaction: when the report cannot
    be written after the run, the run is not stored either."""
    from trademind.bootstrap import build_database
    from trademind.config import load_settings
    from trademind.services import backtest_service
    from trademind.services.backtest_data import DataRequest

    settings = load_settings()
    database = build_database(settings)
    publish = _FullDisk()
    request = backtest_service.RunRequest("ma_crossover", DataRequest(["AAPL"]))
    try:
        with pytest.raises(OSError, match="No space left"):
            backtest_service.run(database, settings, request, publish=publish, clock=TestClock())
    finally:
        database.dispose()
    assert publish.seen == [1]  # it saw the run with its id, before the commit
    assert cli.json("backtest", "list") == []


def test_export_refuses_an_unwritable_output_as_a_usage_error(cli: Cli) -> None:
    """Issue 9, defect 7: `backtest export --output BAD` is checked before any work."""
    run = cli.json("backtest", "run", "--strategy", "ma_crossover", "--symbol", "AAPL")
    code, out, err = cli(
        "backtest", "export", str(run["id"]), "--format", "html", "--output", "/sys/kernel/r.html"
    )
    assert (code, out) == (2, "")
    assert err.startswith("error: --output /sys/kernel/r.html: cannot write in /sys/kernel")


def test_summary_results_and_report_show_the_sizing_exits_and_orders_used(cli: Cli) -> None:
    """Issue 9, defect 17: what a run used, as the option texts that reproduce it."""
    args = [
        "--symbol", "AAPL", "--sizing", "fraction:25%", "--stop-loss", "3%",
        "--trailing-stop", "8%", "--order", "limit:1%", "--time-in-force", "gtc",
    ]  # fmt: skip
    code, out, err = cli("backtest", "run", "--strategy", "ma_crossover", *args, "--report",
                         "r.html")  # fmt: skip
    assert code == 0, err
    code, again, err = cli("backtest", "results", "1")
    assert code == 0, err
    page = Path("r.html").read_text(encoding="utf-8")
    for text in (out, again):
        assert re.search(r"sizing\s+│ fraction:25%", text)
        assert re.search(r"exits\s+│ stop-loss 3%, trailing-stop 8%", text)
        assert re.search(r"entry orders\s+│ limit:1%, time in force gtc", text)
    assert "<td>sizing</td><td>fraction:25%</td>" in page
    assert "<td>exits</td><td>stop-loss 3%, trailing-stop 8%</td>" in page
    assert "<td>entry orders</td><td>limit:1%, time in force gtc</td>" in page
    stored = cli.json("backtest", "results", "1")["execution"]
    assert stored == {
        "sizing": "fraction:25%",
        "stop_loss": "3%",
        "take_profit": None,
        "trailing_stop": "8%",
        "order": "limit:1%",
        "time_in_force": "gtc",
        "fill_price": "next_open",
    }
