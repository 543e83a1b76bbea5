"""A replay's news read once: :class:`PreloadedNews` answers the store's point-in-time query
from memory.

A replay decides at past times over a fixed window. :meth:`PreloadedNews.load` reads each
symbol's articles known at the window's last decision time (``NewsStore.items(symbol, until,
days)``: published and first seen by then, published within ``days`` before it); anything
first seen later is invisible at every decision of the window. :meth:`PreloadedNews.items` then
applies the same rule as :meth:`~trademind.data.news.store.NewsStore.items` at any ``at`` up
to ``until`` (published and first seen at or before ``at``, published within ``days``, newest
first), without a query per symbol and bar. Asked about a later time, another symbol, no
``days`` or a reach before the loaded window, it reads the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from trademind.data.news.items import NewsItem, checked_symbol

if TYPE_CHECKING:
    from trademind.data.news.store import NewsStore


class PreloadedNews:
    """The news of some symbols up to ``until``, in memory (module docstring)."""

    def __init__(
        self,
        store: NewsStore,
        window: tuple[datetime, datetime],
        loaded: dict[str, tuple[NewsItem, ...]],
    ) -> None:
        self._store = store
        self._since, self._until = window
        self._loaded = loaded

    @classmethod
    def load(
        cls, store: NewsStore, symbols: Iterable[str], until: datetime, days: float
    ) -> PreloadedNews:
        """The articles of ``symbols`` known at ``until``, published within ``days`` before."""
        loaded = {checked_symbol(s): store.items(s, until, days) for s in symbols}
        return cls(store, (until - timedelta(days=days), until), loaded)

    def items(self, symbol: str, at: datetime, days: float | None = None) -> tuple[NewsItem, ...]:
        """As :meth:`NewsStore.items` (newest first)."""
        wanted = checked_symbol(symbol)
        loaded = self._loaded.get(wanted)
        oldest = None if days is None else at - timedelta(days=days)
        if loaded is None or at > self._until or oldest is None or oldest < self._since:
            return self._store.items(wanted, at, days)
        return tuple(
            item
            for item in loaded
            if item.published_at <= at and item.first_seen_at <= at and item.published_at > oldest
        )
