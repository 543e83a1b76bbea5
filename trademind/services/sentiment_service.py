"""The sentiment agent's parts, and `trademind agents sentiment SYMBOL [--history]`.

:func:`sentiment_parts` builds the agent the settings describe (the text model of
``sentiment.model``: the LLM through one :class:`~trademind.agents.llm.LlmClient` recording in
``llm_calls``, or the lexicon; the stored news; the stored daily bars of
``sentiment.index_symbol`` for the index's move; the cache; the history sink); the caller closes
the client (:meth:`SentimentParts.aclose`). :func:`sentiment_now` asks it once about a symbol
at the wall clock's time, from the stored daily bars (the newest
:data:`~trademind.agents.indicator_book.HISTORY_BARS` that closed by then) and the stored news;
the reading is stored when ``sentiment.store_history``. :func:`sentiment_history` lists stored
readings, newest first. See docs/ai.md, "The sentiment agent".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from trademind.agents.indicator_book import HISTORY_BARS
from trademind.agents.sentiment.agent import (
    AgentScope,
    HistorySink,
    IndexBars,
    NewsReader,
    SentimentAgent,
)
from trademind.agents.sentiment.agent_cache import SentimentCache
from trademind.agents.sentiment.agent_vote import Assessment, headline, reading_of
from trademind.agents.sentiment.headline_models import HeadlineModel, LexiconHeadlineModel
from trademind.core.errors import UsageError, ValidationError
from trademind.core.market import Bar
from trademind.data.news.items import checked_symbol
from trademind.data.news.store import NewsStore

if TYPE_CHECKING:
    from trademind.agents.llm.client import LlmClient
    from trademind.agents.llm.ledger import CallLedger
    from trademind.config import Settings
    from trademind.core.clock import Clock
    from trademind.core.ports import Cache
    from trademind.core.sentiment_history import SentimentReading
    from trademind.db.session import Database

MAX_LIMIT: Final = 10_000
_BAR_DAYS: Final = timedelta(days=HISTORY_BARS * 2 + 10)  # enough calendar days for the bars


@dataclass(frozen=True, slots=True)
class SentimentParts:
    """The agent and the client it owns (None for the lexicon)."""

    agent: SentimentAgent
    client: LlmClient | None

    async def aclose(self) -> None:
        """Release the client's connections."""
        if self.client is not None:
            await self.client.aclose()


def sentiment_parts(
    database: Database,
    settings: Settings,
    *,
    wall: Clock,
    cache: Cache | None,
    history: HistorySink | None,
    ledger: CallLedger | None = None,
    scope: AgentScope | None = None,
    news: NewsReader | None = None,
) -> SentimentParts:
    """The sentiment agent of ``settings`` (module docstring); ``ledger`` records the LLM's
    calls (default: ``llm_calls`` of ``database``, each in its own transaction); ``news``
    answers the point-in-time news query (default: the store of ``database``)."""
    client: LlmClient | None = None
    model: HeadlineModel
    if settings.sentiment.model == "llm":
        from trademind.agents.llm.client import LlmClient
        from trademind.agents.sentiment.llm_model import LlmSentimentModel
        from trademind.db.llm_calls import LlmCallRepository

        client = LlmClient(settings.llm, ledger or LlmCallRepository(database), wall)
        model = LlmSentimentModel(client)
    else:
        model = LexiconHeadlineModel()
    ttl = settings.sentiment.cache_ttl_seconds
    index_symbol = settings.sentiment.index_symbol
    agent = SentimentAgent(
        settings.sentiment,
        news=news or NewsStore(database),
        model=model,
        wall=wall,
        cache=SentimentCache(cache, ttl) if cache is not None else None,
        history=history if settings.sentiment.store_history else None,
        scope=scope,
        index=_index_reader(database, settings, index_symbol) if index_symbol else None,
        index_symbol=index_symbol,
    )
    return SentimentParts(agent, client)


def _index_reader(database: Database, settings: Settings, symbol: str) -> IndexBars:
    def read(at: datetime) -> tuple[Bar, ...]:
        return stored_daily_bars(database, settings, symbol, at)

    return read


@dataclass(frozen=True, slots=True)
class SentimentNow:
    """What `agents sentiment SYMBOL` computed: the reading (as stored, or as it would be),
    the one-line summary, and the session time of a cached answer reused (None: fresh)."""

    reading: SentimentReading
    summary: str
    cached_from: datetime | None


def sentiment_now(database: Database, settings: Settings, clock: Clock, cache: Cache | None,
                  symbol: str) -> SentimentNow:  # fmt: skip
    """The sentiment of ``symbol`` now (module docstring)."""
    wanted = _usage_symbol(symbol)
    at = clock.now()
    bars = stored_daily_bars(database, settings, wanted, at)
    from trademind.db.sentiment_history import SentimentHistoryRepository

    history = SentimentHistoryRepository(database)
    assessment = asyncio.run(_assess(database, settings, clock, cache, history, wanted, at, bars))
    reading = reading_of(assessment, settings.sentiment.model, clock.now())
    return SentimentNow(reading, headline(assessment), assessment.cached_from)


async def _assess(  # noqa: PLR0917 - the command's parts
    database: Database,
    settings: Settings,
    clock: Clock,
    cache: Cache | None,
    history: HistorySink,
    symbol: str,
    at: datetime,
    bars: tuple[Bar, ...],
) -> Assessment:
    parts = sentiment_parts(database, settings, wall=clock, cache=cache, history=history)
    try:
        return await parts.agent.assess(symbol, at, bars)
    finally:
        await parts.aclose()


def stored_daily_bars(
    database: Database, settings: Settings, symbol: str, at: datetime
) -> tuple[Bar, ...]:
    """The newest :data:`HISTORY_BARS` stored daily bars of ``symbol`` closed by ``at``."""
    from trademind.data.store import BarStore

    frame = BarStore(database).read_bars(
        symbol, "1d", at - _BAR_DAYS, at - timedelta(days=1),
        adjusted=settings.data.adjusted_prices,
    )  # fmt: skip
    import pandas as pd

    times = pd.DatetimeIndex(frame["ts"]).to_pydatetime()
    bars = tuple(
        Bar(symbol=symbol, timeframe="1d", ts=ts, open=float(o), high=float(h), low=float(lo),
            close=float(c), volume=float(v))
        for ts, o, h, lo, c, v in zip(times, frame["open"], frame["high"], frame["low"],
                                      frame["close"], frame["volume"], strict=True)
    )  # fmt: skip
    return bars[-HISTORY_BARS:]


def sentiment_history(
    database: Database, symbol: str | None, limit: int = 20
) -> list[SentimentReading]:
    """The stored readings of ``symbol`` (None: of every symbol), newest first."""
    from trademind.db.sentiment_history import SentimentHistoryRepository

    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"--limit must be between 1 and {MAX_LIMIT}, got {limit}")
    wanted = None if symbol is None else _usage_symbol(symbol)
    return SentimentHistoryRepository(database).recent(wanted, limit)


def _usage_symbol(symbol: str) -> str:
    try:
        return checked_symbol(symbol.strip().upper())
    except ValidationError as error:
        raise UsageError(str(error)) from None
