"""The circuit breaker (closed, open, half-open with one probe) and the daily budget, through
the client against the fake server."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from support.llm_client import Harness

from trademind.agents.llm import BreakerState, ChatMessage, CircuitBreaker
from trademind.core.clock import TestClock
from trademind.core.errors import LlmUnavailableError
from trademind.core.llm_calls import LlmCall, LlmOutcome
from trademind.testing.fake_llm import json_answer, server_error

MESSAGES = (ChatMessage("user", "MSFT guidance cut"),)


async def _fail(client: object) -> LlmUnavailableError:
    with pytest.raises(LlmUnavailableError) as caught:
        await client.complete(MESSAGES, purpose="sentiment")  # type: ignore[attr-defined]
    return caught.value


async def test_the_breaker_opens_refuses_half_opens_and_closes(harness: Harness) -> None:
    harness.server.script(*[server_error()] * 3)
    async with harness.client(max_retries=0, breaker_failures=3) as client:
        for _ in range(3):
            await _fail(client)
        assert client.breaker.state is BreakerState.OPEN
        refused = await _fail(client)
        assert (refused.reason, refused.outcome) == ("circuit breaker open", "breaker_open")
        assert len(harness.server.requests) == 3  # refused without calling

        harness.clock.advance(59)
        await _fail(client)
        assert len(harness.server.requests) == 3

        harness.clock.advance(1)  # cool-down of 60 s over: one probe
        assert client.breaker.state is BreakerState.HALF_OPEN
        harness.server.script(json_answer({"ok": 1}))
        answer = await client.complete(MESSAGES, purpose="sentiment")
        assert answer.attempts == 1
        assert client.breaker.state is BreakerState.CLOSED
    assert harness.outcomes() == ["http_error"] * 3 + ["breaker_open"] * 2 + ["ok"]


async def test_a_failed_probe_opens_the_breaker_again_without_retrying(harness: Harness) -> None:
    harness.server.script(*[server_error()] * 2)
    async with harness.client(max_retries=3, breaker_failures=1) as client:
        client.breaker.record_failure()  # opened
        harness.clock.advance(60)
        await _fail(client)  # the probe: one attempt, no retries
        assert len(harness.server.requests) == 1
        assert client.breaker.state is BreakerState.OPEN
        assert (await _fail(client)).outcome == LlmOutcome.BREAKER_OPEN


def test_only_one_probe_at_a_time_in_half_open() -> None:
    clock = TestClock()
    breaker = CircuitBreaker(threshold=2, cooldown=10, clock=clock)
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.try_acquire()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.try_acquire()
    assert breaker.seconds_until_probe() == 10
    clock.advance(10)
    assert breaker.try_acquire()  # the probe
    assert not breaker.try_acquire()  # a second caller while it runs
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.consecutive_failures == 0


def test_a_success_resets_the_count_of_consecutive_failures() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown=10, clock=TestClock())
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED


def _spent(harness: Harness, when: datetime, cost: str) -> None:
    harness.ledger.record(
        LlmCall(called_at=when, model="glm-4.7", purpose="sentiment",
                outcome=LlmOutcome.OK, cost_usd=Decimal(cost))
    )  # fmt: skip


async def test_over_budget_no_call_is_made_and_the_refusal_is_recorded(harness: Harness) -> None:
    _spent(harness, harness.clock.now(), "0.60")
    _spent(harness, harness.clock.now(), "0.40")
    async with harness.client(daily_budget_usd=1.0) as client:
        refused = await _fail(client)
    assert (refused.reason, refused.outcome) == ("over budget", "over_budget")
    assert "over budget" in str(refused)
    assert harness.server.requests == []
    assert harness.outcomes()[-1] == "over_budget"


async def test_the_budget_is_per_utc_day(harness: Harness) -> None:
    harness.clock.set_time(datetime(2024, 1, 3, 0, 30, tzinfo=UTC))
    _spent(harness, datetime(2024, 1, 2, 23, 59, tzinfo=UTC), "5.00")  # yesterday
    _spent(harness, harness.clock.now(), "0.99")
    harness.server.script(json_answer({"ok": 1}, tokens_in=20_000, tokens_out=0))  # $0.012
    async with harness.client(daily_budget_usd=1.0) as client:
        await client.complete(MESSAGES, purpose="sentiment")  # 0.99 < 1.00: allowed
        assert (await _fail(client)).outcome == LlmOutcome.OVER_BUDGET  # 1.002 >= 1.00
    assert len(harness.server.requests) == 1
