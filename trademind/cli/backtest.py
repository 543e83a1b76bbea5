"""`trademind backtest`: Backtests: run, compare, optimise, walk-forward, Monte Carlo, results."""

from __future__ import annotations

import typer

from trademind.cli.pending import register_pending

app = typer.Typer(
    help="Backtests: run, compare, optimise, walk-forward, Monte Carlo, results.",
    no_args_is_help=True,
)

register_pending(
    app,
    "backtest",
    [
        ("run", "Run a backtest (options: --strategy, --symbol/--symbols, --days)."),
        ("compare", "Compare strategies on a symbol."),
        ("optimize", "Parameter sweep (grid or random)."),
        ("walk-forward", "Walk-forward analysis."),
        ("montecarlo", "Monte Carlo trade bootstrap."),
        ("results", "Show a stored backtest run."),
        ("list", "List stored backtest runs (option: --limit)."),
        ("export", "Export a run (--format csv|json|html)."),
    ],
    arrives_with="the strategies and backtesting issue",
)
