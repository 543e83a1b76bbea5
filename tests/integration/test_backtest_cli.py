"""`trademind backtest ...` end to end through the real command tree on SQLite.

Every test starts with an empty data directory (the autouse fixture), so the bundled sample is
what the README's offline promise rests on: a symbol without stored bars is served from it,
with a notice. Runs are stored and read back through `results`, `list` and `export`.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from support.cli_driver import Cli

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
    ("args", "message"),
    [
        (["--strategy", "nope", "--symbol", "AAPL"], "unknown strategy 'nope'"),
        (["--param", "foo=1"], "unknown parameter(s) foo"),
        (["--param", "length=1"], "length: 1 is below the minimum 2"),
        (["--param", "oversold=abc"], "oversold: expected a number"),
        (["--param", "length"], "expected name=value"),
        (["--symbol", "ZZZZ"], "no 1d bars stored for ZZZZ"),
        (["--start", "2030-01-01"], "stored bars run from 2013-01-02 to 2023-12-29"),
        (["--start", "2020-06-01", "--end", "2020-01-01"], "is after --end"),
        (["--days", "10"], "too little history for rsi_mean_reversion"),
        (["--days", "0"], "--days must be a positive number"),
        (["--slippage", "lots"], "--slippage 'lots': not a slippage model"),
        (["--commission", "50%"], "--commission '50%'"),
        (["--symbol", "AA PL"], "invalid symbol"),
        (["--interval", "1h"], "no 1h bars stored for AAPL"),
        (["--sizing", "fraction:0.1"], "--sizing 'fraction:0.1': '0.1' is not a percentage"),
        (["--stop-loss", "120%"], "--stop-loss '120%': must be above 0% and below 100%"),
        (["--order", "twap"], "--order 'twap': not an order type"),
    ],
)
def test_bad_input_exits_1_naming_the_problem_and_stores_nothing(
    cli: Cli, args: list[str], message: str
) -> None:
    base = {"--strategy": "rsi_mean_reversion", "--symbol": "AAPL"}
    defaults = [word for key, value in base.items() if key not in args for word in (key, value)]
    code, out, err = cli("backtest", "run", *defaults, *args)
    assert code == 1
    assert out == ""
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
    from trademind.config import load_settings
    from trademind.services import backtest_service, data_service
    from trademind.services.backtest_data import DataRequest, prepare_data

    settings = load_settings()
    database = data_service.open_database(settings)
    try:
        data = prepare_data(database, settings, DataRequest(["AAPL"], days=365))
        spec = backtest_service.run_spec(
            settings, backtest_service.RunRequest("ma_crossover", DataRequest(["AAPL"]))
        )
        with pytest.raises(RuntimeError, match="engine exploded"):
            backtest_service.execute(database, data, spec, engine_run=_BrokenEngine())
    finally:
        database.dispose()
    (listed,) = cli.json("backtest", "list")
    assert listed["status"] == "failed"
    assert listed["final_equity"] is None
    failed = cli.json("backtest", "results", str(listed["id"]))
    assert failed["error"] == "RuntimeError: engine exploded"
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
