"""`trademind broker`: Broker connection: status, connect, disconnect."""

from __future__ import annotations

import typer

from trademind.cli.pending import pending_summary, register_pending

HELP = "Broker connection: status, connect, disconnect."

app = typer.Typer(
    help=HELP,
    short_help=pending_summary(HELP),
    no_args_is_help=True,
)

register_pending(
    app,
    "broker",
    [
        ("status", "Broker connection status and account."),
        ("connect", "Connect to TWS / IB Gateway."),
        ("disconnect", "Disconnect from the broker."),
    ],
    arrives_with="the IBKR broker issue",
)
