"""Signal, Vote, Abstention and Decision invariants; abstaining is not holding (issue 10, 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from trademind.core.decisions import Abstention, Action, Decision, Signal, Vote
from trademind.core.errors import ValidationError
from trademind.core.market import TradingMode

BAR_CLOSE = datetime(2024, 1, 2, 21, 0, tzinfo=UTC)


def _signal(**changes: Any) -> Signal:
    fields: dict[str, Any] = {
        "strategy": "rsi", "symbol": "AAPL", "ts": BAR_CLOSE, "action": "buy",
        "confidence": 0.8, "reason": "RSI(14) 27.4 below 30",
    }  # fmt: skip
    fields.update(changes)
    return Signal(**fields)


def test_a_signal_is_an_entry_or_an_exit() -> None:
    assert _signal().action is Action.BUY
    assert _signal(action=Action.SELL).action is Action.SELL


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"action": "hold"}, ValidationError),
        ({"confidence": 1.01}, ValidationError),
        ({"confidence": -0.01}, ValidationError),
        ({"confidence": float("nan")}, ValidationError),
        ({"strategy": ""}, ValidationError),
        ({"ts": datetime(2024, 1, 2)}, ValueError),
    ],
)
def test_signal_invariants(changes: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        _signal(**changes)


def _vote(**changes: Any) -> Vote:
    fields: dict[str, Any] = {
        "agent": "technical", "symbol": "AAPL", "direction": "buy", "score": 0.6,
        "confidence": 0.7, "data_time": BAR_CLOSE, "source": "rules",
        "reasoning": "RSI oversold, MACD crossing up", "key_factors": ["rsi", "macd"],
        "latency": timedelta(milliseconds=3),
    }  # fmt: skip
    fields.update(changes)
    return Vote(**fields)


def test_a_vote_keeps_its_fields_and_freezes_key_factors() -> None:
    vote = _vote()
    assert vote.direction is Action.BUY
    assert vote.key_factors == ("rsi", "macd")
    assert vote.latency == timedelta(milliseconds=3)


def test_a_hold_vote_may_lean_either_way_and_bounds_are_inclusive() -> None:
    assert _vote(direction="hold", score=-0.2).score == -0.2
    assert _vote(score=1, confidence=0).score == 1.0
    assert _vote(direction="sell", score=-1.0, confidence=1.0).confidence == 1.0


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"score": 1.5}, ValidationError, r"Vote.score must be in \[-1, 1\]"),
        ({"score": -1.5, "direction": "sell"}, ValidationError, "Vote.score"),
        ({"score": float("nan")}, ValidationError, "finite"),
        ({"confidence": 7}, ValidationError, r"Vote.confidence must be in \[0, 1\]"),
        ({"confidence": -0.1}, ValidationError, "Vote.confidence"),
        ({"direction": "buy", "score": -0.1}, ValidationError, "contradicts"),
        ({"direction": "sell", "score": 0.1}, ValidationError, "contradicts"),
        ({"direction": None}, ValidationError, "Vote.direction"),
        ({"direction": "short"}, ValidationError, "Vote.direction"),
        ({"agent": ""}, ValidationError, "Vote.agent"),
        ({"source": ""}, ValidationError, "Vote.source"),
        ({"key_factors": ["rsi", ""]}, ValidationError, "key_factors"),
        ({"latency": timedelta(seconds=-1)}, ValidationError, "Vote.latency"),
        ({"latency": 0.5}, TypeError, "Vote.latency"),
        ({"data_time": datetime(2024, 1, 2)}, ValueError, "timezone-aware"),
        ({"reasoning": None}, TypeError, "Vote.reasoning"),
        ({"score": "0.5"}, TypeError, "Vote.score"),
    ],
)
def test_vote_invariants(changes: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        _vote(**changes)


def test_an_abstention_carries_a_reason_and_no_opinion() -> None:
    abstention = Abstention(
        agent="sentiment", symbol="AAPL", reason="LLM timed out after 10 s", source="llm",
        latency=timedelta(seconds=10),
    )  # fmt: skip
    assert abstention.data_time is None
    assert not hasattr(abstention, "direction")
    assert not hasattr(abstention, "score")
    with pytest.raises(ValidationError, match=r"Abstention\.reason must not be empty"):
        Abstention(agent="sentiment", symbol="AAPL", reason=" ", source="llm")
    with pytest.raises(ValueError, match="timezone-aware"):
        Abstention(
            agent="x", symbol="AAPL", reason="no data", source="rules",
            data_time=datetime(2024, 1, 2),
        )  # fmt: skip


def _decision(**changes: Any) -> Decision:
    fields: dict[str, Any] = {
        "decision_id": "d-1", "symbol": "AAPL", "action": "buy", "confidence": 0.65,
        "decided_at": BAR_CLOSE, "data_time": BAR_CLOSE, "mode": "replay",
        "reasoning": "technical and rsi agree",
    }  # fmt: skip
    fields.update(changes)
    return Decision(**fields)


def test_a_decision_separates_cast_votes_from_abstentions() -> None:
    hold = _vote(agent="rsi", direction="hold", score=0.0)
    abstained = Abstention(agent="sentiment", symbol="AAPL", reason="no news", source="llm")
    decision = _decision(votes=[_vote(), hold, abstained])
    assert decision.mode is TradingMode.REPLAY
    assert decision.action is Action.BUY
    assert decision.cast_votes == (_vote(), hold)
    assert decision.abstentions == (abstained,)
    assert isinstance(decision.votes, tuple)


def test_a_vetoed_decision_has_its_reason() -> None:
    decision = _decision(vetoed=True, veto_reason="daily loss limit reached")
    assert decision.veto_reason == "daily loss limit reached"


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"data_time": BAR_CLOSE + timedelta(seconds=1)}, ValidationError, "after the decision"),
        ({"vetoed": True}, ValidationError, "vetoed without a reason"),
        ({"vetoed": True, "veto_reason": " "}, ValidationError, "vetoed without a reason"),
        ({"veto_reason": "x"}, ValidationError, "veto reason but no veto"),
        ({"confidence": 1.5}, ValidationError, "Decision.confidence"),
        ({"mode": "demo"}, ValidationError, "Decision.mode"),
        ({"action": "short"}, ValidationError, "Decision.action"),
        ({"decision_id": ""}, ValidationError, "Decision.decision_id"),
        ({"decision_id": "d" * 65}, ValidationError, "at most 64"),
        ({"votes": ["buy"]}, TypeError, "Decision.votes holds a str"),
        ({"decided_at": datetime(2024, 1, 2, 21)}, ValueError, "timezone-aware"),
        ({"reasoning": None}, TypeError, "Decision.reasoning"),
        ({"strategy": ""}, ValidationError, "Decision.strategy"),
        ({"variant": "v" * 33}, ValidationError, "Decision.variant"),
    ],
)
def test_decision_invariants(changes: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        _decision(**changes)


def test_actions_are_the_database_values() -> None:
    assert [action.value for action in Action] == ["buy", "sell", "hold"]
