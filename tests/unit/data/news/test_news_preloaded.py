"""PreloadedNews answers the store's point-in-time query from memory, as the store would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trademind.data.news.items import NewsItem
from trademind.data.news.preloaded import PreloadedNews

T = datetime(2024, 3, 28, 21, 0, tzinfo=UTC)


def news(title: str, published_hours: float, seen_hours: float) -> NewsItem:
    """A test item published/seen that many hours before T (negative: after)."""
    return NewsItem(symbols=frozenset({"AAPL"}), title=title, source="Test Wire",
                    url=f"https://news.example.test/{title}",
                    published_at=T - timedelta(hours=published_hours),
                    first_seen_at=T - timedelta(hours=seen_hours))  # fmt: skip


class Store:
    """The store's rule over a list, counting its queries."""

    def __init__(self, *items: NewsItem) -> None:
        self.all = items
        self.queries = 0

    def items(self, symbol: str, at: datetime, days: float | None = None) -> tuple[NewsItem, ...]:
        self.queries += 1
        return tuple(
            sorted(
                (i for i in self.all if symbol in i.symbols and i.published_at <= at
                 and i.first_seen_at <= at
                 and (days is None or i.published_at > at - timedelta(days=days))),
                key=lambda i: i.published_at, reverse=True,
            )
        )  # fmt: skip


def test_answers_as_the_store_would_at_every_time_without_querying_it() -> None:
    store = Store(news("old", 24 * 40, 24 * 40), news("a", 30, 30), news("late", 20, 2),
                  news("b", 5, 5), news("after", -5, -5))  # fmt: skip
    preloaded = PreloadedNews.load(store, ["AAPL"], T, days=60)  # type: ignore[arg-type]
    assert store.queries == 1
    for hours in (0, 3, 10, 25, 48, 24 * 20):
        at = T - timedelta(hours=hours)
        for days in (1.0, 7.0, 30.0):
            expected = store.items("AAPL", at, days)
            store.queries -= 1
            assert preloaded.items("AAPL", at, days) == expected, (hours, days)
    assert store.queries == 1
    assert [i.title for i in preloaded.items("AAPL", T, 1.0)] == ["b", "late"]
    assert [i.title for i in preloaded.items("AAPL", T - timedelta(hours=3), 1.0)] == ["b"]


def test_a_time_after_the_window_or_a_reach_before_it_reads_the_store() -> None:
    store = Store(news("a", 30, 30))
    preloaded = PreloadedNews.load(store, ["AAPL"], T, days=10)  # type: ignore[arg-type]
    preloaded.items("AAPL", T + timedelta(hours=1), 1.0)
    preloaded.items("AAPL", T, 30.0)
    preloaded.items("MSFT", T, 1.0)
    assert store.queries == 4
