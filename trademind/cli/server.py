"""`trademind server`: Run and manage the TradeMind server (API, dashboard, scheduler)."""

from __future__ import annotations

import typer

from trademind.cli.pending import register_pending

app = typer.Typer(
    help="Run and manage the TradeMind server (API, dashboard, scheduler).", no_args_is_help=True
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
