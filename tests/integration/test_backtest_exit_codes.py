"""Issue 9, defect 11: the exit-code rule across the `backtest` and `strategies` groups.

2 for a usage error (what the command line gets wrong by itself: a value's type, range or
format, an unknown name), 1 for a failure (a valid request that could not be carried out: no
bars stored, a window outside the data, too little history, no such run, a broken config file).
Either way: one line on stderr starting ``error: ``, nothing on stdout, no run stored and the
config file untouched.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli_driver import Cli

from trademind.resources import resource_path

TEMPLATE = resource_path("config.yaml").read_text()
RUN = ("backtest", "run", "--strategy", "ma_crossover", "--symbol", "AAPL")
SWEEP = ("--strategy", "ma_crossover", "--symbol", "AAPL")
OPTIMIZE = ("backtest", "optimize", *SWEEP)
WALK = ("backtest", "walk-forward", *SWEEP)
STRATEGY_RUN = ("strategies", "backtest", "ma_crossover", "--symbol", "AAPL")

USAGE_ERRORS: list[tuple[tuple[str, ...], str]] = [
    # unknown names
    (("backtest", "run", "--strategy", "nope", "--symbol", "AAPL"), "unknown strategy 'nope'"),
    ((*RUN, "--param", "nope=1"), "unknown parameter(s) nope"),
    ((*RUN, "--engine", "nope"), "'nope' is not one of 'native', 'backtrader'"),
    ((*RUN, "--interval", "7x"), "unknown interval '7x'"),
    ((*OPTIMIZE, "--param", "fast=5:20:5", "--metric", "nope"), "unknown metric 'nope'"),
    ((*OPTIMIZE, "--param", "nope=1,2"), "unknown parameter 'nope'"),
    (("backtest", "compare", "--strategies", "nope,ma_crossover", "--symbol", "AAPL"), "'nope'"),
    (("backtest", "walk-forward", "--strategy", "nope", "--symbol", "AAPL"), "'nope'"),
    (("backtest", "montecarlo", "--strategy", "nope", "--symbol", "AAPL"), "'nope'"),
    (("strategies", "backtest", "nope", "--symbol", "AAPL"), "unknown strategy 'nope'"),
    (("strategies", "enable", "nope"), "unknown strategy 'nope'"),
    (("strategies", "disable", "nope"), "unknown strategy 'nope'"),
    (("strategies", "config", "nope"), "unknown strategy 'nope'"),
    (("strategies", "performance", "nope"), "unknown strategy 'nope'"),
    (("strategies", "set", "ma_crossover", "--nope", "3"), "unknown parameter(s) nope"),
    # parameter values: type, declared range, fitting the others, given twice
    ((*RUN, "--param", "fast=501"), "fast: 501 is above the maximum 500"),
    ((*RUN, "--param", "fast=abc"), "fast: expected a number, got 'abc'"),
    ((*RUN, "--param", "slow=10"), "slow (10) must be greater than fast (20)"),
    ((*RUN, "--param", "fast"), "expected name=value"),
    ((*RUN, "--param", "fast=10", "--param", "fast=12"), "fast is given twice"),
    ((*STRATEGY_RUN, "--param", "fast=-3"), "fast: -3 is below the minimum 2"),
    ((*OPTIMIZE, "--param", "fast=a:b"), "a range is start:stop:step"),
    ((*OPTIMIZE, "--param", "fast=500,600"), "fast: 600 is above the maximum 500"),
    ((*OPTIMIZE, "--param", "fast=5:20:5", "--param", "fast=1,2"), "fast is given twice"),
    ((*OPTIMIZE, "--param", "fast=10"), "nothing to sweep"),
    ((*OPTIMIZE, "--random", "5", "--param", "fast=5,10"), "may only fix single values"),
    ((*WALK, "--param", "fast=5:20:0"), "the step must be positive"),
    (("backtest", "montecarlo", *SWEEP, "--param", "fast=x"), "expected a number, got 'x'"),
    (("strategies", "set", "ma_crossover", "--fast", "-3"), "fast: -3 is below the minimum 2"),
    (("strategies", "set", "ma_crossover", "--fast", "abc"), "expected a number, got 'abc'"),
    (("strategies", "set", "ma_crossover", "--slow", "10"), "must be greater than fast (20)"),
    (("strategies", "set", "buy_and_hold", "--x", "1"), "buy_and_hold has no parameters"),
    (("strategies", "set", "ma_crossover"), "nothing to set (parameters: fast, slow, average)"),
    # malformed spec texts
    ((*RUN, "--sizing", "bogus"), "--sizing 'bogus': not a sizing rule"),
    ((*RUN, "--sizing", "fraction:0%"), "--sizing 'fraction:0%': sizing fraction"),
    ((*RUN, "--commission", "5"), "--commission '5': not a commission model"),
    ((*RUN, "--commission", "per-share:0.005,min=1,min=2"), "min is given twice"),
    ((*RUN, "--slippage", "x"), "--slippage 'x': not a slippage model"),
    ((*RUN, "--slippage", "atr:20"), "--slippage 'atr:20'"),
    ((*RUN, "--order", "limit"), "--order 'limit': '' is not a percentage like 5%"),
    ((*RUN, "--stop-loss", "5"), "--stop-loss '5': '5' is not a percentage like 5%"),
    ((*RUN, "--take-profit", "0%"), "--take-profit '0%': must be above 0%"),
    ((*RUN, "--trailing-stop", "100%"), "--trailing-stop '100%': must be above 0%"),
    ((*RUN, "--time-in-force", "never"), "'never' is not one of 'day', 'gtc'"),
    # the window and the symbols
    (("backtest", "run", "--strategy", "ma_crossover"), "name the symbol to backtest"),
    (("backtest", "run", "--strategy", "ma_crossover", "--symbol", "AA PL"), "invalid symbol"),
    ((*RUN, "--start", "2020-06-01", "--end", "2020-01-01"), "is after --end 2020-01-01"),
    ((*RUN, "--days", "10", "--start", "2020-01-01"), "either --days or --start, not both"),
    (("backtest", "compare", "--strategies", ",", "--symbol", "AAPL"), "name at least one"),
    (("backtest", "montecarlo"), "give a stored run ID, or --strategy and --symbol"),
]

FAILURES: list[tuple[tuple[str, ...], str]] = [
    (("backtest", "run", "--strategy", "ma_crossover", "--symbol", "ZZZZ"), "no 1d bars stored"),
    (("strategies", "backtest", "ma_crossover", "--symbol", "ZZZZ"), "no 1d bars stored for ZZZZ"),
    ((*RUN, "--interval", "1h"), "no 1h bars stored for AAPL"),
    ((*RUN, "--start", "2030-01-01"), "stored bars run from 2013-01-02 to 2023-12-29"),
    ((*RUN, "--days", "10"), "too little history for ma_crossover"),
    ((*OPTIMIZE, "--param", "slow=200,250", "--days", "100"), "too little history for every"),
    (("backtest", "results", "424242"), "no run #424242 stored"),
    (("backtest", "export", "424242"), "no run #424242 stored"),
    (("backtest", "montecarlo", "424242"), "no run #424242 stored"),
]


# A migrated, empty database in the data directory (no bars, no runs): what is tested here is
# the command, not creating the database (test_db_cli.py, test_migrations.py).
pytestmark = pytest.mark.usefixtures("migrated_data_dir")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


@pytest.fixture
def config_file() -> Path:
    """./config.yaml: the shipped template, to prove a refused command leaves it as it was."""
    path = Path.cwd() / "config.yaml"
    path.write_text(TEMPLATE)
    return path


def _one_error_line(err: str, message: str) -> None:
    assert err.startswith("error: "), err
    assert len(err.strip().splitlines()) == 1, err
    assert message in err
    assert "internal error" not in err


@pytest.mark.parametrize(
    ("args", "message"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS]
)
def test_usage_errors_exit_2_with_one_line_and_store_nothing(
    cli: Cli, config_file: Path, args: tuple[str, ...], message: str
) -> None:
    """Issue 9, defect 11: these exited 1 before (unknown names, out-of-range values, malformed
    spec texts were failures), though the command line alone shows them wrong."""
    err = cli.fails(*args, code=2)
    _one_error_line(err, message)
    assert cli.json("backtest", "list") == []
    assert config_file.read_text() == TEMPLATE


@pytest.mark.parametrize(("args", "message"), FAILURES, ids=[" ".join(a) for a, _ in FAILURES])
def test_failures_exit_1_with_one_line_and_store_nothing(
    cli: Cli, config_file: Path, args: tuple[str, ...], message: str
) -> None:
    """Issue 9, defect 11: a valid request that cannot be carried out stays exit 1."""
    err = cli.fails(*args, code=1)
    _one_error_line(err, message)
    assert cli.json("backtest", "list") == []
    assert config_file.read_text() == TEMPLATE


@pytest.mark.parametrize(
    ("section", "args"),
    [
        ("    fast: 80\n    slow: 50\n", RUN),
        ("    fast: -3\n", RUN),
        ("    fast: 80\n    slow: 50\n", ("strategies", "set", "ma_crossover", "--slow", "100")),
        ("    fast: -3\n", ("backtest", "optimize", *SWEEP, "--param", "slow=100,120")),
    ],
)
def test_a_bad_value_in_the_config_file_is_a_failure_not_a_usage_error(
    cli: Cli, section: str, args: tuple[str, ...]
) -> None:
    """Issue 9, defect 11: the values that exit 2 on the command line exit 1 when they come
    from the configuration file (the file is broken; the command line is fine)."""
    config = Path.cwd() / "config.yaml"
    broken = f"strategies:\n  ma_crossover:\n{section}"
    config.write_text(broken)
    err = cli.fails(*args, code=1)
    _one_error_line(err, "strategies.ma_crossover.")
    assert config.read_text() == broken
