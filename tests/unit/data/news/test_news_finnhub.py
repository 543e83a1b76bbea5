"""The Finnhub company-news adapter over ``httpx.MockTransport`` (no network): the request it
sends (key in a header, never in the URL), the entries it keeps and skips, and one error line
per failing symbol."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from trademind.data.news.finnhub import KEY_HEADER, FinnhubNewsSource

NOW = datetime(2024, 1, 5, 12, tzinfo=UTC)
KEY = "finnhub-secret-key-123"
ENTRIES: list[Any] = [
    {
        "headline": "Apple beats estimates",
        "summary": "<b>Strong</b> iPhone sales.",
        "url": "https://news.test/apple-1",
        "source": "Reuters",
        "datetime": 1704373200,
        "related": "AAPL",
    },
    {"headline": "No date", "url": "https://news.test/2"},
    {"headline": "Bad date", "url": "https://news.test/3", "datetime": "yesterday"},
    {"headline": "", "url": "https://news.test/4", "datetime": 1704373200},
    {"headline": "No url", "datetime": 1704373200},
    "not an object",
]


def _source(handler: Callable[[httpx.Request], httpx.Response]) -> FinnhubNewsSource:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return FinnhubNewsSource(now=lambda: NOW, api_key=KEY, http=client, lookback_days=3)


def test_entries_become_items_and_the_rest_is_counted() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=ENTRIES)

    result = _source(handler).fetch(["AAPL"], None)
    (item,) = result.items
    assert item.title == "Apple beats estimates"
    assert item.summary == "Strong iPhone sales."
    assert item.symbols == frozenset({"AAPL"})
    assert item.source == "finnhub"
    assert item.published_at == datetime(2024, 1, 4, 13, tzinfo=UTC)
    assert item.first_seen_at == NOW
    assert result.skipped_by_reason() == {"no date": 2, "no title": 1, "no url": 1, "invalid": 1}
    (request,) = requests
    assert request.url.path == "/api/v1/company-news"
    assert dict(request.url.params) == {"symbol": "AAPL", "from": "2024-01-02", "to": "2024-01-05"}
    assert request.headers[KEY_HEADER] == KEY
    assert KEY not in str(request.url)


def test_since_sets_the_range_and_drops_older_items() -> None:
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.url.params))
        return httpx.Response(200, json=ENTRIES[:1])

    result = _source(handler).fetch(["AAPL"], datetime(2024, 1, 4, 14, tzinfo=UTC))
    assert seen[0]["from"] == "2024-01-04"
    assert result.items == ()
    assert result.skipped_by_reason() == {"before since": 1}


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(401, json={"error": "Invalid API key"}), "AAPL: key refused (HTTP 401)"),
        (httpx.Response(429, json={}), "AAPL: rate limited (HTTP 429)"),
        (httpx.Response(502, text="bad gateway"), "AAPL: HTTP 502"),
        (
            httpx.Response(200, text="<html><body>Login</body></html>"),
            "AAPL: not a JSON list (the answer is not JSON)",
        ),
        (httpx.Response(200, json={"error": "x"}), "AAPL: not a JSON list (got a JSON dict)"),
    ],
)
def test_a_failing_symbol_is_one_error_line(response: httpx.Response, error: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["symbol"] == "MSFT":
            return httpx.Response(200, json=ENTRIES[:1])
        return response

    result = _source(handler).fetch(["AAPL", "MSFT"], None)
    assert result.errors == (error,)
    assert [item.symbols for item in result.items] == [frozenset({"MSFT"})]


def test_a_timeout_is_an_error_line_without_the_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    result = _source(handler).fetch(["AAPL"], None)
    assert result.errors == ("AAPL: timed out",)
    assert KEY not in " ".join(result.errors)
