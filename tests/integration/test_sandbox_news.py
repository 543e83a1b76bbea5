"""The replay sandbox (`ab run`, `safety backtest`, `safety validate`) holds the stored news
about the replayed symbols, point-in-time reads unchanged, and nothing about other symbols."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trademind.data.news.items import NewsItem
from trademind.data.news.store import NewsStore
from trademind.db.session import Database
from trademind.services.safety_sandbox import copy_news, sandbox

T0 = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)


def _item(title: str, symbols: tuple[str, ...], hours: int) -> NewsItem:
    return NewsItem(
        symbols=frozenset(symbols),
        title=title,
        url=f"https://example.com/{hours}",
        source="rss",
        published_at=T0 + timedelta(hours=hours),
        first_seen_at=T0 + timedelta(hours=hours + 1),
    )


def test_the_news_of_the_symbols_is_copied_as_stored(database: Database) -> None:
    store = NewsStore(database)
    store.upsert(
        [
            _item("Apple and Microsoft sign a deal", ("AAPL", "MSFT"), 0),
            _item("Apple beats estimates", ("AAPL",), 2),
            _item("Tesla recalls cars", ("TSLA",), 3),
        ]
    )
    late = T0 + timedelta(days=1)
    with sandbox() as box:
        assert copy_news(database, box.database, ["AAPL", "MSFT"]) == 2
        copied = NewsStore(box.database)
        assert copied.count() == 2
        assert copied.items("AAPL", late) == store.items("AAPL", late)
        assert copied.items("MSFT", late) == store.items("MSFT", late)
        assert copied.items("TSLA", late) == ()
        assert copied.items("AAPL", T0 + timedelta(hours=2)) == store.items(
            "AAPL", T0 + timedelta(hours=2)
        )  # point in time: what was seen by then
        assert copy_news(database, box.database, ["NVDA"]) == 0
