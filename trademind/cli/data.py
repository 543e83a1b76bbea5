"""`trademind data`: Market data and indicators: ingest, status, show, verify."""

from __future__ import annotations

import typer

from trademind.cli.pending import register_pending

app = typer.Typer(
    help="Market data and indicators: ingest, status, show, verify.", no_args_is_help=True
)

register_pending(
    app,
    "data",
    [
        (
            "ingest",
            "Ingest bars (--symbols, --source, --path, --start/--end, --days, --interval).",
        ),
        ("status", "Stored symbols, ranges, rows, last update, open quality issues."),
        ("show", "Show bars with indicators (option: --days, --plot)."),
        ("update-indicators", "Recompute indicators for new bars."),
        ("clear-cache", "Clear cached market data."),
        ("verify", "Check stored bars for quality problems."),
    ],
    arrives_with="the market data issue",
)
