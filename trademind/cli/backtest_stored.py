"""Commands on stored backtest runs: results, list, export, Monte Carlo; and the two
``strategies`` commands that are backtests (``performance``, ``backtest``).

They are plain functions registered by :mod:`trademind.cli.backtest` and
:mod:`trademind.cli.strategies`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from trademind.cli import backtest_output as show
from trademind.cli.backtest_common import (
    Days,
    End,
    EngineChoice,
    Interval,
    Params,
    Report,
    RunId,
    Start,
    Symbol,
    Symbols,
    data_request,
    progress_bar,
    run_command,
    show_notices,
)
from trademind.cli.context import CliState, get_state
from trademind.cli.execution_options import (
    NONE_GIVEN,
    Commission,
    ExecutionOptions,
    Slippage,
    with_execution_options,
)
from trademind.cli.output import print_json, print_message, print_table
from trademind.core import backtest_limits as limits

if TYPE_CHECKING:
    from datetime import datetime

    from trademind.services.robustness_views import MonteCarloSummary

_NAME_HELP = "Strategy name, e.g. rsi_mean_reversion (see `trademind strategies list`)."


def results(ctx: typer.Context, run_id: RunId) -> None:
    """Show a stored run: what ran, its metrics and every trade with its reasons."""
    from trademind.services import backtest_service

    state = get_state(ctx)
    state.load_settings()  # validated in full, as the database is opened with them
    with state.open_database() as db:
        view = backtest_service.run_details(db, run_id)
    if state.json:
        print_json(view)
        return
    show_notices(state, show.past_notices(run_id, view.notices))
    show.show_run(view, trade_limit=None)


def list_runs(
    ctx: typer.Context,
    limit: Annotated[
        int,
        typer.Option(min=1, max=limits.LIST_LIMIT_MAX, help="How many runs, newest first."),
    ] = 20,
) -> None:
    """List stored runs: id, strategy, symbols, period, final equity, return, Sharpe."""
    from trademind.services import backtest_queries

    state = get_state(ctx)
    with state.open_database() as db:
        runs = backtest_queries.list_runs(db, limit)
    if state.json:
        print_json(runs)
        return
    if not runs:
        print_message(
            "no backtest runs stored yet; try "
            "`trademind backtest run --strategy rsi_mean_reversion --symbol AAPL`"
        )
        return
    rows = [
        (
            run.id,
            run.strategy,
            ",".join(run.symbols),
            f"{show.day(run.start)} to {show.day(run.end)}",
            show.money(run.final_equity),
            show.metric_text("total_return", run.total_return),
            show.metric_text("sharpe", run.sharpe),
            run.status,
            _started(run.started_at),
        )
        for run in runs
    ]
    columns = ("id", "strategy", "symbols", "period", "final equity", "return", "sharpe")
    print_table("Backtest runs", (*columns, "status", "started (UTC)"), rows)


def _started(when: datetime) -> str:
    """A run's start as ``YYYY-MM-DD HH:MM:SS`` (as stored: UTC)."""
    return when.isoformat()[:19].replace("T", " ")


ExportFormat = Literal["csv", "json", "html"]


def export(
    ctx: typer.Context,
    run_id: RunId,
    output_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="csv: the trades; json: the whole run with its equity curve; html: the report.",
        ),
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """Export a stored run as CSV (trades), JSON (everything) or the HTML report."""
    from trademind.services import backtest_export, files

    if output is not None:  # a usage error before any work
        files.check_writable(output, "--output")
    state = get_state(ctx)
    settings = state.load_settings()
    with state.open_database() as db:
        text = backtest_export.export_run(db, settings, run_id, output_format)
    if output is None:
        sys.stdout.write(text)
        return
    written = files.write_text(output, text)
    print_message(f"run #{run_id} exported as {output_format} to {written}")


