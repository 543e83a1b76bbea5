"""`trademind portfolio`: Portfolio: summary, holdings, performance, sectors, export."""

from __future__ import annotations

import typer

from trademind.cli.pending import pending_summary, register_pending

HELP = "Portfolio: summary, holdings, performance, sectors, export."

app = typer.Typer(
    help=HELP,
    short_help=pending_summary(HELP),
    no_args_is_help=True,
)

register_pending(
    app,
    "portfolio",
    [
        ("summary", "Portfolio summary: equity, cash, day P&L."),
        ("holdings", "Current holdings in detail."),
        ("performance", "Performance over time (option: --days)."),
        ("sectors", "Exposure by sector."),
        ("export", "Export the portfolio (options: --format csv|json, --output)."),
    ],
    arrives_with="the paper trading issue",
)
