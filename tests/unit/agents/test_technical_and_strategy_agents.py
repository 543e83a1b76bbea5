"""The technical agent's formula, the incremental indicator book, the strategy agents."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from trademind.agents.base import AgentContext
from trademind.agents.indicator_book import IndicatorBook, IndicatorSnapshot
from trademind.agents.strategy import NO_SIGNAL_CONFIDENCE, StrategyAgent
from trademind.agents.technical import TechnicalAgent, combine, components
from trademind.config.sections_agents import TechnicalAgentSettings
from trademind.core.decisions import Abstention, Action, Signal, Vote
from trademind.core.errors import ValidationError
from trademind.core.market import Bar, TradingMode
from trademind.indicators import kernels

DAY0 = datetime(2024, 1, 2, tzinfo=UTC)
NAN = math.nan


def snapshot(**values: float) -> IndicatorSnapshot:
    fields = dict.fromkeys(IndicatorSnapshot.__slots__, NAN)
    fields["close"] = 100.0
    fields.update(values)
    return IndicatorSnapshot(**fields)


def bar(day: int, close: float, symbol: str = "AAPL") -> Bar:
    return Bar(
        symbol=symbol, timeframe="1d", ts=DAY0 + timedelta(days=day),
        open=close, high=close + 1, low=close - 1, close=close, volume=1000.0,
    )  # fmt: skip


def context(
    indicators: IndicatorSnapshot | None,
    signals: tuple[Signal, ...] = (),
    bars_seen: int = 1,
) -> AgentContext:
    return AgentContext(
        symbol="AAPL",
        closed_at=DAY0 + timedelta(days=1),
        mode=TradingMode.REPLAY,
        bars=(bar(0, 100.0),),
        indicators=indicators,
        bars_seen=bars_seen,
        signals=signals,
    )


def test_components_by_hand() -> None:
    values = snapshot(
        rsi=40.0,  # (50 - 40) / 20 = +0.5
        macd_histogram=0.25,  # 0.25 / 100 * 100 = 0.25% / 0.5% = +0.5
        sma_fast=101.0, sma_slow=100.0,  # +1% / 2% = +0.5
        bollinger_lower=90.0, bollinger_upper=120.0,  # %B = 1/3 -> 1 - 2/3 = +1/3
    )  # fmt: skip
    parts = components(values)
    assert parts == pytest.approx({"rsi": 0.5, "macd": 0.5, "trend": 0.5, "bollinger": 1 / 3})
    direction, score, confidence = combine(parts)
    assert direction is Action.BUY
    assert score == pytest.approx((1.5 + 1 / 3) / 4)
    assert confidence == pytest.approx(1.0)  # all agree, all four available


def test_disagreeing_and_missing_components_lower_the_confidence() -> None:
    # rsi +1 (clipped from (50 - 20) / 20), trend -0.5; macd and bands warming up
    parts = components(snapshot(rsi=20.0, sma_fast=99.0, sma_slow=100.0))
    assert parts == pytest.approx({"rsi": 1.0, "trend": -0.5})
    direction, score, confidence = combine(parts)
    assert (direction, score) == (Action.BUY, pytest.approx(0.25))
    assert confidence == pytest.approx((0.5 / 1.5) * 2 / 4)


def test_a_small_score_is_a_hold_vote() -> None:
    direction, score, _ = combine({"rsi": 0.05, "trend": 0.0})
    assert (direction, score) == (Action.HOLD, pytest.approx(0.025))


async def test_the_technical_agent_abstains_while_warming_up_and_without_values() -> None:
    agent = TechnicalAgent()
    warming = await agent.analyze(context(snapshot()))
    assert isinstance(warming, Abstention)
    assert warming.reason == "indicators warming up"
    missing = await agent.analyze(context(None))
    assert isinstance(missing, Abstention)


async def test_the_technical_agent_votes_with_factors() -> None:
    answer = await TechnicalAgent().analyze(context(snapshot(rsi=75.0)))
    assert isinstance(answer, Vote)
    assert (answer.direction, answer.score) == (Action.SELL, pytest.approx(-1.0))
    assert answer.key_factors == ("RSI 75.0 (-1.00)",)


def test_the_book_steps_equal_the_kernels_over_the_whole_series() -> None:
    settings = TechnicalAgentSettings()
    closes = 100.0 + np.cumsum(np.random.default_rng(7).normal(0, 1, 120))
    book = IndicatorBook(settings)
    shots = [book.update(bar(day, float(close)))[1] for day, close in enumerate(closes)]
    rsi, _ = kernels.rsi_kernel(closes, 0, 0, settings.rsi_length, np.zeros(2))
    lower, _middle, _upper, *_ = kernels.bollinger_kernel(
        closes, 0, 0, settings.bollinger_length, settings.bollinger_std, np.zeros(2)
    )
    _, _, histogram, _ = kernels.macd_kernel(
        closes, 0, 0, settings.macd_fast, settings.macd_slow, settings.macd_signal, np.zeros(3)
    )
    np.testing.assert_array_equal([s.rsi for s in shots], rsi)
    np.testing.assert_array_equal([s.bollinger_lower for s in shots], lower)
    np.testing.assert_array_equal([s.macd_histogram for s in shots], histogram)
    slow = np.convolve(closes, np.ones(settings.ma_slow) / settings.ma_slow, mode="valid")
    np.testing.assert_allclose([s.sma_slow for s in shots][settings.ma_slow - 1 :], slow)
    assert math.isnan(shots[settings.ma_slow - 2].sma_slow)
    assert book.seen("AAPL") == 120


def test_the_book_keeps_recent_bars_and_refuses_old_ones() -> None:
    book = IndicatorBook(TechnicalAgentSettings(), history=3)
    for day in range(5):
        bars, _ = book.update(bar(day, 100.0 + day))
    assert [b.close for b in bars] == [102.0, 103.0, 104.0]
    with pytest.raises(ValidationError, match="not after"):
        book.update(bar(4, 10.0))


def signal(action: Action, confidence: float = 0.8, strategy: str = "ma_crossover") -> Signal:
    return Signal(
        strategy=strategy, symbol="AAPL", ts=DAY0 + timedelta(days=1), action=action,
        confidence=confidence, reason="crossed",
    )  # fmt: skip


@pytest.mark.parametrize(("action", "score"), [(Action.BUY, 1.0), (Action.SELL, -1.0)])
async def test_a_strategy_signal_is_a_vote(action: Action, score: float) -> None:
    agent = StrategyAgent("ma_crossover", warmup=50)
    other = signal(Action.SELL, strategy="rsi_mean_reversion")
    answer = await agent.analyze(context(None, (other, signal(action)), bars_seen=60))
    assert isinstance(answer, Vote)
    assert (answer.agent, answer.direction, answer.score) == (
        "strategy:ma_crossover",
        action,
        score,
    )
    assert (answer.confidence, answer.reasoning) == (0.8, "crossed")


async def test_no_signal_is_a_hold_vote_after_the_warm_up_and_an_abstention_before() -> None:
    agent = StrategyAgent("ma_crossover", warmup=50)
    held = await agent.analyze(context(None, bars_seen=50))
    assert isinstance(held, Vote)
    assert (held.direction, held.score, held.confidence) == (Action.HOLD, 0.0, NO_SIGNAL_CONFIDENCE)
    early = await agent.analyze(context(None, bars_seen=49))
    assert isinstance(early, Abstention)
    assert early.reason == "warming up (49 of 50 bars)"
