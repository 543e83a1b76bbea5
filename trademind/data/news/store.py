"""The news store: articles merged by content hash, read back as they were known at a time.

:meth:`NewsStore.upsert` stores items in one transaction. Items with the same
:func:`~trademind.data.news.items.content_hash` (in the batch or already stored) are one
article: its symbol set is the union, its ``published_at`` and ``first_seen_at`` the earliest
given, its summary the first non-empty one; each symbol keeps the earliest time the article was
seen *for that symbol*.

:meth:`NewsStore.items` is the point-in-time query: the articles of a symbol with
``published_at <= at`` and (that symbol's) ``first_seen_at <= at``, optionally only those
published within ``days`` before ``at``, newest first. An article published before ``at`` but
first seen after it is not visible at ``at``: a replay sees what a live run could have seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.data.news.items import NewsItem, checked_symbol
from trademind.db.models import NewsItemRow, NewsItemSymbol

if TYPE_CHECKING:
    from trademind.db.session import Database

_ITEMS: Final = cast(sa.Table, NewsItemRow.__table__)
_SYMBOLS: Final = cast(sa.Table, NewsItemSymbol.__table__)


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """What :meth:`NewsStore.upsert` did: articles added, and items merged into an article
    (stored before or earlier in the same batch)."""

    added: int
    merged: int


@dataclass(slots=True)
class _Article:
    """Items with one content hash, merged (see the module docstring)."""

    first: NewsItem
    published_at: datetime
    summary: str | None
    seen: dict[str, datetime] = field(default_factory=dict)

    def merge(self, item: NewsItem) -> None:
        self.published_at = min(self.published_at, item.published_at)
        self.summary = self.summary or item.summary
        for symbol in item.symbols:
            known = self.seen.get(symbol)
            self.seen[symbol] = (
                item.first_seen_at if known is None else min(known, item.first_seen_at)
            )

    @property
    def first_seen_at(self) -> datetime:
        return min(self.seen.values())


def _articles(items: Iterable[NewsItem]) -> tuple[dict[str, _Article], int]:
    articles: dict[str, _Article] = {}
    duplicates = 0
    for item in items:
        key = item.content_hash
        if key in articles:
            duplicates += 1
        else:
            articles[key] = _Article(item, item.published_at, item.summary)
        articles[key].merge(item)
    return articles, duplicates


class NewsStore:
    """The news of ``database`` (tables ``news_items`` and ``news_item_symbols``)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def upsert(self, items: Iterable[NewsItem]) -> UpsertCounts:
        """Store ``items`` in one transaction, duplicates merged (module docstring)."""
        articles, duplicates = _articles(items)

        def work(connection: sa.Connection) -> UpsertCounts:
            added = sum(_store(connection, key, article) for key, article in articles.items())
            return UpsertCounts(added=added, merged=duplicates + len(articles) - added)

        return self._database.run(work)

    def items(self, symbol: str, at: datetime, days: float | None = None) -> tuple[NewsItem, ...]:
        """The articles of ``symbol`` known at ``at`` (module docstring), newest first; each
        with the symbols it was known for at ``at`` and its first sighting for ``symbol``."""
        wanted = checked_symbol(symbol)
        conditions = [
            _SYMBOLS.c.symbol == wanted,
            _SYMBOLS.c.published_at <= at,
            _SYMBOLS.c.first_seen_at <= at,
        ]
        if days is not None:
            conditions.append(_SYMBOLS.c.published_at > at - timedelta(days=days))
        query = (
            sa.select(_ITEMS, _SYMBOLS.c.first_seen_at.label("symbol_seen_at"))
            .join(_SYMBOLS, _SYMBOLS.c.news_item_id == _ITEMS.c.id)
            .where(*conditions)
            .order_by(_SYMBOLS.c.published_at.desc(), _ITEMS.c.id.desc())
        )

        def work(connection: sa.Connection) -> tuple[NewsItem, ...]:
            rows = connection.execute(query).all()
            symbols = _symbols_known(connection, [row.id for row in rows], at)
            return tuple(_item(row, symbols[row.id]) for row in rows)

        return self._database.run(work)

    def count(self) -> int:
        """How many articles are stored."""
        query = sa.select(sa.func.count()).select_from(_ITEMS)
        return int(self._database.run(lambda connection: connection.execute(query).scalar_one()))


def _store(connection: sa.Connection, key: str, article: _Article) -> bool:
    """Insert or merge one article; True when it is new."""
    row = connection.execute(
        sa.select(
            _ITEMS.c.id, _ITEMS.c.published_at, _ITEMS.c.first_seen_at, _ITEMS.c.summary
        ).where(_ITEMS.c.content_hash == key)
    ).first()
    if row is None:
        values = _new_row(key, article)
        inserted = connection.execute(sa.insert(_ITEMS).values(**values)).inserted_primary_key
        article_id = int(inserted[0]) if inserted is not None else 0
        published = article.published_at
    else:
        article_id = int(row.id)
        published = min(row.published_at, article.published_at)
        connection.execute(
            sa.update(_ITEMS)
            .where(_ITEMS.c.id == article_id)
            .values(
                published_at=published,
                first_seen_at=min(row.first_seen_at, article.first_seen_at),
                summary=row.summary or article.summary,
            )
        )
    _store_symbols(connection, article_id, published, article.seen)
    return row is None


def _new_row(key: str, article: _Article) -> dict[str, Any]:
    return {
        "content_hash": key,
        "title": article.first.title.strip(),
        "summary": article.summary,
        "url": article.first.url.strip(),
        "source": article.first.source,
        "published_at": article.published_at,
        "first_seen_at": article.first_seen_at,
    }


def _store_symbols(
    connection: sa.Connection, article_id: int, published: datetime, seen: dict[str, datetime]
) -> None:
    stored = {
        row.symbol: row.first_seen_at
        for row in connection.execute(
            sa.select(_SYMBOLS.c.symbol, _SYMBOLS.c.first_seen_at).where(
                _SYMBOLS.c.news_item_id == article_id
            )
        )
    }
    for symbol, first_seen in sorted(seen.items()):
        if symbol not in stored:
            connection.execute(
                sa.insert(_SYMBOLS).values(
                    news_item_id=article_id,
                    symbol=symbol,
                    published_at=published,
                    first_seen_at=first_seen,
                )
            )
    for symbol, first_seen in stored.items():
        earliest = min(first_seen, seen.get(symbol, first_seen))
        connection.execute(
            sa.update(_SYMBOLS)
            .where(_SYMBOLS.c.news_item_id == article_id, _SYMBOLS.c.symbol == symbol)
            .values(published_at=published, first_seen_at=earliest)
        )


def _symbols_known(
    connection: sa.Connection, ids: list[int], at: datetime
) -> dict[int, frozenset[str]]:
    known: dict[int, set[str]] = {article_id: set() for article_id in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = sa.select(_SYMBOLS.c.news_item_id, _SYMBOLS.c.symbol).where(
            _SYMBOLS.c.news_item_id.in_(chunk), _SYMBOLS.c.first_seen_at <= at
        )
        for row in connection.execute(query):
            known[row.news_item_id].add(row.symbol)
    return {article_id: frozenset(symbols) for article_id, symbols in known.items()}


def _item(row: sa.Row[Any], symbols: frozenset[str]) -> NewsItem:
    return NewsItem(
        symbols=symbols,
        title=row.title,
        url=row.url,
        source=row.source,
        published_at=row.published_at,
        first_seen_at=row.symbol_seen_at,
        summary=row.summary,
    )
