"""The news item value: validation, and the content hash that identifies an article."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trademind.core.errors import ValidationError
from trademind.data.news.items import FetchResult, NewsItem, Skipped, content_hash

T = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)


def _item(**changes: object) -> NewsItem:
    fields: dict[str, object] = {
        "symbols": frozenset({"AAPL"}),
        "title": "Apple beats estimates",
        "url": "https://example.com/a/1",
        "source": "rss",
        "published_at": T,
        "first_seen_at": T,
    }
    fields.update(changes)
    return NewsItem(**fields)  # type: ignore[arg-type]


def test_a_valid_item_is_built() -> None:
    assert _item().title == "Apple beats estimates"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "needs a title"),
        ({"url": "ftp://example.com/x"}, r"not an http\(s\) URL"),
        ({"url": "example.com/x"}, r"not an http\(s\) URL"),
        ({"symbols": frozenset()}, "at least one symbol"),
        ({"symbols": frozenset({"aapl"})}, "upper-case"),
        ({"published_at": datetime(2024, 1, 2)}, "published_at has no time zone"),
        ({"first_seen_at": datetime(2024, 1, 2)}, "first_seen_at has no time zone"),
        ({"source": ""}, "needs a source"),
    ],
)
def test_invalid_fields_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _item(**changes)


def test_the_hash_ignores_case_spacing_fragment_and_trailing_slash() -> None:
    same = content_hash("  apple BEATS\n estimates ", "HTTPS://Example.com/a/1/#top")
    assert same == content_hash("Apple beats estimates", "https://example.com/a/1")


def test_the_hash_tells_different_urls_and_titles_apart() -> None:
    base = content_hash("Apple beats estimates", "https://example.com/a/1")
    assert base != content_hash("Apple beats estimates", "https://example.com/a/2")
    assert base != content_hash("Apple misses estimates", "https://example.com/a/1")
    assert base != content_hash("Apple beats estimates", "https://example.com/a/1?id=2")


def test_skipped_entries_are_counted_by_reason() -> None:
    result = FetchResult("rss", skipped=(Skipped("no date"), Skipped("no url"), Skipped("no date")))
    assert result.skipped_by_reason() == {"no date": 2, "no url": 1}
