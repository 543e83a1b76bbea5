"""The sentiment agent of a trading session (``orchestrator.enabled`` and ``sentiment.enabled``).

One agent and one LLM client per session, closed when the session ends (``closing``). It votes
with ``orchestrator.weights.sentiment`` under ``sentiment.timeout_seconds``. It decides at the
session's time (a replay's bar close), so the cache compares session times; a replay's cache is
a :class:`~trademind.cache.MemoryCache` of its own (a replay of other days must not meet a
paper session's entries), a paper session's the configured cache (``cache.*``: memory, or Redis).

Its writes go with the journal's (:meth:`~trademind.portfolio.journal.SqlBrokerJournal.
attach`): the ``sentiment_history`` rows and the ``llm_calls`` rows are kept and written in the
step's transaction (a replay's block of steps, or at once when the step's decisions are
written), so the agent never opens a second write transaction on SQLite while the block's is
open; the daily budget counts the calls kept but not yet written. A replay reads its window's
news once (:class:`~trademind.data.news.preloaded.PreloadedNews`, the same point-in-time rule
answered from memory) instead of one query per symbol and bar.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import timedelta
from typing import TYPE_CHECKING

from trademind.agents.sentiment.agent import AgentScope
from trademind.core.market import TradingMode
from trademind.orchestrator.factory import ExtraAgent

if TYPE_CHECKING:
    from trademind.agents.sentiment.agent import NewsReader
    from trademind.config import Settings
    from trademind.core.clock import Clock
    from trademind.core.ports import Cache
    from trademind.db.session import Database
    from trademind.portfolio.journal import SqlBrokerJournal
    from trademind.services.trade.plan import TradePlan


def session_sentiment(
    database: Database,
    settings: Settings,
    plan: TradePlan,
    *,
    journal: SqlBrokerJournal,
    clock: Clock,
    wall: Clock,
    closing: AsyncExitStack,
) -> ExtraAgent | None:
    """The session's sentiment agent with its weight and timeout (None when not wanted)."""
    if plan.orchestrator is None or not settings.sentiment.enabled:
        return None
    from trademind.db.llm_calls import LlmCallRepository, PendingLlmCalls
    from trademind.db.sentiment_history import PendingSentimentRows
    from trademind.services.sentiment_service import sentiment_parts

    history = PendingSentimentRows()
    ledger = PendingLlmCalls(LlmCallRepository(database))
    journal.attach(ledger)
    journal.attach(history)
    parts = sentiment_parts(
        database,
        settings,
        wall=wall,
        cache=_session_cache(settings, plan, clock, closing),
        history=history,
        ledger=ledger,
        scope=AgentScope(account=plan.account, variant=plan.orchestrator.variant),
        news=None if plan.mode is TradingMode.PAPER else _replay_news(database, settings, plan),
    )
    closing.push_async_callback(parts.aclose)
    return ExtraAgent(
        parts.agent,
        settings.orchestrator.weights.sentiment,
        timeout_seconds=settings.sentiment.timeout_seconds,
    )


def _replay_news(database: Database, settings: Settings, plan: TradePlan) -> NewsReader:
    """The replay window's news read once (every decision time is at most the last close)."""
    from trademind.data.news.preloaded import PreloadedNews
    from trademind.data.news.store import NewsStore
    from trademind.runtime.bar_sources import bar_length

    store = NewsStore(database)
    start, end = plan.session.start, plan.session.end
    if start is None or end is None:
        return store
    until = end + bar_length(plan.timeframe)
    reach = max(timedelta(days=30), timedelta(hours=settings.sentiment.news_lookback_hours))
    days = (until - start + reach + timedelta(days=1)) / timedelta(days=1)
    return PreloadedNews.load(store, plan.symbols, until, days)


def _session_cache(
    settings: Settings, plan: TradePlan, clock: Clock, closing: AsyncExitStack
) -> Cache:
    from trademind.cache import MemoryCache, build_cache

    ttl = float(settings.sentiment.cache_ttl_seconds)
    if plan.mode is not TradingMode.PAPER:
        return MemoryCache(ttl, clock)
    cache = build_cache(
        settings.cache.backend,
        redis_url=settings.cache.redis_url,
        key_prefix=settings.cache.key_prefix,
        default_ttl_seconds=settings.cache.default_ttl_seconds,
        clock=clock,
    )
    close = getattr(cache, "close", None)
    if callable(close):
        closing.callback(close)
    return cache
