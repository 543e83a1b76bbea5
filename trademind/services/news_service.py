"""News use cases for the CLI: import a file, list a symbol's news at a time, fetch from the
configured sources. See docs/ai.md, "News"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from trademind.core.errors import ConfigError, UsageError, ValidationError
from trademind.data.news.importer import read_news_file
from trademind.data.news.items import FetchResult, NewsItem, NewsSource, checked_symbol
from trademind.data.news.store import NewsStore

if TYPE_CHECKING:
    from trademind.config.models import Settings
    from trademind.core.clock import Clock
    from trademind.db.session import Database

SourceFactory = Callable[["Settings", "Clock"], Sequence[NewsSource]]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What `news import` stored: items read, new articles, items merged into stored ones."""

    path: str
    items: int
    added: int
    merged: int


@dataclass(frozen=True, slots=True)
class SourceReport:
    """One source's share of `news fetch`."""

    source: str
    items: int
    added: int
    merged: int
    skipped: dict[str, int]
    errors: tuple[str, ...]


def import_news(database: Database, path: Path, file_format: str | None) -> ImportReport:
    """Read ``path`` whole (nothing stored when any row is bad), then store it."""
    items = read_news_file(path, file_format)
    counts = NewsStore(database).upsert(items)
    return ImportReport(str(path), len(items), counts.added, counts.merged)


def list_news(
    database: Database, symbol: str, at: datetime, days: float | None
) -> tuple[NewsItem, ...]:
    """The news of ``symbol`` known at ``at`` (published and first seen by then), newest first."""
    return NewsStore(database).items(_usage_symbol(symbol), at, days)


def _usage_symbol(symbol: str) -> str:
    try:
        return checked_symbol(symbol)
    except ValidationError as exc:
        raise UsageError(str(exc)) from None


def configured_sources(settings: Settings, clock: Clock) -> tuple[NewsSource, ...]:
    """The adapters ``news.sources`` names, built from the news settings."""
    from trademind.data.news.rss import RssSource
    from trademind.data.news.yahoo import YahooNewsSource

    news = settings.news
    sources: list[NewsSource] = []
    for name in news.sources:
        if name == "rss":
            sources.append(
                RssSource(
                    now=clock.now,
                    feeds=tuple(news.feeds),
                    symbol_feeds={k: tuple(v) for k, v in news.symbol_feeds.items()},
                )
            )
        elif name == "finnhub":
            sources.append(_finnhub(settings, clock))
        else:
            sources.append(YahooNewsSource(now=clock.now))
    return tuple(sources)


def _finnhub(settings: Settings, clock: Clock) -> NewsSource:
    """The Finnhub adapter; a ConfigError naming the variable when its key is not set."""
    from trademind.data.news.finnhub import FinnhubNewsSource

    news = settings.news
    key = news.finnhub_api_key.get_secret_value() if news.finnhub_api_key else ""
    if not key:
        raise ConfigError(
            "news.sources lists 'finnhub' but no key is set: set TRADEMIND__NEWS__FINNHUB_API_KEY",
            problems=[("news.finnhub_api_key", "required when news.sources lists 'finnhub'")],
        )
    return FinnhubNewsSource(
        now=clock.now,
        api_key=key,
        base_url=news.finnhub_base_url,
        lookback_days=news.finnhub_lookback_days,
    )


def fetch_symbols(settings: Settings, given: Sequence[str]) -> tuple[str, ...]:
    """``given`` checked, else the watch list and the symbols with their own feeds."""
    if given:
        return tuple(dict.fromkeys(_usage_symbol(symbol) for symbol in given))
    symbols = [*settings.data.watchlist, *settings.news.symbol_feeds]
    if not symbols:
        raise UsageError("no symbols: give --symbols or set data.watchlist")
    return tuple(dict.fromkeys(symbols))


def fetch_news(
    database: Database,
    sources: Sequence[NewsSource],
    symbols: Sequence[str],
    since: datetime | None = None,
) -> tuple[SourceReport, ...]:
    """Fetch from each source in turn and store what it gave (one transaction per source)."""
    store = NewsStore(database)
    return tuple(_report(source.fetch(symbols, since), store) for source in sources)


def _report(result: FetchResult, store: NewsStore) -> SourceReport:
    counts = store.upsert(result.items)
    return SourceReport(
        source=result.source,
        items=len(result.items),
        added=counts.added,
        merged=counts.merged,
        skipped=result.skipped_by_reason(),
        errors=result.errors,
    )
