"""`trademind news`: import historical news, list a symbol's news as known at a time, fetch.

``news import FILE`` validates the whole file first (CSV or JSONL; see docs/ai.md, "News"): a
bad row is a one-line error naming its line, and nothing is stored. ``news list`` reads the
database only. ``news fetch`` reads the configured sources (network) and prints per-source
counts, skip reasons and errors; it exits 1 when every source that ran failed outright.
Exit code 2 for a usage error (unknown format, bad symbol or time), 1 for a bad file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trademind.cli.context import get_state
from trademind.cli.output import print_json, print_message, print_table

if TYPE_CHECKING:
    from trademind.data.news.items import NewsItem
    from trademind.services.news_service import SourceReport

app = typer.Typer(help="News: import, list, fetch.", no_args_is_help=True)

SymbolOption = Annotated[str, typer.Option("--symbol", help="The symbol, e.g. AAPL.")]


def _at(text: str | None) -> datetime | None:
    from trademind.core.errors import UsageError

    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--at is not an ISO-8601 time: {text[:40]!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@app.command("import")
def import_file(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A CSV or JSONL file of news items.")],
    file_format: Annotated[
        str | None,
        typer.Option("--file-format", help="csv or jsonl (default: from the file's suffix)."),
    ] = None,
) -> None:
    """Import historical news from a CSV or JSONL file (all rows or none)."""
    from trademind.services.news_service import import_news

    state = get_state(ctx)
    with state.open_database() as database:
        report = import_news(database, path, file_format)
    if state.json:
        print_json(
            {
                "path": report.path,
                "items": report.items,
                "added": report.added,
                "merged": report.merged,
            }
        )
        return
    print_message(
        f"imported {report.items} items from {report.path}: {report.added} new, "
        f"{report.merged} merged into stored articles"
    )


@app.command("list")
def list_news(
    ctx: typer.Context,
    symbol: SymbolOption,
    days: Annotated[
        float | None, typer.Option(min=0, max=36_500, help="Only items of the last N days.")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(help="As known at this time (ISO-8601; UTC if no zone). Default: now."),
    ] = None,
) -> None:
    """List a symbol's news as known at a time (published and first seen by then)."""
    from trademind.services.news_service import list_news as read

    state = get_state(ctx)
    moment = _at(at) or state.parts.clock.now()
    with state.open_database() as database:
        items = read(database, symbol, moment, days)
    if state.json:
        print_json([_json(item) for item in items])
        return
    if not items:
        print_message(f"no news of {symbol.strip().upper()} known at {moment:%Y-%m-%d %H:%M}")
        return
    rows = [
        (f"{item.published_at:%Y-%m-%d %H:%M}", item.source, item.title, item.url) for item in items
    ]
    print_table(f"News of {symbol.strip().upper()}, newest first", _COLUMNS, rows)


_COLUMNS = ("published (UTC)", "source", "title", "url")


def _json(item: NewsItem) -> dict[str, object]:
    return {
        "symbols": sorted(item.symbols),
        "title": item.title,
        "summary": item.summary,
        "url": item.url,
        "source": item.source,
        "published_at": item.published_at.astimezone(UTC).isoformat(),
        "first_seen_at": item.first_seen_at.astimezone(UTC).isoformat(),
        "content_hash": item.content_hash,
    }


@app.command("fetch")
def fetch(
    ctx: typer.Context,
    symbols: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated symbols. Default: data.watchlist and news.symbol_feeds."
        ),
    ] = None,
) -> None:
    """Fetch news from the configured sources (news.sources; network) and store it."""
    from trademind.services.news_service import configured_sources, fetch_news, fetch_symbols

    state = get_state(ctx)
    settings = state.load_settings()
    given = [part.strip() for part in (symbols or "").split(",") if part.strip()]
    wanted = fetch_symbols(settings, given)
    sources = configured_sources(settings, state.parts.clock)
    with state.open_database() as database:
        reports = fetch_news(database, sources, wanted)
    _show_fetch(state.json, reports)
    if reports and all(report.errors and not report.items for report in reports):
        raise typer.Exit(1)


def _show_fetch(json: bool, reports: tuple[SourceReport, ...]) -> None:
    if json:
        print_json(
            [
                {
                    "source": r.source,
                    "items": r.items,
                    "added": r.added,
                    "merged": r.merged,
                    "skipped": r.skipped,
                    "errors": list(r.errors),
                }
                for r in reports
            ]
        )
        return
    rows = [
        (
            r.source,
            r.items,
            r.added,
            r.merged,
            ", ".join(f"{k}: {v}" for k, v in sorted(r.skipped.items())) or "none",
            len(r.errors),
        )
        for r in reports
    ]
    print_table("News fetched", ("source", "items", "new", "merged", "skipped", "errors"), rows)
    for report in reports:
        for error in report.errors:
            print_message(f"{report.source}: {error}")
