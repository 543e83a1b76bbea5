"""The orchestrator as the trading loop's decision step: every bar a decision with all votes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from trademind.agents.base import AgentContext
from trademind.agents.indicator_book import IndicatorBook
from trademind.config.sections_agents import OrchestratorSettings, TechnicalAgentSettings
from trademind.core.clock import TestClock
from trademind.core.decisions import Abstention, Action, Decision, Signal, Vote
from trademind.core.errors import ValidationError
from trademind.core.market import Bar, BarBatch, TradingMode
from trademind.core.ports import DecisionMaker
from trademind.core.voting import VotingRules
from trademind.orchestrator.factory import build_orchestrator
from trademind.orchestrator.orchestrator import DecisionRecord, Orchestrator
from trademind.strategies.registry import get_strategy

DAY0 = datetime(2024, 1, 2, tzinfo=UTC)


def batch(day: int, *closes: tuple[str, float]) -> BarBatch:
    bars = tuple(
        Bar(
            symbol=symbol,
            timeframe="1d",
            ts=DAY0 + timedelta(days=day),
            open=close,
            high=close + 1,
            low=close - 1,
            close=close,
            volume=1000.0,
        )
        for symbol, close in closes
    )
    return BarBatch(closed_at=DAY0 + timedelta(days=day + 1), bars=bars)


class Fixed:
    """An agent that always answers the same way (or sleeps past its timeout)."""

    def __init__(self, name: str, direction: Action | None, score: float = 0.0,
                 confidence: float = 1.0, sleep: float = 0.0) -> None:  # fmt: skip
        self.name = name
        self._direction = direction
        self._score = score
        self._confidence = confidence
        self._sleep = sleep

    async def analyze(self, context: AgentContext) -> Vote | Abstention:
        if self._sleep:
            await asyncio.sleep(self._sleep)
        if self._direction is None:
            return Abstention(agent=self.name, symbol=context.symbol, reason="no data", source="x")
        return Vote(
            agent=self.name, symbol=context.symbol, direction=self._direction,
            score=self._score, confidence=self._confidence, data_time=context.closed_at,
            source="rules", reasoning=f"{self.name} view",
        )  # fmt: skip


class Recorder:
    def __init__(self) -> None:
        self.records: list[DecisionRecord] = []

    def record(self, records: Sequence[DecisionRecord]) -> None:
        self.records.extend(records)


class Refuse:
    def __init__(self, reason: str | None = "daily loss limit reached") -> None:
        self.reason = reason
        self.seen: list[Decision] = []

    async def review(self, decision: Decision) -> str | None:
        self.seen.append(decision)
        if self.reason == "raise":
            raise RuntimeError("risk store offline")
        return self.reason


def orchestrator(agents: list[tuple[Fixed, float]], weights: dict[str, float], clock: TestClock,
                 **options: object) -> Orchestrator:  # fmt: skip
    rules = VotingRules(weights=weights, quorum=0.5, buy_threshold=0.2, sell_threshold=0.2)
    return Orchestrator(
        agents=agents, rules=rules, book=IndicatorBook(TechnicalAgentSettings()), clock=clock,
        variant="b", **options,  # type: ignore[arg-type]
    )  # fmt: skip


async def test_each_bar_gets_a_decision_with_all_votes_and_the_sink_sees_them() -> None:
    clock = TestClock(start=DAY0 + timedelta(days=1))
    sink = Recorder()
    agents = [(Fixed("a", Action.BUY, 0.5, 0.8), 1.0), (Fixed("b", None), 1.0),
              (Fixed("c", Action.HOLD), 1.0)]  # fmt: skip
    decider: DecisionMaker = orchestrator(agents, {"a": 2, "b": 1, "c": 1}, clock, sink=sink)
    decisions = await decider.decide(batch(0, ("AAPL", 100), ("MSFT", 50)), [], TradingMode.REPLAY)
    assert [d.symbol for d in decisions] == ["AAPL", "MSFT"]
    first = decisions[0]
    # participation 3/4; s = 2 * 0.8 * 0.5 / 3 = 0.2667 -> BUY; confidence 1.6 / 3
    assert first.action is Action.BUY
    assert first.confidence == pytest.approx(1.6 / 3)
    assert [v.agent for v in first.votes] == ["a", "b", "c"]
    assert isinstance(first.votes[1], Abstention)
    assert (first.variant, first.agent, first.data_time) == ("b", "orchestrator", clock.now())
    assert first.reasoning.startswith("Buy: weighted score +0.27 >= +0.20; 2 of 3 agents voted")
    assert [r.decision for r in sink.records] == list(decisions)
    assert sink.records[0].tally.score == pytest.approx(0.8 / 3)


async def test_a_timed_out_agent_abstains_and_can_break_the_quorum() -> None:
    clock = TestClock(start=DAY0 + timedelta(days=1))
    agents = [(Fixed("slow", Action.BUY, 1.0, sleep=1.0), 0.01), (Fixed("c", Action.BUY, 1.0), 1.0)]
    decider = orchestrator(agents, {"slow": 3, "c": 1}, clock)
    (decision,) = await decider.decide(batch(0, ("AAPL", 100)), [], TradingMode.REPLAY)
    assert decision.action is Action.HOLD
    assert "no quorum" in decision.reasoning
    assert "slow timed out after 0.01 s" in decision.reasoning


@pytest.mark.parametrize("reason", ["daily loss limit reached", "raise"])
async def test_a_veto_overrides_the_vote(reason: str) -> None:
    clock = TestClock(start=DAY0 + timedelta(days=1))
    veto = Refuse(reason)
    decider = orchestrator([(Fixed("a", Action.BUY, 1.0), 1.0)], {"a": 1}, clock, vetoers=[veto])
    (decision,) = await decider.decide(batch(0, ("AAPL", 100)), [], TradingMode.REPLAY)
    assert decision.vetoed
    assert decision.action is Action.BUY  # what the vote said, kept for the record
    expected = "risk store offline" if reason == "raise" else reason
    assert decision.veto_reason is not None
    assert expected in decision.veto_reason
    assert decision.reasoning.startswith("Vetoed: ")


async def test_a_hold_is_not_sent_to_the_vetoers() -> None:
    clock = TestClock(start=DAY0 + timedelta(days=1))
    veto = Refuse()
    decider = orchestrator([(Fixed("a", Action.HOLD), 1.0)], {"a": 1}, clock, vetoers=[veto])
    (decision,) = await decider.decide(batch(0, ("AAPL", 100)), [], TradingMode.REPLAY)
    assert not decision.vetoed
    assert veto.seen == []


def test_an_agent_without_a_weight_is_refused_at_construction() -> None:
    with pytest.raises(ValidationError, match="'x' has no weight"):
        orchestrator([(Fixed("x", Action.BUY), 1.0)], {"a": 1}, TestClock())


async def test_built_from_settings_strategy_signals_vote_through_the_strategy_agents() -> None:
    clock = TestClock(start=DAY0)
    strategies = [(get_strategy("buy_and_hold"), None), (get_strategy("ma_crossover"), None)]
    decider = build_orchestrator(OrchestratorSettings(), strategies, clock)
    assert decider.rules.weights == {
        "technical": 1.0, "strategy:buy_and_hold": 0.5, "strategy:ma_crossover": 0.5,
    }  # fmt: skip
    step = batch(0, ("AAPL", 100))
    clock.set_time(step.closed_at)
    buy = Signal(strategy="buy_and_hold", symbol="AAPL", ts=step.closed_at, action=Action.BUY,
                 confidence=1.0, reason="buy and hold from the first bar")  # fmt: skip
    (decision,) = await decider.decide(step, [buy], TradingMode.REPLAY)
    # technical and ma_crossover warm up (abstain): participation 0.5 / 2 = 0.25 < 0.5
    assert decision.action is Action.HOLD
    assert "no quorum" in decision.reasoning
    by_agent = {vote.agent: vote for vote in decision.votes}
    assert isinstance(by_agent["strategy:buy_and_hold"], Vote)
    assert isinstance(by_agent["technical"], Abstention)


class LocalFixed:
    """A local agent (plain ``vote``), or one that raises."""

    def __init__(self, name: str, direction: Action | None) -> None:
        self.name = name
        self._direction = direction
        self.calls = 0

    def vote(self, context: AgentContext) -> Vote | Abstention:
        self.calls += 1
        if self._direction is None:
            raise RuntimeError("broken rule")
        return Vote(
            agent=self.name, symbol=context.symbol, direction=self._direction, score=1.0,
            confidence=1.0, data_time=context.closed_at, source="rules",
        )  # fmt: skip


async def test_local_and_async_agents_answer_in_the_agents_order() -> None:
    clock = TestClock(start=DAY0 + timedelta(days=1))
    local = LocalFixed("local", Action.BUY)
    broken = LocalFixed("broken", None)
    agents = [(Fixed("remote", Action.HOLD), 1.0), (local, 1.0), (broken, 1.0)]
    decider = orchestrator(agents, {"remote": 1, "local": 1, "broken": 1}, clock)
    decisions = await decider.decide(batch(0, ("AAPL", 100), ("MSFT", 50)), [], TradingMode.REPLAY)
    for decision in decisions:
        assert [v.agent for v in decision.votes] == ["remote", "local", "broken"]
        failed = decision.votes[2]
        assert isinstance(failed, Abstention)
        assert failed.reason == "broken failed: RuntimeError: broken rule"
        assert failed.source == "guard"
        assert decision.action is Action.BUY  # (0 + 1) / 2 = 0.5 over the two that voted
    assert local.calls == 2
