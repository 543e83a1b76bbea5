"""RSS/Atom feeds through feedparser, behind the :class:`~trademind.data.news.items.NewsSource`
port.

:func:`parse_feed` turns a feed's bytes into items. A document feedparser does not recognise
as RSS or Atom (an HTML page, an error page, JSON) is an error ``not an RSS/Atom feed``; XML it
cannot parse is an error ``malformed feed: <reason>`` (the entries it could read before the
fault are kept). Each entry needs a title, an http(s) link and a date
(``published``, else ``updated``): without one it is skipped with the reason counted. The items
of a per-symbol feed (``news.symbol_feeds``) are about that symbol; an entry of a global feed
(``news.feeds``) is about the asked symbols its title or summary names (``AAPL`` or
``$AAPL`` as a word), and skipped as ``no symbol`` when it names none.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser  # type: ignore[import-untyped]

from trademind.data.news.entries import build_item, mentioned
from trademind.data.news.items import FetchResult, NewsItem, Skipped

Download = Callable[[str], bytes]


def _entry_date(entry: Any) -> datetime | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if stamp is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(stamp), tz=UTC)


def _feed_errors(parsed: Any) -> tuple[str, ...]:
    """``not an RSS/Atom feed`` for a document that is no feed; ``malformed feed: ...`` for a
    feed feedparser could only read in part (the entries it read are kept)."""
    if not parsed.get("version") and not parsed.entries:
        return ("not an RSS/Atom feed",)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if problem is None or isinstance(problem, feedparser.CharacterEncodingOverride):
        return ()
    return (f"malformed feed: {problem}",)


def parse_feed(
    content: bytes,
    *,
    symbols: Sequence[str],
    seen_at: datetime,
    source: str = "rss",
    fixed: bool = False,
) -> FetchResult:
    """The items of one feed document (module docstring). ``fixed``: every entry is about
    all ``symbols`` (a per-symbol feed); otherwise about the ``symbols`` it mentions."""
    parsed = feedparser.parse(content)
    errors = _feed_errors(parsed)
    if not parsed.entries:
        return FetchResult(source=source, errors=errors)
    items: list[NewsItem] = []
    skipped: list[Skipped] = []
    for entry in parsed.entries:
        title, summary = entry.get("title"), entry.get("summary")
        about = frozenset(symbols) if fixed else mentioned(symbols, title, summary)
        built = build_item(
            symbols=about,
            title=title,
            url=entry.get("link"),
            source=source,
            published_at=_entry_date(entry),
            first_seen_at=seen_at,
            summary=summary,
        )
        (skipped if isinstance(built, Skipped) else items).append(built)  # type: ignore[arg-type]
    return FetchResult(source, tuple(items), tuple(skipped), errors)


def http_download(url: str) -> bytes:
    """The body of ``url`` (10 s timeout, redirects followed); raises on an HTTP error."""
    from urllib.request import Request, urlopen

    request = Request(url, headers={"User-Agent": "TradeMind news"})  # noqa: S310 - http(s) checked
    with urlopen(request, timeout=10.0) as response:  # noqa: S310 - feeds are validated http(s)
        body: bytes = response.read()
    return body


@dataclass
class RssSource:
    """The configured feeds: ``feeds`` for every symbol, ``symbol_feeds`` per symbol.
    ``download`` reads a URL (tests give local files); ``now`` stamps first sightings."""

    now: Callable[[], datetime]
    feeds: Sequence[str] = ()
    symbol_feeds: Mapping[str, Sequence[str]] = field(default_factory=dict)
    download: Download = http_download
    name: str = "rss"

    def fetch(self, symbols: Sequence[str], since: datetime | None) -> FetchResult:
        """Every configured feed that concerns ``symbols``, read and parsed; a feed that fails
        is one error line (``URL: reason``), the others still read."""
        wanted = tuple(symbols)
        jobs = [(url, wanted, False) for url in self.feeds]
        for symbol in wanted:
            jobs.extend((url, (symbol,), True) for url in self.symbol_feeds.get(symbol, ()))
        results = [self._one(url, about, fixed) for url, about, fixed in jobs]
        return _combined(self.name, results, since)

    def _one(self, url: str, symbols: tuple[str, ...], fixed: bool) -> FetchResult:
        try:
            content = self.download(url)
        except Exception as exc:
            return FetchResult(source=self.name, errors=(f"{url}: {type(exc).__name__}: {exc}",))
        result = parse_feed(
            content, symbols=symbols, seen_at=self.now(), source=self.name, fixed=fixed
        )
        return FetchResult(
            source=self.name,
            items=result.items,
            skipped=result.skipped,
            errors=tuple(f"{url}: {error}" for error in result.errors),
        )


def _combined(name: str, results: Sequence[FetchResult], since: datetime | None) -> FetchResult:
    items = [item for result in results for item in result.items]
    skipped = [entry for result in results for entry in result.skipped]
    if since is not None:
        skipped.extend(Skipped("before since") for item in items if item.published_at <= since)
        items = [item for item in items if item.published_at > since]
    return FetchResult(
        source=name,
        items=tuple(items),
        skipped=tuple(skipped),
        errors=tuple(error for result in results for error in result.errors),
    )
