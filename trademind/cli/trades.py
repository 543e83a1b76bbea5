"""`trademind trades`: Trades: list, show, export, today, pnl."""

from __future__ import annotations

import typer

from trademind.cli.pending import pending_summary, register_pending

HELP = "Trades: list, show, export, today, pnl."

app = typer.Typer(
    help=HELP,
    short_help=pending_summary(HELP),
    no_args_is_help=True,
)

register_pending(
    app,
    "trades",
    [
        ("list", "List trades (options: --limit, --symbol)."),
        ("show", "Show one trade with its reasoning."),
        ("export", "Export trades (options: --start, --end)."),
        ("today", "Today's trades."),
        ("pnl", "Realised P&L (option: --symbol)."),
    ],
    arrives_with="the paper trading issue",
)
