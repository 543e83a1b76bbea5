"""Yahoo Finance news through yfinance, behind the news source port.

``Ticker(symbol).news`` answers a list of dicts in one of two shapes: the current one
(``{"id", "content": {"title", "summary", "pubDate": ISO-8601, "canonicalUrl": {"url"},
"clickThroughUrl": {"url"}, "provider": {"displayName"}}}``) and the older one (``{"title",
"link", "publisher", "providerPublishTime": epoch seconds}``); both are read. An entry is
about the symbol it was asked for. Entries without a title, link or date are skipped with the
reason counted; a symbol whose request fails is one error line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trademind.data.news.entries import build_item
from trademind.data.news.items import FetchResult, NewsItem, Skipped

TickerNews = Callable[[str], list[dict[str, Any]]]


def yfinance_news(symbol: str) -> list[dict[str, Any]]:
    """The news yfinance gives for ``symbol`` (network)."""
    import yfinance

    news = yfinance.Ticker(symbol).news
    return list(news or [])


def _date(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo is not None else None
    return None


def _url(content: dict[str, Any]) -> str | None:
    for key in ("canonicalUrl", "clickThroughUrl"):
        holder = content.get(key)
        if isinstance(holder, dict) and isinstance(holder.get("url"), str):
            return str(holder["url"])
    link = content.get("link")
    return link if isinstance(link, str) else None


def _fields(entry: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """(title, url, published_at, summary) of either shape."""
    content = entry.get("content")
    if isinstance(content, dict):
        return (
            content.get("title"),
            _url(content),
            _date(content.get("pubDate")),
            (content.get("summary") or content.get("description")),
        )
    return (
        entry.get("title"),
        _url(entry),
        _date(entry.get("providerPublishTime")),
        (entry.get("summary")),
    )


def _before(item: NewsItem, since: datetime | None) -> bool:
    return since is not None and item.published_at <= since


@dataclass
class YahooNewsSource:
    """Yahoo news per symbol; ``news`` is yfinance (tests give a fake), ``now`` the clock."""

    now: Callable[[], datetime]
    news: TickerNews = yfinance_news
    name: str = "yfinance"

    def fetch(self, symbols: Sequence[str], since: datetime | None) -> FetchResult:
        """The news of each of ``symbols`` published after ``since``."""
        items: list[NewsItem] = []
        skipped: list[Skipped] = []
        errors: list[str] = []
        for symbol in symbols:
            try:
                entries = self.news(symbol)
            except Exception as exc:
                errors.append(f"{symbol}: {type(exc).__name__}: {exc}")
                continue
            for entry in entries:
                built = self._item(symbol, entry)
                if (
                    isinstance(built, NewsItem)
                    and since is not None
                    and built.published_at <= since
                ):
                    built = Skipped("before since")
                (skipped if isinstance(built, Skipped) else items).append(built)  # type: ignore[arg-type]
        return FetchResult(self.name, tuple(items), tuple(skipped), tuple(errors))

    def _item(self, symbol: str, entry: Any) -> NewsItem | Skipped:
        if not isinstance(entry, dict):
            return Skipped("invalid", f"not an object: {type(entry).__name__}")
        title, url, published, summary = _fields(entry)
        return build_item(
            symbols=frozenset({symbol}),
            title=title if isinstance(title, str) else None,
            url=url,
            source=self.name,
            published_at=published,
            first_seen_at=self.now(),
            summary=summary if isinstance(summary, str) else None,
        )
