"""The news settings: feeds must be http(s), per-symbol feeds keyed by upper-case symbols."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from trademind.config.sections_news import NewsSettings


def test_the_defaults_read_no_network_source() -> None:
    settings = NewsSettings()
    assert settings.sources == ["rss"]
    assert settings.feeds == []
    assert settings.symbol_feeds == {}


def test_valid_feeds_are_kept() -> None:
    settings = NewsSettings(
        sources=["yfinance", "rss"],
        feeds=["https://feeds.test/markets"],
        symbol_feeds={"AAPL": ["http://feeds.test/aapl"]},
    )
    assert settings.symbol_feeds["AAPL"] == ["http://feeds.test/aapl"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"feeds": ["ftp://feeds.test/x"]}, "must be an http:// or https:// URL"),
        ({"feeds": ["feeds.test/x"]}, "must be an http:// or https:// URL"),
        ({"symbol_feeds": {"aapl": ["https://feeds.test"]}}, "upper-case ticker"),
        ({"symbol_feeds": {"AAPL": ["file:///etc/passwd"]}}, "must be an http"),
        ({"sources": ["rss", "rss"]}, "listed once"),
        ({"sources": ["twitter"]}, "rss"),
    ],
)
def test_bad_values_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        NewsSettings(**fields)  # type: ignore[arg-type]
