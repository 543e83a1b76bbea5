"""The ``meta`` strategy through the command line, like any other strategy: a backtest on the
bundled sample, a sweep over its parameters, a replay, and one-line errors for bad values."""

from __future__ import annotations

import pytest
from support.cli_driver import Cli

pytestmark = pytest.mark.usefixtures("migrated_data_dir")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def test_a_backtest_on_the_sample_trades_on_the_votes_and_explains_them(cli: Cli) -> None:
    run = cli.json("backtest", "run", "--strategy", "meta", "--symbols", "AAPL,MSFT")
    assert run["strategy"] == "meta"
    assert run["symbols"] == ["AAPL", "MSFT"]
    assert run["params"]["votes"] == "position"
    assert run["params"]["weight_ma_crossover"] == 1.0
    assert run["params"]["weight_bollinger_reversion"] == 0.0
    trades = run["trades"]
    assert run["metrics"]["trade_count"] > 10
    assert all(t["entry_reason"].startswith("meta: BUY ") for t in trades)
    closed = [t for t in trades if t["exit_time"] is not None]
    assert all(t["exit_reason"].startswith("meta: SELL ") for t in closed)
    assert all("ma_crossover " in t["entry_reason"] for t in trades)
    assert "bollinger_reversion" not in trades[0]["entry_reason"]  # weight 0: no component


def test_parameters_change_the_run(cli: Cli) -> None:
    base = ("backtest", "run", "--strategy", "meta", "--symbol", "AAPL")
    default = cli.json(*base)
    signal = cli.json(*base, "--param", "votes=signal", "--param", "weight_ma_crossover=2")
    assert signal["params"]["votes"] == "signal"
    assert signal["params"]["weight_ma_crossover"] == 2.0
    assert signal["final_equity"] != default["final_equity"]
    assert any(" hold" in t["entry_reason"] for t in signal["trades"])


def test_compare_optimize_and_walk_forward_take_meta_like_any_strategy(cli: Cli) -> None:
    compared = cli.json(
        "backtest", "compare", "--strategies", "meta,macd_momentum", "--symbol", "AAPL",
        "--days", "730",
    )  # fmt: skip
    assert [row["strategy"] for row in compared["runs"]] == ["meta", "macd_momentum"]
    swept = cli.json(
        "backtest", "optimize", "--strategy", "meta", "--symbol", "AAPL", "--workers", "1",
        "--param", "votes=position,signal", "--param", "weight_rsi_mean_reversion=0,1",
        "--param", "weight_ma_crossover=0", "--param", "weight_macd_momentum=0",
    )  # fmt: skip
    assert swept["trials"] == 2  # rsi 0 with the others 0 is no vote at all: skipped
    assert swept["skipped"] == 2
    assert "at least one component weight must be above 0" in swept["skipped_reasons"][0]
    forward = cli.json(
        "backtest", "walk-forward", "--strategy", "meta", "--symbol", "AAPL", "--workers", "1",
        "--param", "votes=position,signal", "--windows", "2",
    )  # fmt: skip
    assert [w["params"]["votes"] in ("position", "signal") for w in forward["windows"]] == [
        True,
        True,
    ]


def test_a_replay_runs_meta_bar_by_bar(cli: Cli) -> None:
    code, out, err = cli(
        "trade", "--mode", "replay", "--strategy", "meta", "--symbols", "AAPL,MSFT",
        "--start", "2019-05-01", "--end", "2019-12-31", "--param", "votes=signal",
    )  # fmt: skip
    assert code == 0, err
    assert "meta" in out
    fills = cli.json("trades", "list", "--account", "replay")["trades"]
    assert fills
    assert {fill["strategy"] for fill in fills} == {"meta"}


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("weight_nope=1", "meta: unknown parameter(s) weight_nope"),
        ("weight_meta=1", "meta: unknown parameter(s) weight_meta"),
        ("weight_ma_crossover=-1", "meta: weight_ma_crossover: -1 is below the minimum 0"),
        ("weight_ma_crossover=x", "meta: weight_ma_crossover: expected a number"),
        ("buy_threshold=1.5", "meta: buy_threshold: 1.5 is above the maximum 1"),
        ("sell_threshold=0", "meta: sell_threshold: 0 is below the minimum 0.01"),
        ("quorum=2", "meta: quorum: 2 is above the maximum 1"),
        ("votes=majority", "meta: votes: 'majority' is not one of position, signal"),
    ],
)
def test_bad_parameters_are_one_line_usage_errors(cli: Cli, param: str, message: str) -> None:
    for command in (
        ("backtest", "run", "--strategy", "meta", "--symbol", "AAPL"),
        ("trade", "--mode", "replay", "--strategy", "meta", "--symbols", "AAPL"),
    ):
        err = cli.fails(*command, "--param", param, code=2)
        assert message in err
        assert len(err.strip().splitlines()) == 1


def test_no_component_left_is_a_one_line_usage_error(cli: Cli) -> None:
    err = cli.fails(
        "backtest", "run", "--strategy", "meta", "--symbol", "AAPL",
        "--param", "weight_ma_crossover=0", "--param", "weight_macd_momentum=0",
        "--param", "weight_rsi_mean_reversion=0", code=2,
    )  # fmt: skip
    assert err.strip() == "error: meta: at least one component weight must be above 0"
    assert cli.json("backtest", "list") == []
