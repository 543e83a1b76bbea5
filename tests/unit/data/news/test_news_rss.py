"""The RSS/Atom adapter on local feed files: items, counted skips, errors for non-feeds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from trademind.data.news.rss import RssSource, parse_feed

FEEDS = Path(__file__).parent / "feeds"
SEEN = datetime(2024, 1, 5, 12, tzinfo=UTC)


def _read(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def test_a_symbol_feed_gives_its_dated_items_and_counts_the_rest() -> None:
    result = parse_feed(_read("rss_symbol.xml"), symbols=("AAPL",), seen_at=SEEN, fixed=True)
    assert [item.title for item in result.items] == [
        "Apple beats estimates",
        "apple BEATS estimates",
    ]
    first = result.items[0]
    assert first.symbols == frozenset({"AAPL"})
    assert first.published_at == datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
    assert first.first_seen_at == SEEN
    assert first.summary == "Revenue up 8%"
    assert result.items[1].published_at == datetime(2024, 1, 2, 18, tzinfo=UTC)
    assert result.skipped_by_reason() == {"no date": 1, "no title": 1, "no url": 1}
    assert result.errors == ()


def test_duplicates_in_a_feed_share_a_content_hash() -> None:
    result = parse_feed(_read("rss_symbol.xml"), symbols=("AAPL",), seen_at=SEEN, fixed=True)
    assert result.items[0].content_hash == result.items[1].content_hash


def test_a_global_feed_entry_is_about_the_symbols_it_names() -> None:
    result = parse_feed(_read("atom_global.xml"), symbols=("AAPL", "MSFT"), seen_at=SEEN)
    (item,) = result.items
    assert item.symbols == frozenset({"AAPL", "MSFT"})
    assert item.published_at == datetime(2024, 1, 3, 9, tzinfo=UTC)
    assert result.skipped_by_reason() == {"no symbol": 1}


def test_an_html_page_is_an_error_not_a_crash() -> None:
    result = parse_feed(_read("page.html"), symbols=("AAPL",), seen_at=SEEN, fixed=True)
    assert result.items == ()
    assert result.errors == ("not an RSS/Atom feed",)


def test_malformed_xml_is_an_error_and_its_partial_entry_is_skipped() -> None:
    result = parse_feed(_read("malformed.xml"), symbols=("AAPL",), seen_at=SEEN, fixed=True)
    assert result.items == ()
    (error,) = result.errors
    assert error.startswith("malformed feed: ")
    assert result.skipped_by_reason() == {"no title": 1}


def test_a_well_formed_feed_has_no_error() -> None:
    result = parse_feed(_read("atom_global.xml"), symbols=("AAPL",), seen_at=SEEN)
    assert result.errors == ()


def test_the_source_reads_global_and_symbol_feeds_and_reports_failures() -> None:
    files = {
        "https://feeds.test/markets": "atom_global.xml",
        "https://feeds.test/aapl": "rss_symbol.xml",
        "https://feeds.test/down": None,
        "https://feeds.test/html": "page.html",
    }

    def download(url: str) -> bytes:
        name = files[url]
        if name is None:
            raise OSError("connection refused")
        return _read(name)

    source = RssSource(
        now=lambda: SEEN,
        feeds=("https://feeds.test/markets", "https://feeds.test/down"),
        symbol_feeds={"AAPL": ("https://feeds.test/aapl", "https://feeds.test/html")},
        download=download,
    )
    result = source.fetch(("AAPL", "MSFT"), since=None)
    assert len(result.items) == 3
    assert result.errors == (
        "https://feeds.test/down: OSError: connection refused",
        "https://feeds.test/html: not an RSS/Atom feed",
    )


def test_since_filters_older_items_with_a_counted_reason() -> None:
    source = RssSource(
        now=lambda: SEEN,
        symbol_feeds={"AAPL": ("https://feeds.test/aapl",)},
        download=lambda _url: _read("rss_symbol.xml"),
    )
    result = source.fetch(("AAPL",), since=datetime(2024, 1, 2, 15, tzinfo=UTC))
    assert [item.title for item in result.items] == ["apple BEATS estimates"]
    assert result.skipped_by_reason()["before since"] == 1
