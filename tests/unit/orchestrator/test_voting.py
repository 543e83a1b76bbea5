"""The voting formula on hand-computed examples, its quorum and threshold boundaries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trademind.core.decisions import Abstention, Action, Vote
from trademind.core.errors import ValidationError
from trademind.core.voting import VotingRules, tally

WHEN = datetime(2024, 3, 1, 21, tzinfo=UTC)


def vote(agent: str, direction: Action, score: float, confidence: float) -> Vote:
    return Vote(
        agent=agent,
        symbol="AAPL",
        direction=direction,
        score=score,
        confidence=confidence,
        data_time=WHEN,
        source="rules",
        reasoning=f"{agent} says {direction}",
    )


def silent(agent: str, reason: str = "timed out") -> Abstention:
    return Abstention(agent=agent, symbol="AAPL", reason=reason, source="guard")


def rules(
    weights: dict[str, float], quorum: float = 0.5, buy: float = 0.2, sell: float = 0.2
) -> VotingRules:
    return VotingRules(weights=weights, quorum=quorum, buy_threshold=buy, sell_threshold=sell)


def test_the_docs_worked_example() -> None:
    # docs/agents.md: weights technical 1, strategy:a 0.5, strategy:b 0.5
    # technical buy 0.4 @ 0.6 -> 1 * 0.6 * 0.4 = 0.24; a buy 1 @ 0.8 -> 0.5 * 0.8 = 0.40;
    # b hold 0 @ 0.5 -> 0. s = 0.64 / 2 = 0.32 >= 0.2: BUY.
    # confidence = (1 * 0.6 + 0.5 * 0.8) / 2 = 0.5
    opinions = [
        vote("technical", Action.BUY, 0.4, 0.6),
        vote("strategy:a", Action.BUY, 1.0, 0.8),
        vote("strategy:b", Action.HOLD, 0.0, 0.5),
    ]
    result = tally(opinions, rules({"technical": 1, "strategy:a": 0.5, "strategy:b": 0.5}))
    assert result.action is Action.BUY
    assert result.score == pytest.approx(0.32)
    assert result.confidence == pytest.approx(0.5)
    assert result.participation == pytest.approx(1.0)
    assert result.explanation.startswith("Buy: weighted score +0.32 >= +0.20; 3 of 3 agents")
    assert "led by technical" in result.explanation  # 1 * 0.6 > 0.5 * 0.8


def test_a_sell_example() -> None:
    # 2 * 0.9 * -0.5 = -0.9 ; 1 * 0.3 * 0.6 = 0.18 ; s = -0.72 / 3 = -0.24 <= -0.2: SELL
    # confidence = 2 * 0.9 / 3 = 0.6
    opinions = [vote("x", Action.SELL, -0.5, 0.9), vote("y", Action.BUY, 0.6, 0.3)]
    result = tally(opinions, rules({"x": 2, "y": 1}))
    assert (result.action, result.score, result.confidence) == (
        Action.SELL,
        pytest.approx(-0.24),
        pytest.approx(0.6),
    )


def test_an_abstention_is_not_counted_as_a_neutral_vote() -> None:
    weights = {"x": 1, "y": 1}
    alone = tally([vote("x", Action.BUY, 0.5, 0.8), silent("y")], rules(weights))
    # only x votes: s = 0.4 (a neutral y would have given 0.2)
    assert alone.score == pytest.approx(0.4)
    assert alone.participation == pytest.approx(0.5)
    with_hold = tally(
        [vote("x", Action.BUY, 0.5, 0.8), vote("y", Action.HOLD, 0, 1)], rules(weights)
    )
    assert with_hold.score == pytest.approx(0.2)


@pytest.mark.parametrize(("participating", "met"), [(0.5, True), (0.49, False)])
def test_the_quorum_boundary(participating: float, met: bool) -> None:
    weights = {"x": participating, "y": 1 - participating}
    result = tally([vote("x", Action.BUY, 1, 1), silent("y")], rules(weights, quorum=0.5))
    assert result.quorum_met is met
    if met:
        assert result.action is Action.BUY
    else:
        assert (result.action, result.score, result.confidence) == (Action.HOLD, None, 0.0)
        assert "no quorum" in result.explanation
        assert "y (timed out)" in result.explanation


def test_only_zero_weight_voters_is_no_quorum() -> None:
    result = tally([vote("x", Action.BUY, 1, 1), silent("y")], rules({"x": 0, "y": 1}, 0.01))
    assert not result.quorum_met


@pytest.mark.parametrize(
    ("score", "action"),
    [(0.25, Action.BUY), (0.2499, Action.HOLD), (-0.25, Action.SELL), (-0.2499, Action.HOLD)],
)
def test_the_threshold_boundaries(score: float, action: Action) -> None:
    direction = Action.BUY if score > 0 else Action.SELL
    result = tally([vote("x", direction, score, 1.0)], rules({"x": 1}, buy=0.25, sell=0.25))
    assert result.action is action


def test_hold_confidence_is_the_share_that_asked_for_hold() -> None:
    opinions = [vote("x", Action.HOLD, 0.05, 0.8), vote("y", Action.BUY, 0.2, 0.5)]
    result = tally(opinions, rules({"x": 3, "y": 1}))
    # s = (3 * 0.8 * 0.05 + 1 * 0.5 * 0.2) / 4 = 0.055 -> HOLD; confidence 3 * 0.8 / 4 = 0.6
    assert result.action is Action.HOLD
    assert result.confidence == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("weights", "quorum", "message"),
    [
        ({"x": -1, "y": 1}, 0.5, "weight of agent 'x'"),
        ({"x": 0}, 0.5, "at least one"),
        ({"x": float("nan")}, 0.5, "weight of agent 'x'"),
        ({"x": 1}, 0.0, "quorum"),
        ({"x": 1}, 1.5, "quorum"),
    ],
)
def test_bad_rules_are_refused(weights: dict[str, float], quorum: float, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        rules(weights, quorum=quorum)


def test_an_agent_without_a_weight_is_refused() -> None:
    with pytest.raises(ValidationError, match="'z' has no weight"):
        tally([vote("z", Action.BUY, 1, 1)], rules({"x": 1}))
