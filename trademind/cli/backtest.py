"""`trademind backtest`: run, compare, optimise, walk-forward, Monte Carlo, results.

Every run is stored in the database (``backtest results ID``, ``list``, ``export``). A symbol
without stored bars is served from the bundled sample when it holds it (with a notice), so
``backtest run --strategy rsi_mean_reversion --symbol AAPL --report report.html`` works offline.
Exit codes: 0 on success; 2 for a usage error the command line shows by itself: a malformed
command line, a number outside its documented range (``--help`` shows it; the ranges live in
:mod:`trademind.core.backtest_limits`), an unknown strategy, parameter, engine or metric, a
parameter value of the wrong type or outside its declared range (or not fitting the others), a
malformed ``--param``/``--slippage``/``--commission``/``--sizing``/``--order``/stop text, an
invalid symbol or interval, ``--start`` after ``--end``, a ``--report``/``--output`` file that
cannot be written, a sweep whose every combination the strategy rejects. 1 for a valid request
that cannot be carried out: no bars stored for a symbol (and none in the bundled sample), a
window outside the data, too little history for the warm-up, no run #N stored, a setting the
backtrader engine cannot reproduce, a broken configuration file, or a failed engine. Nothing is
stored when a command fails: ``--report`` is written inside the run's transaction.
``--format json`` prints exactly one JSON document on stdout.
Progress bars go to stderr, on a terminal only, never in JSON mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer

from trademind.backtest import KEY_METRICS
from trademind.cli import backtest_output as show
from trademind.cli import backtest_stored
from trademind.cli.backtest_common import (
    Days,
    End,
    EngineChoice,
    Interval,
    Metric,
    Params,
    RandomCount,
    Report,
    Seed,
    Start,
    SweepParams,
    Symbol,
    Symbols,
    Workers,
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
from trademind.cli.finite import FiniteFloatRange
from trademind.cli.output import print_json, print_message, print_table
from trademind.core import backtest_limits as limits

if TYPE_CHECKING:
    from trademind.services.backtest_data import DataRequest
    from trademind.services.backtest_robustness import SweepRequest
    from trademind.services.robustness_views import Optimization, WalkForward

app = typer.Typer(
    help="Backtests: run, compare, optimise, walk-forward, Monte Carlo, results.",
    no_args_is_help=True,
)


@app.command()
@with_execution_options
def run(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    strategy: Annotated[str, typer.Option(help="Strategy name (`trademind strategies list`).")],
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
    name: Annotated[str | None, typer.Option(help="A label stored with the run.")] = None,
) -> None:
    """Backtest a strategy: `backtest run --strategy rsi_mean_reversion --symbol AAPL`.

    Parameters are the configured ones (`strategies set`) overlaid with --param name=value.
    Costs and fills come from the backtest settings unless --slippage/--commission say
    otherwise; entries buy with all the cash at the next open unless --sizing/--order say
    otherwise. The run is stored; --report FILE.html writes the Plotly report."""
    data = data_request(symbol, symbols, days, start, end, interval)
    run_command(ctx, strategy, data, param, engine, execution, report, name)


@app.command()
def compare(  # noqa: PLR0917
    ctx: typer.Context,
    strategies: Annotated[str, typer.Option(help="Comma-separated strategy names.")],
    symbol: Symbol = None,
    symbols: Symbols = None,
    days: Days = None,
    start: Start = None,
    end: End = None,
    interval: Interval = None,
    slippage: Slippage = None,
    commission: Commission = None,
) -> None:
    """Run several strategies (their configured parameters) on the same bars; each is stored."""
    from trademind.services import backtest_robustness

    state = get_state(ctx)
    settings = state.load_settings()
    names = [part.strip() for part in strategies.split(",") if part.strip()]
    data = data_request(symbol, symbols, days, start, end, interval)
    with state.open_database() as db, progress_bar(state, "compare") as progress:
        result = backtest_robustness.compare(
            db,
            settings,
            names,
            data,
            slippage=slippage,
            commission=commission,
            progress=progress,
            clock=state.parts.clock,
        )
    if state.json:
        print_json(result)
        return
    show_notices(state, list(result.notices))
    rows = [
        (
            row.id,
            row.strategy,
            show.params_text(row.params),
            show.money(row.final_equity),
            *(show.metric_text(name, row.metrics.get(name)) for name in KEY_METRICS),
        )
        for row in result.runs
    ]
    title = f"{', '.join(result.symbols)}, {show.day(result.start)} to {show.day(result.end)}"
    labels = [show.label(name) for name in KEY_METRICS]
    print_table(title, ("run", "strategy", "params", "final equity", *labels), rows)


def _sweep_request(  # noqa: PLR0917
    strategy: str,
    data: DataRequest,
    param: list[str] | None,
    random: int | None,
    seed: int,
    metric: str,
    workers: int | None,
    slippage: str | None,
    commission: str | None,
) -> SweepRequest:
    from trademind.services.backtest_robustness import SweepRequest

    return SweepRequest(
        strategy=strategy,
        data=data,
        params=tuple(param or ()),
        random=random,
        seed=seed,
        metric=metric,
        workers=workers,
        slippage=slippage,
        commission=commission,
    )


@app.command()
def optimize(  # noqa: PLR0917
    ctx: typer.Context,
    strategy: Annotated[str, typer.Option(help="Strategy name.")],
    symbol: Symbol = None,
    symbols: Symbols = None,
    days: Days = None,
    start: Start = None,
    end: End = None,
    interval: Interval = None,
    param: SweepParams = None,
    random: RandomCount = None,
    seed: Seed = 0,
    metric: Metric = "sharpe",
    workers: Workers = None,
    top: Annotated[
        int, typer.Option(min=1, max=limits.TOP_MAX, help="How many of the best trials to show.")
    ] = 10,
    slippage: Slippage = None,
    commission: Commission = None,
) -> None:
    """Parameter sweep: a grid (--param fast=5:20:5 --param slow=30,50) or --random N draws.

    Prints the best trials, how many combinations were skipped (invalid together) and the
    deflated Sharpe ratio of the best one; the best trial is stored as a run."""
    from trademind.services import backtest_robustness

    state = get_state(ctx)
    settings = state.load_settings()
    data = data_request(symbol, symbols, days, start, end, interval)
    request = _sweep_request(
        strategy, data, param, random, seed, metric, workers, slippage, commission
    )
    with state.open_database() as db, progress_bar(state, "optimize") as progress:
        result = backtest_robustness.optimize(
            db, settings, request, top=top, progress=progress, clock=state.parts.clock
        )
    if state.json:
        print_json(result)
        return
    _show_optimize(state, result)


def _show_optimize(state: CliState, result: Optimization) -> None:
    show_notices(state, list(result.notices))
    metric = result.metric
    names = [metric, *(name for name in KEY_METRICS if name != metric)]
    columns = ("rank", "params", *(show.label(name) for name in names))
    rows = [
        (
            row.rank,
            show.params_text(row.params),
            show.metric_text(metric, row.score),
            *(show.metric_text(name, row.key_metrics.get(name)) for name in names[1:]),
        )
        for row in result.top
    ]
    print_table(f"Top {len(rows)} of {result.trials} trials by {metric}", columns, rows)
    deflated = result.deflated_sharpe
    print_message(
        f"{result.trials} trials run, {result.skipped} combinations skipped; deflated "
        f"Sharpe ratio of the best: {'n/a' if deflated is None else f'{deflated:.4f}'}"
    )
    print_message(
        f"best stored as run #{result.best_run_id}: "
        f"`trademind backtest results {result.best_run_id}`"
    )


@app.command("walk-forward")
def walk_forward(  # noqa: PLR0917
    ctx: typer.Context,
    strategy: Annotated[str, typer.Option(help="Strategy name.")],
    symbol: Symbol = None,
    symbols: Symbols = None,
    days: Days = None,
    start: Start = None,
    end: End = None,
    interval: Interval = None,
    param: SweepParams = None,
    random: RandomCount = None,
    seed: Seed = 0,
    metric: Metric = "sharpe",
    windows: Annotated[
        int | None,
        typer.Option(
            min=limits.WALK_FORWARD_WINDOWS_MIN,
            max=limits.WALK_FORWARD_WINDOWS_MAX,
            help="Out-of-sample windows. Default: backtest.walk_forward_windows (same range).",
        ),
    ] = None,
    in_sample_ratio: Annotated[
        float,
        typer.Option(
            click_type=FiniteFloatRange(0.0, limits.IN_SAMPLE_RATIO_MAX, min_open=True),
            help="In-sample length as a multiple of an out-of-sample window.",
        ),
    ] = 3.0,
    mode: Annotated[
        Literal["rolling", "anchored"],
        typer.Option(help="rolling (fixed in-sample length) or anchored (from the start)."),
    ] = "rolling",
    workers: Workers = None,
    slippage: Slippage = None,
    commission: Commission = None,
) -> None:
    """Walk-forward analysis: optimise in sample, trade the winner out of sample, repeat.

    Prints each window's chosen parameters with in- and out-of-sample metrics, the stitched
    out-of-sample final equity and the walk-forward efficiency (OOS CAGR / IS CAGR)."""
    from trademind.services import backtest_robustness

    state = get_state(ctx)
    settings = state.load_settings()
    data = data_request(symbol, symbols, days, start, end, interval)
    request = _sweep_request(
        strategy, data, param, random, seed, metric, workers, slippage, commission
    )
    with state.open_database() as db, progress_bar(state, "walk-forward") as progress:
        result = backtest_robustness.walk_forward(
            db,
            settings,
            request,
            windows=windows,
            in_sample_ratio=in_sample_ratio,
            mode=mode,
            progress=progress,
            clock=state.parts.clock,
        )
    if state.json:
        print_json(result)
        return
    _show_walk_forward(state, result)


def _show_walk_forward(state: CliState, result: WalkForward) -> None:
    show_notices(state, list(result.notices))
    metric = result.metric
    rows = [
        (
            row.window,
            f"{show.day(row.in_sample.start)} to {show.day(row.in_sample.end)}",
            f"{show.day(row.out_of_sample.start)} to {show.day(row.out_of_sample.end)}",
            show.params_text(row.params),
            show.metric_text(metric, row.in_sample_score),
            show.metric_text(metric, row.out_of_sample_score),
            show.metric_text("total_return", row.out_of_sample_total_return),
        )
        for row in result.windows
    ]
    columns = ("window", "in sample", "out of sample", "params", f"IS {metric}", f"OOS {metric}")
    title = f"Walk-forward ({result.mode}) of {result.strategy} by {metric}"
    print_table(title, (*columns, "OOS return"), rows)
    efficiency = result.walk_forward_efficiency
    print_message(
        f"stitched out-of-sample equity from {show.day(result.stitched_start)}: "
        f"{show.money(result.initial_cash)} -> {show.money(result.stitched_final_equity)} "
        f"({show.metric_text('total_return', result.stitched_total_return)}); walk-forward "
        f"efficiency: {'n/a' if efficiency is None else f'{efficiency:.2f}'}"
    )


app.command("montecarlo")(backtest_stored.montecarlo)
app.command("results")(backtest_stored.results)
app.command("list")(backtest_stored.list_runs)
app.command("export")(backtest_stored.export)
