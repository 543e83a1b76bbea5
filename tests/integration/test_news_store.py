"""The news store on SQLite and PostgreSQL: duplicates merged, point-in-time reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from trademind.data.news.items import NewsItem
from trademind.data.news.store import NewsStore

if TYPE_CHECKING:
    from trademind.db.session import Database

T0 = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _item(
    title: str = "Apple beats estimates",
    *,
    symbols: tuple[str, ...] = ("AAPL",),
    url: str = "https://example.com/a/1",
    published: datetime = T0,
    seen: datetime = T0,
    summary: str | None = None,
) -> NewsItem:
    return NewsItem(
        symbols=frozenset(symbols),
        title=title,
        url=url,
        source="rss",
        published_at=published,
        first_seen_at=seen,
        summary=summary,
    )


def test_duplicates_merge_symbols_and_keep_the_earliest_times(database: Database) -> None:
    store = NewsStore(database)
    first = store.upsert([_item(seen=T0 + 2 * HOUR)])
    again = store.upsert(
        [
            _item("  APPLE beats  estimates", url="https://EXAMPLE.com/a/1/", seen=T0 + HOUR),
            _item(symbols=("MSFT",), seen=T0 + 5 * HOUR, summary="later summary"),
        ]
    )
    assert (first.added, first.merged) == (1, 0)
    assert (again.added, again.merged) == (0, 2)
    assert store.count() == 1
    late = T0 + 6 * HOUR
    (aapl,) = store.items("AAPL", late)
    assert aapl.symbols == frozenset({"AAPL", "MSFT"})
    assert aapl.first_seen_at == T0 + HOUR
    assert aapl.summary == "later summary"
    (msft,) = store.items("msft", late)
    assert msft.first_seen_at == T0 + 5 * HOUR


def test_an_item_published_before_t_but_seen_after_t_is_not_visible_at_t(
    database: Database,
) -> None:
    store = NewsStore(database)
    store.upsert([_item(published=T0, seen=T0 + HOUR)])
    assert store.items("AAPL", T0) == ()
    assert store.items("AAPL", T0 + HOUR - timedelta(microseconds=1)) == ()
    assert len(store.items("AAPL", T0 + HOUR)) == 1


def test_an_item_seen_before_its_stated_publication_waits_for_it(database: Database) -> None:
    store = NewsStore(database)
    store.upsert([_item(published=T0 + HOUR, seen=T0)])
    assert store.items("AAPL", T0) == ()
    assert len(store.items("AAPL", T0 + HOUR)) == 1


def test_a_symbol_added_later_does_not_see_the_article_before_its_own_sighting(
    database: Database,
) -> None:
    store = NewsStore(database)
    store.upsert([_item(seen=T0)])
    store.upsert([_item(symbols=("MSFT",), seen=T0 + 3 * HOUR)])
    at = T0 + HOUR
    (aapl,) = store.items("AAPL", at)
    assert aapl.symbols == frozenset({"AAPL"})
    assert store.items("MSFT", at) == ()


def test_days_bound_the_window_and_the_newest_come_first(database: Database) -> None:
    store = NewsStore(database)
    store.upsert(
        [
            _item(
                f"story {day}",
                url=f"https://x.test/{day}",
                published=T0 + timedelta(days=day),
                seen=T0 + timedelta(days=day),
            )
            for day in range(5)
        ]
    )
    at = T0 + timedelta(days=4)
    titles = [item.title for item in store.items("AAPL", at, days=2)]
    assert titles == ["story 4", "story 3"]
    assert len(store.items("AAPL", at)) == 5
    assert store.items("TSLA", at) == ()
