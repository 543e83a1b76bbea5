"""Shared helpers of the news adapters: plain text out of HTML, symbols mentioned in a text,
and building a :class:`NewsItem` from loose fields or a counted :class:`Skipped` reason."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import datetime

from trademind.core.errors import ValidationError
from trademind.data.news.items import NewsItem, Skipped, checked_url

_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def plain_text(text: str | None) -> str | None:
    """``text`` without HTML tags and entities, white space collapsed (None when empty)."""
    if not text:
        return None
    plain = _SPACES.sub(" ", html.unescape(_TAGS.sub(" ", text))).strip()
    return plain or None


def mentioned(symbols: Iterable[str], *texts: str | None) -> frozenset[str]:
    """The ``symbols`` that appear as whole words (``AAPL`` or ``$AAPL``) in ``texts``."""
    joined = " ".join(text for text in texts if text)
    return frozenset(
        symbol
        for symbol in symbols
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(symbol)}(?![A-Za-z0-9])", joined)
    )


def build_item(  # noqa: PLR0911 - each missing field is its own reason
    *,
    symbols: frozenset[str],
    title: str | None,
    url: str | None,
    source: str,
    published_at: datetime | None,
    first_seen_at: datetime,
    summary: str | None,
) -> NewsItem | Skipped:
    """The item these fields make, or why they make none (``no title``, ``no url``,
    ``bad url``, ``no date``, ``no symbol``, ``invalid``)."""
    clean_title = plain_text(title)
    if clean_title is None:
        return Skipped("no title")
    if not url or not url.strip():
        return Skipped("no url", clean_title[:80])
    try:
        checked_url(url)
    except ValidationError:
        return Skipped("bad url", url[:120])
    if published_at is None:
        return Skipped("no date", clean_title[:80])
    if not symbols:
        return Skipped("no symbol", clean_title[:80])
    try:
        return NewsItem(
            symbols=symbols,
            title=clean_title,
            url=url.strip(),
            source=source,
            published_at=published_at,
            first_seen_at=first_seen_at,
            summary=plain_text(summary),
        )
    except ValidationError as exc:
        return Skipped("invalid", str(exc))
