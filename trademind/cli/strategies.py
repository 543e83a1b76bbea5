"""`trademind strategies`: Rule strategies: list, enable, disable, configure, evaluate."""

from __future__ import annotations

import typer

from trademind.cli.pending import register_pending

app = typer.Typer(
    help="Rule strategies: list, enable, disable, configure, evaluate.", no_args_is_help=True
)

register_pending(
    app,
    "strategies",
    [
        ("list", "List strategies and whether they are enabled."),
        ("enable", "Enable a strategy."),
        ("disable", "Disable a strategy."),
        ("config", "Show a strategy's parameters."),
        ("set", "Set strategy parameters (e.g. --oversold 25)."),
        ("performance", "Live/paper performance of a strategy."),
        ("backtest", "Backtest a strategy (options: --symbol, --days)."),
    ],
    arrives_with="the strategies and backtesting issue",
)
