"""The strategy-selection agent votes with the chosen strategy's signal and says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from trademind.agents.base import AgentContext, ask_local
from trademind.agents.selection.agent import NO_SIGNAL_CONFIDENCE, StrategySelectionAgent
from trademind.agents.selection.rule import TrainingDays, learn
from trademind.core.decisions import Abstention, Action, Signal, Vote
from trademind.core.market import Bar, TradingMode
from trademind.testing.clock import TestClock

DAY0 = datetime(2024, 1, 2, tzinfo=UTC)


def trending_bars(count: int) -> tuple[Bar, ...]:
    return tuple(
        Bar(symbol="AAPL", timeframe="1d", ts=DAY0 + timedelta(days=day), open=100.0 + day,
            high=100.5 + day, low=99.5 + day, close=100.0 + day, volume=1000.0)
        for day in range(count)
    )  # fmt: skip


def rule_preferring_trend_following_in_strong_trends() -> StrategySelectionAgent:
    days = 200
    strong = np.arange(days) % 2 == 0
    noise = np.random.default_rng(0).normal(0.0, 0.01, (2, days))
    returns = {
        "ma_crossover": np.where(strong, 0.004, -0.003) + noise[0],
        "rsi_mean_reversion": np.where(strong, -0.003, 0.004) + noise[1],
    }
    regimes = [("strong" if s else "weak", None, None, None) for s in strong]
    rule = learn([TrainingDays(returns, regimes)], ("ma_crossover", "rsi_mean_reversion"))
    return StrategySelectionAgent(rule)


def context(bars: tuple[Bar, ...], signals: tuple[Signal, ...] = ()) -> AgentContext:
    closed = DAY0 + timedelta(days=len(bars))
    return AgentContext(
        symbol="AAPL", closed_at=closed, mode=TradingMode.REPLAY, bars=bars,
        bars_seen=len(bars), signals=tuple(
            Signal(strategy=s.strategy, symbol="AAPL", ts=closed, action=s.action,
                   confidence=s.confidence, reason=s.reason) for s in signals
        ),
    )  # fmt: skip


def signal(strategy: str, action: Action) -> Signal:
    return Signal(strategy=strategy, symbol="AAPL", ts=DAY0, action=action, confidence=0.8,
                  reason=f"{strategy} fired")  # fmt: skip


def test_in_a_strong_trend_it_votes_with_the_trend_followers_signal() -> None:
    agent = rule_preferring_trend_following_in_strong_trends()
    both = (signal("rsi_mean_reversion", Action.SELL), signal("ma_crossover", Action.BUY))
    vote = ask_local(agent, context(trending_bars(60), both), TestClock(DAY0))
    assert isinstance(vote, Vote)
    assert vote.agent == "selector"
    assert vote.direction is Action.BUY
    assert vote.score == 1.0
    assert vote.confidence == 0.8
    assert vote.reasoning.startswith("selector chose ma_crossover (trend strong (ADX ")
    assert vote.reasoning.endswith("; its signal: ma_crossover fired")


def test_without_the_chosen_strategys_signal_it_holds() -> None:
    agent = rule_preferring_trend_following_in_strong_trends()
    only_other = (signal("rsi_mean_reversion", Action.SELL),)
    vote = ask_local(agent, context(trending_bars(60), only_other), TestClock(DAY0))
    assert isinstance(vote, Vote)
    assert vote.direction is Action.HOLD
    assert vote.confidence == NO_SIGNAL_CONFIDENCE
    assert vote.reasoning.endswith(": no signal this bar")


def test_too_few_bars_fall_back_to_the_best_strategy_overall_and_none_abstain() -> None:
    agent = rule_preferring_trend_following_in_strong_trends()
    vote = ask_local(agent, context(trending_bars(5)), TestClock(DAY0))
    assert isinstance(vote, Vote)
    assert "overall (trend missing: no finer regime)" in vote.reasoning
    empty = ask_local(agent, context(()), TestClock(DAY0))
    assert isinstance(empty, Abstention)
    assert "no bars" in empty.reason
