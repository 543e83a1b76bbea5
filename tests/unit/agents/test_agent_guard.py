"""consult(): timeouts, failures and garbage become abstentions with their reason."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import UTC, datetime, timedelta

import pytest

from trademind.agents.base import (
    SOURCE_GUARD,
    AgentContext,
    ask_local,
    consult,
    consult_all,
    is_local,
)
from trademind.core.clock import TestClock
from trademind.core.decisions import Abstention, Action, Vote
from trademind.core.errors import ValidationError
from trademind.core.market import Bar, TradingMode

CLOSE = datetime(2024, 3, 1, 21, tzinfo=UTC)
BAR = Bar(
    symbol="AAPL", timeframe="1d", ts=CLOSE - timedelta(days=1),
    open=10, high=11, low=9, close=10.5, volume=100,
)  # fmt: skip


def context() -> AgentContext:
    return AgentContext(
        symbol="AAPL", closed_at=CLOSE, mode=TradingMode.REPLAY, bars=(BAR,), bars_seen=1
    )


def good_vote(**changes: object) -> Vote:
    fields: dict[str, object] = {
        "agent": "fake",
        "symbol": "AAPL",
        "direction": Action.BUY,
        "score": 0.5,
        "confidence": 0.7,
        "data_time": CLOSE,
        "source": "rules",
    }
    fields.update(changes)
    return Vote(**fields)  # type: ignore[arg-type]


class FakeAgent:
    """Answers with ``make()`` after ``delay`` seconds (on the event loop)."""

    def __init__(self, make: object, delay: float = 0.0, name: str = "fake") -> None:
        self._make = make
        self._delay = delay
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    async def analyze(self, context: AgentContext) -> Vote | Abstention:
        if self._delay:
            await asyncio.sleep(self._delay)
        return self._make()  # type: ignore[operator, no-any-return]


async def test_a_valid_vote_passes_with_its_latency() -> None:
    clock = TestClock()
    answer = await consult(FakeAgent(good_vote), context(), 1.0, clock)
    assert isinstance(answer, Vote)
    assert answer.score == 0.5
    assert answer.latency == timedelta(0)


async def test_a_timeout_abstains_with_the_reason(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        answer = await consult(FakeAgent(good_vote, delay=1.0), context(), 0.01, TestClock())
    assert isinstance(answer, Abstention)
    assert answer.reason == "fake timed out after 0.01 s"
    assert answer.source == SOURCE_GUARD
    assert answer.data_time == CLOSE
    assert "timed out" in caplog.text


def raising() -> Vote:
    raise RuntimeError("feed down")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (raising, "fake failed: RuntimeError: feed down"),
        (lambda: good_vote(confidence=7), "Vote.confidence must be in [0, 1], got 7"),
        (lambda: good_vote(score=float("nan")), "Vote.score"),
        (lambda: good_vote(direction=None), "fake gave an invalid vote"),
        (lambda: good_vote(direction=Action.SELL), "contradicts the direction"),
        (lambda: "buy!", "returned a str"),
        (lambda: good_vote(symbol="MSFT"), "answered for MSFT"),
        (lambda: good_vote(agent="other"), "answered as agent 'other'"),
        (lambda: good_vote(data_time=CLOSE + timedelta(days=1)), "look-ahead"),
    ],
)
async def test_garbage_abstains_with_the_reason(make: object, reason: str) -> None:
    answer = await consult(FakeAgent(make), context(), 1.0, TestClock())
    assert isinstance(answer, Abstention)
    assert reason in answer.reason


async def test_a_vote_tampered_after_construction_is_caught() -> None:
    def tampered() -> Vote:
        vote = good_vote()
        object.__setattr__(vote, "confidence", 7.0)
        return vote

    answer = await consult(FakeAgent(tampered), context(), 1.0, TestClock())
    assert isinstance(answer, Abstention)
    assert "Vote.confidence" in answer.reason


async def test_an_agents_own_abstention_passes_unchanged() -> None:
    own = Abstention(agent="fake", symbol="AAPL", reason="no news", source="llm")
    answer = await consult(FakeAgent(lambda: own), context(), 1.0, TestClock())
    assert answer == dataclasses.replace(own, latency=timedelta(0))


async def test_consult_all_keeps_the_agents_order_and_runs_them_concurrently() -> None:
    slow = FakeAgent(lambda: good_vote(agent="slow"), delay=0.05, name="slow")
    fast = FakeAgent(lambda: good_vote(agent="fast"), name="fast")
    answers = await asyncio.wait_for(
        consult_all([(slow, 1.0), (fast, 1.0)], context(), TestClock()), 0.09
    )
    assert [answer.agent for answer in answers] == ["slow", "fast"]


def test_a_context_refuses_a_bar_that_has_not_closed() -> None:
    late = dataclasses.replace(BAR, ts=CLOSE)
    with pytest.raises(ValidationError, match="no look-ahead"):
        AgentContext(symbol="AAPL", closed_at=CLOSE, mode=TradingMode.REPLAY, bars=(late,),
                     bars_seen=1)  # fmt: skip


class FakeLocalAgent:
    """A local agent: answers ``make()`` from a plain ``vote``."""

    def __init__(self, make: object, name: str = "fake") -> None:
        self._make = make
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def vote(self, context: AgentContext) -> Vote | Abstention:
        return self._make()  # type: ignore[operator, no-any-return]


def tampered_vote() -> Vote:
    vote = good_vote()
    object.__setattr__(vote, "confidence", 7.0)
    return vote


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (raising, "fake failed: RuntimeError: feed down"),
        (lambda: good_vote(confidence=7), "Vote.confidence must be in [0, 1], got 7"),
        (lambda: good_vote(score=float("nan")), "Vote.score"),
        (lambda: good_vote(direction=None), "fake gave an invalid vote"),
        (lambda: good_vote(direction=Action.SELL), "contradicts the direction"),
        (lambda: "buy!", "returned a str"),
        (lambda: good_vote(symbol="MSFT"), "answered for MSFT"),
        (lambda: good_vote(agent="other"), "answered as agent 'other'"),
        (lambda: good_vote(data_time=CLOSE + timedelta(days=1)), "look-ahead"),
        (tampered_vote, "Vote.confidence"),
    ],
)
def test_a_local_agents_garbage_abstains_with_the_reason(make: object, reason: str) -> None:
    answer = ask_local(FakeLocalAgent(make), context(), TestClock())
    assert isinstance(answer, Abstention)
    assert answer.source == SOURCE_GUARD
    assert reason in answer.reason


def test_a_local_agents_vote_passes_with_its_measured_latency() -> None:
    clock = TestClock()

    def slow_vote() -> Vote:
        clock.advance(0.25)
        return good_vote()

    answer = ask_local(FakeLocalAgent(slow_vote), context(), clock)
    assert isinstance(answer, Vote)
    assert answer.latency == timedelta(seconds=0.25)
    assert answer == dataclasses.replace(good_vote(), latency=timedelta(seconds=0.25))


def test_local_agents_are_told_from_async_ones() -> None:
    assert is_local(FakeLocalAgent(good_vote))
    assert not is_local(FakeAgent(good_vote))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"confidence": 7.0}, "Vote.confidence must be in [0, 1], got 7"),
        ({"score": float("nan")}, "Vote.score"),
        ({"direction": Action.SELL}, "contradicts the direction"),
        ({"source": "  "}, "Vote.source must not be empty"),
        ({"key_factors": ("ok", "")}, "Vote.key_factors item must not be empty"),
    ],
)
def test_an_unvalidated_vote_is_validated_at_the_guard(
    changes: dict[str, object], reason: str
) -> None:
    fields: dict[str, object] = {
        "agent": "fake", "symbol": "AAPL", "direction": Action.BUY, "score": 0.5,
        "confidence": 0.7, "data_time": CLOSE, "source": "rules",
    }  # fmt: skip
    fields.update(changes)
    answer = ask_local(FakeLocalAgent(lambda: Vote.unvalidated(**fields)), context(), TestClock())  # type: ignore[arg-type]
    assert isinstance(answer, Abstention)
    assert reason in answer.reason
