"""Every dashboard page renders from the demo ledger, with no inline script (the CSP forbids
them) and the CSRF token in its forms; the strategy form validates before it writes."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from trademind.db.session import Database
from trademind.web.security import CSRF_COOKIE

PAGES = ("/", "/holdings", "/trades", "/trades/1", "/strategies", "/agents", "/safety",
         "/backtests", "/data", "/config", "/logs", "/partials/summary", "/partials/positions",
         "/partials/orders", "/partials/state", "/partials/decisions")  # fmt: skip
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_renders_without_inline_script(
    open_client: httpx.AsyncClient, path: str
) -> None:
    response = await open_client.get(path, params={"account": "demo"})
    assert response.status_code == 200, response.text[:500]
    assert "text/html" in response.headers["content-type"]
    assert not INLINE_SCRIPT.search(response.text)
    assert not INLINE_HANDLER.search(response.text)
    assert "Traceback" not in response.text


async def test_pages_show_the_ledger(open_client: httpx.AsyncClient) -> None:
    positions = (await open_client.get("/partials/positions", params={"account": "demo"})).text
    assert "AAPL" in positions
    assert "MSFT" not in positions
    trade = (await open_client.get("/trades/1")).text
    assert "decision-o1" in trade or "No decision was logged" in trade


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "trademind" / "config.yaml"  # created from the template on write


async def test_the_strategy_form_validates_then_writes(
    open_client: httpx.AsyncClient, config_file: Path
) -> None:
    await open_client.get("/strategies")
    token = open_client.cookies[CSRF_COOKIE]
    headers = {"HX-Request": "true"}
    bad = await open_client.post(
        "/strategies/ma_crossover/params",
        data={"csrf_token": token, "fast": "60", "slow": "50"},
        headers=headers,
    )
    assert bad.status_code == 200
    assert 'data-testid="error-ma_crossover"' in bad.text
    assert not config_file.exists()
    good = await open_client.post(
        "/strategies/ma_crossover/params",
        data={"csrf_token": token, "fast": "12", "slow": "40"},
        headers=headers,
    )
    assert 'data-testid="saved-ma_crossover"' in good.text
    assert "fast: 12" in config_file.read_text()
    forged = await open_client.post(
        "/strategies/ma_crossover/params", data={"csrf_token": "x" * 43, "fast": "13"}
    )
    assert forged.status_code == 403
    assert "fast: 12" in config_file.read_text()


async def test_the_agents_page_shows_the_sentiment_history(
    open_client: httpx.AsyncClient, database: Database
) -> None:
    from datetime import UTC, datetime

    from trademind.core.sentiment_history import SentimentReading
    from trademind.db.sentiment_history import SentimentHistoryRepository

    at = datetime(2024, 1, 3, 21, tzinfo=UTC)
    repository = SentimentHistoryRepository(database)
    repository.add(SentimentReading(symbol="AAPL", decided_at=at, computed_at=at, model="llm",
                                    source="fallback", label="negative", score=-0.4,
                                    confidence=0.24, key_factors=("momentum -3.1%",)))  # fmt: skip
    repository.add(SentimentReading(symbol="AAPL", decided_at=at, computed_at=at, model="llm",
                                    source="llm", label=None, score=None, confidence=None,
                                    abstention_reason="no news for AAPL"))  # fmt: skip
    page = (await open_client.get("/agents", params={"symbol": "aapl"})).text
    assert "momentum -3.1%" in page
    assert "no news for AAPL" in page
    readings = re.search(r'data-readings="([^"]*)"', page)
    assert readings is not None
    assert "&#34;source&#34;: &#34;fallback&#34;" in readings.group(1)  # escaped JSON, one point
    assert "abstained" not in readings.group(1)


async def test_the_safety_page_shows_var_or_why_not(
    open_client: httpx.AsyncClient, database: Database
) -> None:
    import numpy as np
    import pandas as pd

    from trademind.data.store import BarStore

    page = (await open_client.get("/safety", params={"account": "demo"})).text
    assert 'data-testid="var-note"' in page  # AAPL is held, but no bars are stored
    assert "not measurable" in page
    days = pd.bdate_range("2023-06-01", "2024-01-03", tz="UTC")
    closes = 100 * np.cumprod(1 + np.random.default_rng(7).normal(0, 0.01, len(days)))
    prices = dict.fromkeys(("open", "high", "low", "close"), closes)
    frame = pd.DataFrame({"ts": days, **prices, "volume": 1e6})
    BarStore(database).write("AAPL", "1d", "csv", frame, now=days[-1].to_pydatetime())
    page = (await open_client.get("/safety", params={"account": "demo"})).text
    assert 'data-testid="var"' in page
    assert page.count("<td>historical</td>") == 2
    assert page.count("<td>parametric</td>") == 2


async def test_an_order_links_its_decision_and_an_unlogged_one_is_a_clear_400(
    open_client: httpx.AsyncClient,
) -> None:
    trades = (await open_client.get("/trades", params={"account": "demo"})).text
    assert '<a href="/decisions/decision-o1?account=demo">' in trades
    answer = await open_client.get("/decisions/decision-o1", params={"account": "demo"})
    assert answer.status_code == 400
    assert "no decision 'decision-o1' is logged for demo" in answer.text
    tricky = await open_client.get("/decisions/..%2F..%2Fetc%2Fpasswd")
    assert tricky.status_code in {404, 422}
