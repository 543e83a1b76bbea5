"""`trademind examples`: usage examples for people and for scripts (cron, health checks)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import typer

from trademind.cli.context import get_state
from trademind.cli.output import emit

_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/trademind"


@dataclass(frozen=True)
class Example:
    topic: str
    description: str
    command: str


# Only commands that work today, and none that needs the network: tests/integration/
# test_examples.py runs every one, in this order, in a fresh data directory. Each issue adds the
# examples of what it builds.
EXAMPLES: tuple[Example, ...] = (
    Example("config", "Show the effective configuration (secrets masked)", "trademind config show"),
    Example("config", "Read one value", "trademind config get safety.daily_loss_limit"),
    Example(
        "config",
        "Change a value (validated first, written atomically, recorded)",
        "trademind config set safety.daily_loss_limit 0.03",
    ),
    Example(
        "config", "Save the effective configuration to a file", "trademind config export > my.yaml"
    ),
    Example("config", "Check a file before using it", "trademind config validate my.yaml"),
    Example("config", "Use another configuration file", "trademind --config my.yaml config show"),
    Example(
        "config",
        "Override from the environment (secrets only this way)",
        "TRADEMIND__LLM__API_KEY=... trademind config show --format json",
    ),
    Example("db", "Create or migrate the database schema", "trademind db upgrade"),
    Example("db", "Which schema revision is applied", "trademind db current"),
    Example("db", "The migrations this version ships", "trademind db history"),
    Example(
        "db",
        "Use PostgreSQL instead of the embedded SQLite: create the database first, then migrate",
        f"createdb -h 127.0.0.1 -U postgres trademind && TRADEMIND__DATABASE__URL={_POSTGRES} "
        "trademind db upgrade",
    ),
    Example(
        "data",
        "Load the bundled sample (real daily bars of 7 symbols, 2013-2023), offline",
        "trademind data ingest --source sample",
    ),
    Example(
        "data", "What is stored: symbols, ranges, open quality issues", "trademind data status"
    ),
    Example(
        "data", "Check the stored bars (sessions, gaps, OHLC, splits)", "trademind data verify"
    ),
    Example(
        "data", "Compute the configured indicators for new bars", "trademind data update-indicators"
    ),
    Example(
        "data",
        "Recent bars with their indicators, and a candlestick chart",
        "trademind data show AAPL --days 10 --plot aapl.html",
    ),
    Example(
        "news",
        "The news of a symbol stored so far, as known now (import or fetch fills it)",
        "trademind news list --symbol AAPL --days 7",
    ),
    Example("strategies", "The strategies and their parameters", "trademind strategies list"),
    Example(
        "strategies",
        "One strategy's parameters: type, range, default",
        "trademind strategies config ma_crossover",
    ),
    Example(
        "strategies",
        "Change parameters (checked, written to the config file)",
        "trademind strategies set ma_crossover --fast 10 --slow 50",
    ),
    Example(
        "strategies",
        "Backtest a strategy with its configured parameters",
        "trademind strategies backtest ma_crossover --symbol AAPL --start 2020-01-01",
    ),
    Example(
        "backtest",
        "Backtest with costs and stops, and write an HTML report",
        "trademind backtest run --strategy ma_crossover --symbol MSFT --start 2018-01-01 "
        "--commission ibkr --slippage 5bps --stop-loss 8% --report report.html",
    ),
    Example(
        "backtest",
        "Several strategies on the same bars",
        "trademind backtest compare --strategies ma_crossover,rsi_mean_reversion --symbol AAPL",
    ),
    Example(
        "backtest",
        "Parameter sweep, best first",
        "trademind backtest optimize --strategy ma_crossover --symbol AAPL "
        "--param fast=5:20:5 --param slow=30,50,100",
    ),
    Example(
        "backtest",
        "Walk-forward: optimise in sample, trade the winner out of sample",
        "trademind backtest walk-forward --strategy ma_crossover --symbol AAPL "
        "--param fast=10,20 --param slow=50,100 --windows 4",
    ),
    Example("backtest", "Stored runs", "trademind backtest list"),
    Example("backtest", "One run's settings, metrics and trades", "trademind backtest results 1"),
    Example("backtest", "Monte Carlo on a stored run's trades", "trademind backtest montecarlo 1"),
    Example(
        "backtest", "A run's trades as CSV", "trademind backtest export 1 -f csv -o trades.csv"
    ),
    Example(
        "agents",
        "Measure the offline lexicon sentiment model on the bundled labelled sentences (stored)",
        "trademind agents eval-sentiment --dataset sample",
    ),
    Example(
        "agents",
        "The same figures as JSON for scripts (any labelled CSV/TSV file with columns text,label)",
        "trademind agents eval-sentiment --dataset sample --model lexicon --format json",
    ),
    Example(
        "trade",
        "Replay stored bars through the live trading loop into a paper account, offline",
        "trademind trade --mode replay --strategy ma_crossover --symbols AAPL,MSFT "
        "--start 2023-01-01 --speed max",
    ),
    Example(
        "trade",
        "Continue an account's session where it stopped (after a crash too)",
        "trademind trade --resume --account replay",
    ),
    Example("portfolio", "The account's cash, equity and P&L", "trademind portfolio summary"),
    Example("portfolio", "Its positions, valued at the last close", "trademind portfolio holdings"),
    Example("trades", "Its latest fills", "trademind trades list --limit 10"),
    Example(
        "agents",
        'The latest decisions on AAPL, each with its votes ("no decisions" before a session)',
        "trademind agents decisions --symbol AAPL --limit 3",
    ),
    Example(
        "agents",
        "What the language model cost per day and model, this week",
        "trademind agents costs --days 7",
    ),
    Example("safety", "The account's trading state and every limit", "trademind safety status"),
    Example(
        "safety",
        "Halt trading now: cancels working orders (add --liquidate to close positions)",
        "trademind safety emergency-stop --reason 'news halt' --yes",
    ),
    Example(
        "safety",
        "Trade again after a stop or a breaker",
        "trademind safety reset-circuit-breaker --reason 'reviewed'",
    ),
    Example(
        "safety",
        "Replay a strategy with and without the safety layer over the COVID crash window",
        "trademind safety backtest --strategy ma_crossover --symbols AAPL,MSFT --window covid-2020",
    ),
    Example(
        "safety",
        "Validate a strategy before paper trading: replayed with the safety layer since 2018 "
        "(the default 3 years give AAPL too few round trips); exit 1 and the reasons on a fail",
        "trademind safety validate --strategy ma_crossover --symbols AAPL --start 2018-01-01",
    ),
    Example(
        "ab",
        "A/B test: the strategy's signals against the agents' vote on the same bars, with 95% "
        "bootstrap intervals for the differences (stored; nothing written to any account)",
        "trademind ab run --a rules --b hybrid --strategy ma_crossover --symbols AAPL "
        "--start 2023-01-01 --bootstrap 1000",
    ),
    Example(
        "ab", "The stored test as a self-contained HTML page", "trademind ab report 1 -o ab.html"
    ),
    Example(
        "ab",
        "Live A/B: one account per variant (replay-rules, replay-hybrid) on the same bars",
        "trademind trade --variants rules,hybrid --strategy ma_crossover --symbols AAPL "
        "--start 2023-01-01",
    ),
    Example(
        "server",
        "The dashboard, the API, the jobs and a replay of the sample in one background process "
        "(--port 0: any free port; the URL is printed; default web.port 8000)",
        "trademind server start --port 0",
    ),
    Example("server", "Is it up: uptime, the trading session, the jobs", "trademind server status"),
    Example("server", "Stop it (SIGTERM, then SIGKILL after --timeout)", "trademind server stop"),
    Example(
        "scripting",
        "Cron health check: exit code says whether the schema is current",
        "trademind db current --format json | jq -e .up_to_date",
    ),
    Example(
        "scripting",
        "A run's Sharpe ratio for a script",
        "trademind backtest results 1 --format json | jq .metrics.sharpe",
    ),
    Example(
        "scripting",
        "A replay's final equity for a script",
        "trademind trade --symbols MSFT --start 2023-06-01 --account scripted --format json "
        "| jq -e .final_equity",
    ),
    Example(
        "scripting",
        "Run a file of commands (exit code: the first failure)",
        "printf 'data status\\nbacktest list\\n' | trademind shell",
    ),
    Example("shell", "Interactive session with history and completion", "trademind shell"),
)


def examples_command(ctx: typer.Context) -> None:
    """Show usage examples: daily reports, cron jobs, scripting."""
    state = get_state(ctx)
    emit(
        state,
        [asdict(example) for example in EXAMPLES],
        columns=("topic", "what", "command"),
        rows=[(e.topic, e.description, e.command) for e in EXAMPLES],
        title="TradeMind examples",
    )
