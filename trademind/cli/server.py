"""`trademind server`: Run and manage the TradeMind server (API, dashboard, scheduler)."""

from __future__ import annotations

import typer

from trademind.cli.pending import pending_summary, register_pending

HELP = "Run and manage the TradeMind server (API, dashboard, scheduler)."

app = typer.Typer(
    help=HELP,
    short_help=pending_summary(HELP),
    no_args_is_help=True,
)

register_pending(
    app,
    "server",
    [
        ("start", "Start the server (options: --port, --reload)."),
        ("stop", "Stop the running server."),
        ("status", "Show whether the server runs and its health."),
        ("logs", "Show the server log (options: --follow, --lines)."),
        ("restart", "Restart the server."),
    ],
    arrives_with="the dashboard and server issue",
)
