"""Settings of the news sources (`trademind news fetch`): feeds, per-symbol feeds, adapters."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from trademind.config.base import Section

_UPPER_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9.-]{0,19}$")

NewsSourceName = Literal["rss", "yfinance", "finnhub"]


def _default_sources() -> list[NewsSourceName]:
    return ["rss"]


def _checked_feed(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"{url!r} must be an http:// or https:// URL")
    return url


class NewsSettings(Section):
    """Where `trademind news fetch` reads news from."""

    sources: list[NewsSourceName] = Field(
        default_factory=_default_sources,
        description="News adapters `news fetch` runs, in order: 'rss' (news.feeds and "
        "news.symbol_feeds), 'yfinance' (Yahoo Finance news per symbol, network) and 'finnhub' "
        "(Finnhub company news per symbol, network, needs news.finnhub_api_key).",
    )
    feeds: list[str] = Field(
        default_factory=list,
        description="RSS/Atom feed URLs read for every symbol (http/https); an entry is about "
        "the fetched symbols its title or summary names (AAPL or $AAPL).",
    )
    symbol_feeds: dict[str, list[str]] = Field(
        default_factory=dict,
        description="RSS/Atom feed URLs per upper-case symbol (http/https); every entry of such "
        "a feed is about that symbol.",
    )

    finnhub_api_key: SecretStr | None = Field(
        default=None,
        description="Finnhub API key, sent in the X-Finnhub-Token header. Secret: set "
        "TRADEMIND__NEWS__FINNHUB_API_KEY. Required when news.sources lists 'finnhub'.",
    )
    finnhub_base_url: str = Field(
        default="https://finnhub.io/api/v1",
        description="Base URL of the Finnhub API (…/company-news is appended).",
    )
    finnhub_lookback_days: int = Field(
        default=7,
        ge=1,
        le=365,
        description="Days of Finnhub company news asked for by `news fetch` (published from "
        "that many days before today, UTC).",
    )

    @field_validator("finnhub_base_url")
    @classmethod
    def _http_base_url(cls, url: str) -> str:
        return _checked_feed(url).rstrip("/")

    @field_validator("sources")
    @classmethod
    def _distinct_sources(cls, sources: list[NewsSourceName]) -> list[NewsSourceName]:
        if len(set(sources)) != len(sources):
            raise ValueError("each news source may be listed once")
        return sources

    @field_validator("feeds")
    @classmethod
    def _http_feeds(cls, feeds: list[str]) -> list[str]:
        return [_checked_feed(url) for url in feeds]

    @field_validator("symbol_feeds")
    @classmethod
    def _symbol_feeds(cls, feeds: dict[str, list[str]]) -> dict[str, list[str]]:
        for symbol, urls in feeds.items():
            if not _UPPER_SYMBOL.match(symbol):
                raise ValueError(
                    f"feed symbol {symbol!r} must be an upper-case ticker "
                    f"(letters, digits, '.' and '-'), e.g. {symbol.strip().upper()!r}"
                )
            for url in urls:
                _checked_feed(url)
        return feeds
