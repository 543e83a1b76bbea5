"""Shared pieces of the sentiment agent tests: daily bars, news items (test fixtures written
for the tests, not real headlines), an in-memory point-in-time news reader, a history list, and
the agent built over the fake LLM server."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from support.llm_client import Harness

from trademind.agents.base import AgentContext
from trademind.agents.llm import LlmClient
from trademind.agents.sentiment.agent import SentimentAgent
from trademind.agents.sentiment.agent_cache import SentimentCache
from trademind.agents.sentiment.headline_models import HeadlineModel
from trademind.agents.sentiment.llm_model import LlmSentimentModel
from trademind.cache import MemoryCache
from trademind.config.sections_ai import SentimentSettings
from trademind.core.market import Bar, TradingMode
from trademind.core.sentiment_history import SentimentReading
from trademind.data.news.items import NewsItem

CLOSE = datetime(2024, 3, 28, 21, 0, tzinfo=UTC)
"""The decision time of the tests: a bar close."""
GOOD = {
    "sentiment": "positive",
    "score": 0.6,
    "confidence": 0.8,
    "key_factors": ["record sales"],
    "reasoning": "1. Sales beat. 2. Positive.",
}


def daily_bars(
    symbol: str = "AAPL", count: int = 64, *, end: datetime = CLOSE, swing: float = 0.005
) -> tuple[Bar, ...]:
    """``count`` daily bars whose last one closes at ``end``: a gentle rise with a swing of
    ``swing`` (a daily return of about that size, alternating)."""
    bars = []
    for index in range(count):
        start = end - timedelta(days=count - index)
        close = 100.0 * (1.002**index) * (1 + swing * math.sin(index * 1.7))
        bars.append(Bar(symbol=symbol, timeframe="1d", ts=start, open=close, high=close * 1.01,
                        low=close * 0.99, close=close, volume=1_000_000.0 + index))  # fmt: skip
    return tuple(bars)


def context(bars: tuple[Bar, ...] | None = None, at: datetime = CLOSE) -> AgentContext:
    chosen = bars if bars is not None else daily_bars(end=at)
    return AgentContext(
        symbol=chosen[-1].symbol,
        closed_at=at,
        mode=TradingMode.REPLAY,
        bars=chosen,
        bars_seen=len(chosen),
    )


def item(title: str, hours_before: float, *, seen_hours_before: float | None = None,
         symbol: str = "AAPL") -> NewsItem:  # fmt: skip
    """A test news item published ``hours_before`` :data:`CLOSE` (first seen then, unless
    ``seen_hours_before`` says otherwise)."""
    published = CLOSE - timedelta(hours=hours_before)
    seen = CLOSE - timedelta(hours=seen_hours_before if seen_hours_before is not None
                             else hours_before)  # fmt: skip
    return NewsItem(
        symbols=frozenset({symbol}),
        title=title,
        url=f"https://news.example.test/{abs(hash(title))}",
        source="Test Wire",
        published_at=published,
        first_seen_at=seen,
    )


class ListNews:
    """The news store's point-in-time rule over a list (``NewsStore.items``)."""

    def __init__(self, *items: NewsItem) -> None:
        self.all = list(items)
        self.asked: list[datetime] = []

    def items(self, symbol: str, at: datetime, days: float | None = None) -> tuple[NewsItem, ...]:
        self.asked.append(at)
        chosen = [
            one
            for one in self.all
            if symbol in one.symbols
            and one.published_at <= at
            and one.first_seen_at <= at
            and (days is None or one.published_at > at - timedelta(days=days))
        ]
        return tuple(sorted(chosen, key=lambda one: one.published_at, reverse=True))


@dataclass
class History:
    readings: list[SentimentReading] = field(default_factory=list)

    def add(self, reading: SentimentReading) -> None:
        self.readings.append(reading)


@dataclass
class AgentRig:
    """The agent over the harness's fake server, news, history and a memory cache."""

    harness: Harness
    news: ListNews
    history: History
    client: LlmClient
    cache: MemoryCache

    def agent(self, model: HeadlineModel | None = None, **settings: Any) -> SentimentAgent:
        values: dict[str, Any] = {"news_lookback_hours": 24, "timeout_seconds": 30.0}
        values.update(settings)
        chosen = SentimentSettings(**values)
        return SentimentAgent(
            chosen,
            news=self.news,
            model=model or LlmSentimentModel(self.client),
            wall=self.harness.clock,
            cache=SentimentCache(self.cache, chosen.cache_ttl_seconds),
            history=self.history,
        )
