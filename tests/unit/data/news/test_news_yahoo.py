"""The yfinance news adapter on recorded answers of both shapes (no network)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from trademind.data.news.yahoo import YahooNewsSource

SEEN = datetime(2024, 1, 5, 12, tzinfo=UTC)

CURRENT_SHAPE: list[dict[str, Any]] = [
    {
        "id": "1",
        "content": {
            "title": "Apple unveils a headset",
            "summary": "A new product.",
            "pubDate": "2024-01-04T13:00:00Z",
            "canonicalUrl": {"url": "https://finance.yahoo.com/news/apple-1.html"},
            "provider": {"displayName": "Reuters"},
        },
    },
    {"id": "2", "content": {"title": "No date", "canonicalUrl": {"url": "https://y.test/2"}}},
    {"id": "3", "content": {"title": "No url", "pubDate": "2024-01-04T13:00:00Z"}},
    "not a dict",
]
OLD_SHAPE: list[dict[str, Any]] = [
    {
        "title": "Microsoft earnings",
        "link": "https://finance.yahoo.com/news/msft-1.html",
        "publisher": "AP",
        "providerPublishTime": 1704373200,
    }
]


class FakeYahooNews:
    """Recorded answers per symbol; a symbol without one fails like a network error."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, symbol: str) -> list[dict[str, Any]]:
        self.asked.append(symbol)
        if symbol not in self.answers:
            raise ConnectionError("Yahoo unreachable")
        answer: list[dict[str, Any]] = self.answers[symbol]
        return answer


def test_both_shapes_become_items_and_bad_entries_are_counted() -> None:
    fake = FakeYahooNews({"AAPL": CURRENT_SHAPE, "MSFT": OLD_SHAPE})
    result = YahooNewsSource(now=lambda: SEEN, news=fake).fetch(("AAPL", "MSFT", "TSLA"), None)
    assert [(item.title, sorted(item.symbols)) for item in result.items] == [
        ("Apple unveils a headset", ["AAPL"]),
        ("Microsoft earnings", ["MSFT"]),
    ]
    assert result.items[0].published_at == datetime(2024, 1, 4, 13, tzinfo=UTC)
    assert result.items[1].published_at == datetime(2024, 1, 4, 13, tzinfo=UTC)
    assert result.items[0].summary == "A new product."
    assert result.skipped_by_reason() == {"no date": 1, "no url": 1, "invalid": 1}
    assert result.errors == ("TSLA: ConnectionError: Yahoo unreachable",)
    assert fake.asked == ["AAPL", "MSFT", "TSLA"]


def test_since_skips_older_entries() -> None:
    fake = FakeYahooNews({"MSFT": OLD_SHAPE})
    since = datetime(2024, 1, 4, 13, tzinfo=UTC)
    result = YahooNewsSource(now=lambda: SEEN, news=fake).fetch(("MSFT",), since)
    assert result.items == ()
    assert result.skipped_by_reason() == {"before since": 1}
