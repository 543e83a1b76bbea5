"""`trademind safety`: Safety layer: limits, circuit breakers, emergency stop."""

from __future__ import annotations

import typer

from trademind.cli.pending import pending_summary, register_pending

HELP = "Safety layer: limits, circuit breakers, emergency stop."

app = typer.Typer(
    help=HELP,
    short_help=pending_summary(HELP),
    no_args_is_help=True,
)

register_pending(
    app,
    "safety",
    [
        ("status", "Safety status: limits, breakers, heat."),
        ("circuit-breaker", "Circuit breaker state."),
        ("heat", "Portfolio heat (risk in open positions)."),
        ("emergency-stop", "Stop all trading now (option: --reason)."),
        ("reset-circuit-breaker", "Reset a tripped circuit breaker."),
        ("limits", "Show the risk limits in force."),
        ("set", "Change risk limits (e.g. --max-positions)."),
    ],
    arrives_with="the safety issue",
)
