"""The news item value, its content hash, and the port every news source implements.

A :class:`NewsItem` is validated when built: a non-empty title, an http(s) URL, a tz-aware
``published_at`` and ``first_seen_at`` (``first_seen_at`` not before ``published_at`` is *not*
required: a feed may show an article before its stated date), at least one upper-case symbol.
An item without a publication date is refused (adapters skip it with the reason
``no date``): dating it by its first sighting would make an old article re-listed by a feed look
fresh. Two items are the same article when their :func:`content_hash` is equal.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from trademind.core.errors import ValidationError

_SPACES = re.compile(r"\s+")
_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9.\-^=]{0,31}$")


def normalised_title(title: str) -> str:
    """``title`` case-folded with its white space collapsed."""
    return _SPACES.sub(" ", title).strip().casefold()


def normalised_url(url: str) -> str:
    """``url`` with a lower-case scheme and host, no fragment and no trailing slash."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def content_hash(title: str, url: str) -> str:
    """SHA-256 (hex) of the normalised title and URL: the identity of an article."""
    text = f"{normalised_title(title)}\n{normalised_url(url)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def checked_url(url: str) -> str:
    """``url`` stripped, or :class:`ValidationError` when it is not an http(s) URL."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ValidationError(f"not an http(s) URL: {text[:200]!r}")
    return text


def checked_symbol(symbol: str) -> str:
    """``symbol`` upper-cased, or :class:`ValidationError` when it is not a ticker."""
    text = symbol.strip().upper()
    if not _SYMBOL.match(text):
        raise ValidationError(f"not a symbol: {symbol[:40]!r}")
    return text


def _aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(f"{name} has no time zone: {moment.isoformat()}")


@dataclass(frozen=True, slots=True, kw_only=True)
class NewsItem:
    """One article about ``symbols`` (see the module docstring for what is validated)."""

    symbols: frozenset[str]
    title: str
    url: str
    source: str
    published_at: datetime
    first_seen_at: datetime
    summary: str | None = None

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ValidationError("a news item needs a title")
        checked_url(self.url)
        if not self.source.strip():
            raise ValidationError("a news item needs a source")
        if not self.symbols:
            raise ValidationError("a news item needs at least one symbol")
        for symbol in self.symbols:
            if checked_symbol(symbol) != symbol:
                raise ValidationError(f"symbols are upper-case tickers: {symbol!r}")
        _aware("published_at", self.published_at)
        _aware("first_seen_at", self.first_seen_at)

    @property
    def content_hash(self) -> str:
        """The article's identity: :func:`content_hash` of its title and URL."""
        return content_hash(self.title, self.url)


@dataclass(frozen=True, slots=True)
class Skipped:
    """An entry a source could not turn into a :class:`NewsItem`, and why."""

    reason: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch of one source gave: the items, the skipped entries, and the errors that
    stopped part of the fetch (a feed that could not be read: one line each)."""

    source: str
    items: tuple[NewsItem, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    errors: tuple[str, ...] = field(default=())

    def skipped_by_reason(self) -> dict[str, int]:
        """How many entries were skipped, per reason."""
        counts: dict[str, int] = {}
        for entry in self.skipped:
            counts[entry.reason] = counts.get(entry.reason, 0) + 1
        return counts


class NewsSource(Protocol):
    """A source of news: a feed set, a data vendor, a news API."""

    @property
    def name(self) -> str:
        """The source's name (``rss``, ``yfinance``)."""
        ...

    def fetch(self, symbols: Sequence[str], since: datetime | None) -> FetchResult:
        """The items about ``symbols`` published after ``since`` (all it has when None).
        Never raises for a bad feed or entry: those are errors and skips of the result."""
        ...