def montecarlo(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    run_id: Annotated[
        int | None,
        typer.Argument(
            min=1,
            max=limits.RUN_ID_MAX,
            help="A stored run's ID (or --strategy/--symbol for a new run).",
        ),
    ] = None,
    strategy: Annotated[str | None, typer.Option(help="Run this strategy first.")] = None,
    symbol: Symbol = None,
    symbols: Symbols = None,
    days: Days = None,
    start: Start = None,
    end: End = None,
    interval: Interval = None,
    param: Params = None,
    slippage: Slippage = None,
    commission: Commission = None,
    runs: Annotated[
        int | None,
        typer.Option(
            min=limits.MONTE_CARLO_RUNS_MIN,
            max=limits.MONTE_CARLO_RUNS_MAX,
            help="Resamplings. Default: backtest.monte_carlo_runs.",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=limits.SEED_MAX,
            help="Random seed. Default: the reports' fixed seed 20240101.",
        ),
    ] = None,
) -> None:
    """Monte Carlo: resample a run's closed trades in random order (with replacement).

    Prints percentiles of the total return and of the maximum drawdown and the probability
    of a loss. Give a stored run's ID, or --strategy and --symbol to run (and store) one."""
    from trademind.services import backtest_robustness, backtest_service

    state = get_state(ctx)
    settings = state.load_settings()
    request = None
    if strategy is not None:
        request = backtest_service.RunRequest(
            strategy=strategy,
            data=data_request(symbol, symbols, days, start, end, interval),
            params=backtest_service.parse_assignments(param or []),
            slippage=slippage,
            commission=commission,
        )
    with state.open_database() as db, progress_bar(state, "montecarlo") as progress:
        result = backtest_robustness.montecarlo(
            db,
            settings,
            run_id=run_id,
            request=request,
            runs=runs,
            seed=seed,
            progress=progress,
            clock=state.parts.clock,
        )
    if state.json:
        print_json(result)
        return
    _show_montecarlo(state, result)


def _show_montecarlo(state: CliState, summary: MonteCarloSummary) -> None:
    show_notices(state, list(summary.notices))
    show_notices(state, show.past_notices(summary.run_id, summary.run_notices))
    rows = [
        (key, show.metric_text("total_return", ret), show.metric_text("max_drawdown", dd))
        for key, ret, dd in summary.percentile_rows()
    ]
    result = summary.result
    title = (
        f"Monte Carlo of run #{summary.run_id} ({summary.strategy}): {result.runs:,} "
        f"resamplings of {result.trades} closed trades, seed {result.seed}"
    )
    print_table(title, ("percentile", "total return", "max drawdown"), rows)
    loss = show.metric_text("probability_of_loss", result.probability_of_loss)
    print_message(f"probability of a loss: {loss}")


def strategy_performance(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help=_NAME_HELP)]
) -> None:
    """What the stored backtests of a strategy say: runs, best and mean Sharpe, the last run."""
    from trademind.services import backtest_service

    state = get_state(ctx)
    state.load_settings()  # validated in full, as the database is opened with them
    with state.open_database() as db:
        summary = backtest_service.strategy_performance(db, name)
    if state.json:
        print_json(summary)
        return
    last = summary.last_run
    if last is None:
        print_message(
            f"no completed backtest runs of {summary.strategy} stored; run one with "
            f"`trademind strategies backtest {summary.strategy} --symbol AAPL`"
        )
        return
    rows = [
        ("completed runs", str(summary.runs)),
        ("failed runs", str(summary.failed_runs)),
        (
            "best sharpe",
            f"{show.metric_text('sharpe', summary.best_sharpe)} "
            f"(run #{summary.best_sharpe_run_id})",
        ),
        ("mean sharpe", show.metric_text("sharpe", summary.mean_sharpe)),
        ("mean total return", show.metric_text("total_return", summary.mean_total_return)),
        (
            "last run",
            f"#{last.id} on {','.join(last.symbols)}, "
            f"{show.day(last.start)} to {show.day(last.end)}, "
            f"return {show.metric_text('total_return', last.total_return)}, "
            f"started {_started(last.started_at)} UTC",
        ),
    ]
    show.facts_table(f"Backtests of {summary.strategy}", rows)


@with_execution_options
def strategy_backtest(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_NAME_HELP)],
    symbol: Symbol = None,
    symbols: Symbols = None,
    days: Days = None,
    start: Start = None,
    end: End = None,
    interval: Interval = None,
    param: Params = None,
    engine: EngineChoice = "native",
    execution: ExecutionOptions = NONE_GIVEN,
    report: Report = None,
) -> None:
    """Backtest a strategy: the same as `backtest run --strategy NAME` (stored, --report)."""
    data = data_request(symbol, symbols, days, start, end, interval)
    run_command(ctx, name, data, param, engine, execution, report)
