"""A throw-away database for `safety backtest`, `safety validate` and `ab run`: a fresh SQLite
file in a temporary folder (removed afterwards), migrated, holding copies of the user's stored
bars and symbol rows and of the stored news about those symbols. The user's ledger is never
written: the replays book into the sandbox."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, cast

import sqlalchemy as sa

from trademind.config.urls import sqlite_url_for
from trademind.db.models import MarketData, NewsItemRow, NewsItemSymbol, SymbolInfo
from trademind.db.session import Database

_BARS: Final = cast(sa.Table, MarketData.__table__)
_SYMBOLS: Final = cast(sa.Table, SymbolInfo.__table__)
_NEWS: Final = cast(sa.Table, NewsItemRow.__table__)
_NEWS_SYMBOLS: Final = cast(sa.Table, NewsItemSymbol.__table__)
SANDBOX_FILE: Final = "safety-history.db"
_IDS_PER_QUERY: Final = 500


@dataclass(frozen=True, slots=True)
class Sandbox:
    """The sandbox database, its URL and its folder (lock files of the sessions go there)."""

    database: Database
    url: str
    folder: Path


@contextmanager
def sandbox() -> Iterator[Sandbox]:
    """A migrated, empty database in a temporary folder; both are gone on exit."""
    with tempfile.TemporaryDirectory(prefix="trademind-safety-") as folder:
        path = Path(folder)
        url = sqlite_url_for(path / SANDBOX_FILE)
        database = Database(url)
        try:
            database.ensure_schema()
            yield Sandbox(database, url, path)
        finally:
            database.dispose()


def copy_bars(
    source: Database,
    target: Database,
    symbols: Sequence[str],
    timeframe: str,
    since: datetime | None,
) -> int:
    """Copy the stored ``timeframe`` bars of ``symbols`` from ``since`` on (every column:
    source, adjusted close, ingestion time) and their ``symbols`` rows; the bars copied."""
    bars = sa.select(_BARS).where(_BARS.c.symbol.in_(symbols), _BARS.c.timeframe == timeframe)
    if since is not None:
        bars = bars.where(_BARS.c.ts >= since)
    infos = sa.select(_SYMBOLS).where(_SYMBOLS.c.symbol.in_(symbols))
    rows = rows_of(source, bars)
    described = rows_of(source, infos)
    if rows:
        target.run(lambda connection: connection.execute(sa.insert(_BARS), rows), bulk=True)
    if described:
        target.run(lambda connection: connection.execute(sa.insert(_SYMBOLS), described))
    return len(rows)


def copy_news(source: Database, target: Database, symbols: Sequence[str]) -> int:
    """Copy the stored news articles about ``symbols`` (every column, ids kept) and their
    links to those symbols; the articles copied."""
    links = sa.select(_NEWS_SYMBOLS).where(_NEWS_SYMBOLS.c.symbol.in_(symbols))
    linked = rows_of(source, links)
    if not linked:
        return 0
    ids = sorted({row["news_item_id"] for row in linked})
    articles: list[dict[str, Any]] = []
    for first in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[first : first + _IDS_PER_QUERY]
        articles += rows_of(source, sa.select(_NEWS).where(_NEWS.c.id.in_(chunk)))
    target.run(lambda connection: connection.execute(sa.insert(_NEWS), articles), bulk=True)
    target.run(lambda connection: connection.execute(sa.insert(_NEWS_SYMBOLS), linked), bulk=True)
    return len(articles)


def rows_of(database: Database, query: sa.Select[Any]) -> list[dict[str, Any]]:
    return database.run(
        lambda connection: [dict(row._mapping) for row in connection.execute(query)]
    )
