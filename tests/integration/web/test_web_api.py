"""The JSON API answers what the CLI shows, from the same services (the demo ledger)."""

from __future__ import annotations

from decimal import Decimal

import httpx

from trademind.db.session import Database


async def test_portfolio_holdings_and_performance(open_client: httpx.AsyncClient) -> None:
    summary = (await open_client.get("/api/v1/portfolio", params={"account": "demo"})).json()
    assert summary["account"]["name"] == "demo"
    assert summary["fills"] == 4
    holdings = (await open_client.get("/api/v1/portfolio/holdings")).json()
    assert [row["symbol"] for row in holdings["holdings"]] == ["AAPL"]
    assert Decimal(holdings["holdings"][0]["quantity"]) == 6
    performance = await open_client.get("/api/v1/portfolio/performance", params={"days": 0})
    assert performance.status_code == 422


async def test_trades_list_and_show_with_the_order(open_client: httpx.AsyncClient) -> None:
    listed = (await open_client.get("/api/v1/trades", params={"limit": 2})).json()
    assert [trade["symbol"] for trade in listed["trades"]] == ["MSFT", "AAPL"]
    first = listed["trades"][-1]["id"]
    detail = (await open_client.get(f"/api/v1/trades/{first}")).json()
    assert detail["trade"]["id"] == first
    assert detail["order"]["client_order_id"] == "o3"
    missing = await open_client.get("/api/v1/trades/999999")
    assert missing.status_code in {400, 404}
    assert "999999" in missing.json()["detail"]


async def test_decisions_costs_and_data_status_answer_empty(open_client: httpx.AsyncClient) -> None:
    decisions = (await open_client.get("/api/v1/decisions")).json()
    assert decisions["decisions"] == []
    costs = (await open_client.get("/api/v1/agents/costs", params={"days": 3})).json()
    assert costs["calls"] == 0
    assert (await open_client.get("/api/v1/data/status")).json() == []


async def test_openapi_is_served(open_client: httpx.AsyncClient) -> None:
    spec = (await open_client.get("/api/v1/openapi.json")).json()
    assert "/api/v1/trades/{trade_id}" in spec["paths"]
    assert spec["info"]["title"] == "TradeMind"


async def test_safety_limits_and_live_breakers(open_client: httpx.AsyncClient) -> None:
    from trademind.agents.llm.breaker import CircuitBreaker
    from trademind.core.clock import TestClock

    limits = (await open_client.get("/api/v1/safety/limits")).json()
    rules = {rule["rule"]: rule for rule in limits["rules"]}
    assert rules["beta_adjusted_size"]["enabled"] is False
    assert rules["beta_adjusted_size"]["off_because"] == "safety.benchmark_symbol is not set"
    breaker = CircuitBreaker(1, 60.0, TestClock(), label="glm-4.7 at api-test.invalid")
    breaker.record_failure()
    listed = (await open_client.get("/api/v1/agents/breakers")).json()
    mine = [b for b in listed if b["label"] == "glm-4.7 at api-test.invalid"]
    assert [(b["state"], b["consecutive_failures"]) for b in mine] == [("open", 1)]


async def test_health_answers_before_the_sessions_account_exists(database: Database) -> None:
    from dataclasses import replace

    from support.web_app import make_context, web_client

    from trademind.web.context import LoopStatus

    status = LoopStatus(account="not-yet", mode="replay", broker_connected=False,
                        last_bar_at=None, running=True)  # fmt: skip
    context = replace(make_context(database), loop_status=lambda: status)
    async with web_client(context) as client:
        health = (await client.get("/health")).json()
    assert health["loop"]["account"] == "not-yet"
    assert health["loop"]["trading_state"] is None
