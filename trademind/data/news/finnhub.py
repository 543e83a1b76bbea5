"""Finnhub's company news (an HTTP news API with a key), behind the news source port.

One request per symbol: ``GET {base_url}/company-news?symbol=SYM&from=YYYY-MM-DD&to=YYYY-MM-DD``
with the key in the ``X-Finnhub-Token`` header (never in the URL, so no error line or log can
carry it). ``from`` is ``since``'s UTC date when given, else ``lookback_days`` before today;
``to`` is today (UTC). The answer is a JSON list of objects ``{"headline", "summary", "url",
"source", "datetime": epoch seconds, "related"}``; each entry is about the symbol asked.

A symbol whose request fails is one error line ``SYMBOL: <reason>``: HTTP 401/403 (``key
refused``), 429 (``rate limited``), another status, a timeout, an answer that is not a JSON list
(an HTML page: ``not a JSON list``). Entries without a headline, url or date are skipped with
the reason counted, as in the other adapters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from trademind.data.news.entries import build_item
from trademind.data.news.items import FetchResult, NewsItem, Skipped

NAME = "finnhub"
KEY_HEADER = "X-Finnhub-Token"
_TIMEOUT_SECONDS = 10.0


class NewsApiError(Exception):
    """One symbol's request failed; the message is the error line (never holds the key)."""


@dataclass
class FinnhubNewsSource:
    """Company news from Finnhub. ``http`` is the client (tests pass one over
    ``httpx.MockTransport``); ``now`` stamps first sightings and sets the date range."""

    now: Callable[[], datetime]
    api_key: str
    base_url: str = "https://finnhub.io/api/v1"
    lookback_days: int = 7
    http: httpx.Client | None = None
    name: str = NAME

    def fetch(self, symbols: Sequence[str], since: datetime | None) -> FetchResult:
        """The news of each of ``symbols`` published after ``since`` (module docstring)."""
        items: list[NewsItem] = []
        skipped: list[Skipped] = []
        errors: list[str] = []
        client = self.http or httpx.Client(timeout=_TIMEOUT_SECONDS)
        try:
            for symbol in symbols:
                try:
                    entries = self._entries(client, symbol, since)
                except NewsApiError as exc:
                    errors.append(f"{symbol}: {exc}")
                    continue
                for entry in entries:
                    built = self._item(symbol, entry, since)
                    (skipped if isinstance(built, Skipped) else items).append(built)  # type: ignore[arg-type]
        finally:
            if self.http is None:
                client.close()
        return FetchResult(self.name, tuple(items), tuple(skipped), tuple(errors))

    def _entries(self, client: httpx.Client, symbol: str, since: datetime | None) -> list[Any]:
        today = self.now().astimezone(UTC).date()
        start = since.astimezone(UTC).date() if since else today - timedelta(self.lookback_days)
        params = {"symbol": symbol, "from": start.isoformat(), "to": today.isoformat()}
        try:
            response = client.get(
                f"{self.base_url}/company-news",
                params=params,
                headers={KEY_HEADER: self.api_key},
            )
        except httpx.TimeoutException:
            raise NewsApiError("timed out") from None
        except httpx.HTTPError as exc:
            raise NewsApiError(f"request failed: {type(exc).__name__}") from None
        return _answer_entries(response)

    def _item(self, symbol: str, entry: Any, since: datetime | None) -> NewsItem | Skipped:
        if not isinstance(entry, dict):
            return Skipped("invalid", f"not an object: {type(entry).__name__}")
        built = build_item(
            symbols=frozenset({symbol}),
            title=_text(entry.get("headline")),
            url=_text(entry.get("url")),
            source=self.name,
            published_at=_epoch(entry.get("datetime")),
            first_seen_at=self.now(),
            summary=_text(entry.get("summary")),
        )
        if isinstance(built, NewsItem) and since is not None and built.published_at <= since:
            return Skipped("before since")
        return built


def _answer_entries(response: httpx.Response) -> list[Any]:
    status = response.status_code
    if status in {401, 403}:
        raise NewsApiError(f"key refused (HTTP {status})")
    if status == 429:
        raise NewsApiError("rate limited (HTTP 429)")
    if status != 200:
        raise NewsApiError(f"HTTP {status}")
    try:
        body = response.json()
    except ValueError:
        raise NewsApiError("not a JSON list (the answer is not JSON)") from None
    if not isinstance(body, list):
        raise NewsApiError(f"not a JSON list (got a JSON {type(body).__name__})")
    return body


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _epoch(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None
