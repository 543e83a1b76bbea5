"""The API's sectors, data verify, sentiment history and LLM calls, over the demo ledger with
agent activity and a short AAPL series (tests/support/agent_activity.py)."""

from __future__ import annotations

import httpx
import pytest
from support.agent_activity import write_agent_activity

from trademind.db.session import Database


@pytest.fixture(autouse=True)
def _activity(database: Database) -> None:
    write_agent_activity(database)


async def test_sectors_of_the_held_positions(open_client: httpx.AsyncClient) -> None:
    answer = (await open_client.get("/api/v1/portfolio/sectors", params={"account": "demo"})).json()
    assert answer["account"]["name"] == "demo"
    assert [row["symbols"] for row in answer["sectors"]] == [["AAPL"]]
    assert answer["sectors"][0]["sector"] != ""
    unknown = await open_client.get("/api/v1/portfolio/sectors", params={"account": "nobody"})
    assert unknown.status_code == 400
    assert "nobody" in unknown.json()["detail"]


async def test_data_verify_names_the_weekend_bar(open_client: httpx.AsyncClient) -> None:
    issues = (await open_client.get("/api/v1/data/verify")).json()
    assert issues
    assert {issue["symbol"] for issue in issues} == {"AAPL"}
    assert any(issue["ts"] and issue["ts"].startswith("2024-01-06") for issue in issues)
    only_aapl = await open_client.get("/api/v1/data/verify", params={"symbol": "aapl"})
    assert only_aapl.json() == issues
    missing = await open_client.get("/api/v1/data/verify", params={"symbol": ["AAPL", "ZZZZ"]})
    assert missing.status_code == 404
    assert "ZZZZ" in missing.json()["detail"]
    other_interval = await open_client.get("/api/v1/data/verify", params={"interval": "1h"})
    assert other_interval.status_code == 404
    bad = await open_client.get("/api/v1/data/verify", params={"interval": "2d"})
    assert bad.status_code == 422


async def test_sentiment_history_newest_first(open_client: httpx.AsyncClient) -> None:
    readings = (await open_client.get("/api/v1/agents/sentiment")).json()
    assert [(r["symbol"], r["label"], r["abstention_reason"]) for r in readings] == [
        ("MSFT", None, "no news"),
        ("AAPL", "positive", None),
    ]
    aapl = (await open_client.get("/api/v1/agents/sentiment", params={"symbol": "aapl"})).json()
    assert [r["score"] for r in aapl] == [0.6]
    one = await open_client.get("/api/v1/agents/sentiment", params={"limit": 1})
    assert len(one.json()) == 1
    too_many = await open_client.get("/api/v1/agents/sentiment", params={"limit": 10_001})
    assert too_many.status_code == 422


async def test_llm_calls_and_what_they_say_of_the_breaker(open_client: httpx.AsyncClient) -> None:
    answer = (await open_client.get("/api/v1/agents/llm-calls")).json()
    assert [call["outcome"] for call in answer["calls"]] == [
        "parse_error",
        "breaker_open",
        "timeout",
        "http_error",
        "ok",
        "timeout",
    ]
    assert answer["failed_in_a_row"] == 3
    assert answer["refused_by_breaker"] == 1
    assert answer["last_refused_at"].startswith("2024-01-04T15:04")
    assert "state" not in answer  # the server holds no breaker: no state is claimed
    two = (await open_client.get("/api/v1/agents/llm-calls", params={"limit": 2})).json()
    assert [call["outcome"] for call in two["calls"]] == ["parse_error", "breaker_open"]
    assert two["failed_in_a_row"] == 1
