"""`trademind agents select-strategy` end to end on the bundled sample (an empty database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli_driver import Cli

pytestmark = pytest.mark.usefixtures("migrated_data_dir")

ARGS = ("agents", "select-strategy", "--symbols", "AAPL,MSFT", "--start", "2018-01-01",
        "--windows", "3", "--bootstrap", "200")  # fmt: skip
SERIES = [
    "selector",
    "rsi_mean_reversion",
    "ma_crossover",
    "bollinger_reversion",
    "macd_momentum",
    "buy_and_hold",
    "meta",
    "equal_weight",
]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def test_the_table_shows_choices_intervals_and_the_verdict(cli: Cli, tmp_path: Path) -> None:
    output = tmp_path / "out" / "selection.json"
    code, out, err = cli(*ARGS, "--output", str(output))
    assert code == 0, err
    assert "using the bundled sample data" in out
    assert "no --index given: the correlation-to-index feature is missing" in out
    assert out.count("  window ") == 6  # 3 windows x 2 symbols
    assert "best training Sharpe" in out
    assert "95% CI" in out
    assert "blocks of 10 days" in out
    assert "selector minus the best fixed strategy (" in out
    assert "selector minus equal weight" in out
    written = json.loads(output.read_text())
    assert [row["name"] for row in written["sharpe"]] == SERIES


def test_json_is_seeded_and_the_choices_do_not_depend_on_the_seed(cli: Cli) -> None:
    first = cli.json(*ARGS, "--seed", "5")
    again = cli.json(*ARGS, "--seed", "5")
    other = cli.json(*ARGS, "--seed", "6")
    assert "using the bundled sample data" in first["notices"][0]  # the first run stored it
    assert "stored bars come from the bundled sample" in again["notices"][0]
    first["notices"] = again["notices"]
    assert first == again
    assert first["choices"] == other["choices"]
    assert first["sharpe"] != other["sharpe"]
    assert first["bootstrap_runs"] == 200
    assert first["best_fixed"] in SERIES[1:-1]
    for row in first["sharpe"]:
        interval = row["sharpe"]
        if interval["estimate"] is not None:
            assert interval["low"] <= interval["estimate"] <= interval["high"]
    chosen = {(c["window"], c["symbol"]): c["strategy"] for c in first["choices"]}
    assert len(chosen) == 6
    assert set(chosen.values()) <= set(SERIES[1:-1])


def test_an_index_from_the_stored_bars_gives_the_correlation_feature(cli: Cli) -> None:
    result = cli.json(*ARGS, "--index", "MSFT", "--strategies", "ma_crossover,buy_and_hold")
    assert result["index"] == "MSFT"
    assert all("correlation" in c["reason"] and "corr " in c["reason"] for c in result["choices"])
    assert [row["name"] for row in result["sharpe"]] == [
        "selector", "ma_crossover", "buy_and_hold", "equal_weight",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (("--symbols", "ZZZZ"), 1, "the bundled sample does not hold it"),
        (("--symbols", "AAPL", "--windows", "1"), 2, "1 is not in the range 2<=x<=100"),
        (("--symbols", "AAPL", "--windows", "101"), 2, "101 is not in the range 2<=x<=100"),
        (("--symbols", "AAPL", "--bootstrap", "5"), 2, "5 is not in the range 100<=x<=100000"),
        (("--symbols", "AAPL", "--strategies", "nope"), 2, "unknown strategy 'nope'"),
        (("--symbols", "AAPL", "--strategies", "ma_crossover"), 2, "at least two strategies"),
        (("--symbols", "AAPL", "--start", "2023-10-01"), 1, "too few for 5 walk-forward windows"),
        (("--symbols", "AAPL", "--index", "ZZZZ"), 1, "ZZZZ"),
    ],
)
def test_bad_input_is_a_one_line_error(
    cli: Cli, extra: tuple[str, ...], code: int, message: str
) -> None:
    err = cli.fails("agents", "select-strategy", "--bootstrap", "100", *extra, code=code)
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_the_service_checks_the_ranges_too() -> None:
    from trademind.core.errors import UsageError
    from trademind.services.strategy_selection import SelectionRequest, check_request

    with pytest.raises(UsageError, match="--windows must be between 2 and 100"):
        check_request(SelectionRequest(symbols=("AAPL",), windows=1))
    with pytest.raises(UsageError, match="--bootstrap must be between 100 and 100000"):
        check_request(SelectionRequest(symbols=("AAPL",), bootstrap=99))
    with pytest.raises(UsageError, match="name at least one symbol"):
        check_request(SelectionRequest(symbols=()))


def test_a_rule_trained_on_the_stored_history_drives_the_agent() -> None:
    from datetime import UTC, datetime, timedelta

    from trademind.agents.base import AgentContext, ask_local
    from trademind.agents.selection.agent import StrategySelectionAgent
    from trademind.bootstrap import build_database
    from trademind.config import load_settings
    from trademind.core.clock import TestClock
    from trademind.core.decisions import Vote
    from trademind.core.market import Bar, TradingMode
    from trademind.services.strategy_selection import train_rule
    from trademind.strategies.registry import strategy_names

    settings = load_settings()
    database = build_database(settings)
    clock = TestClock(datetime(2031, 5, 6, tzinfo=UTC))
    try:
        rule = train_rule(database, settings, ("AAPL", "MSFT"), clock=clock)
    finally:
        database.dispose()
    assert rule.strategies == tuple(strategy_names())
    assert rule.days[()] > 5000  # about 2 x 2767 days
    start = datetime(2024, 1, 2, tzinfo=UTC)
    bars = tuple(
        Bar(symbol="AAPL", timeframe="1d", ts=start + timedelta(days=d), open=100.0 + d,
            high=101.0 + d, low=99.0 + d, close=100.0 + d, volume=1e6)
        for d in range(40)
    )  # fmt: skip
    context = AgentContext(
        symbol="AAPL", closed_at=start + timedelta(days=40), mode=TradingMode.REPLAY,
        bars=bars, bars_seen=40,
    )  # fmt: skip
    vote = ask_local(StrategySelectionAgent(rule), context, clock)
    assert isinstance(vote, Vote)
    assert vote.reasoning.startswith("selector chose ")
    assert "training days" in vote.reasoning
