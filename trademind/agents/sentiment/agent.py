"""The sentiment agent: a symbol's stored news, read point in time, as a vote (docs/ai.md,
"The sentiment agent").

At a decision time ``T`` (the bar close) :meth:`SentimentAgent.assess`:

1. reuses the symbol's cached text answer when one is fresh (:mod:`.agent_cache`), noting
   "cached from HH:MM UTC";
2. else reads the symbol's news known at ``T`` (:class:`~trademind.data.news.store.NewsStore`:
   published and first seen at or before ``T``); none within ``sentiment.news_lookback_hours``
   abstains ("no news for X in the N h before T"), never a neutral vote;
3. asks the text model (LLM or lexicon, ``sentiment.model``) once per timeframe 1d, 1w, 1m with
   that timeframe's headlines (:mod:`.market_facts`) and the market context of the bars, and
   combines the answers (:func:`~.combine.combine_timeframes`: weights 0.5, 0.3, 0.2);
4. when the LLM gives no answer (no key, breaker open, over budget, timeout, HTTP errors) the
   timeframes not yet asked are skipped; if no timeframe answered, the technical fallback
   (:func:`~.fallback.technical_sentiment`, ``source="fallback"``) runs with the reason when
   ``sentiment.fallback_to_momentum``, else it abstains with the reason. The text-model phase
   runs under :data:`LLM_SHARE` of ``sentiment.timeout_seconds`` so the fallback still fits in
   the agent's own timeout;
5. cuts the confidence for volatility (:func:`~.combine.reduce_for_volatility`, realised
   volatility of the bars against ``sentiment.reference_volatility``).

:func:`~.agent_vote.vote_of` turns the outcome into a vote; every outcome is stored in
``sentiment_history`` through the ``history`` sink when given. :meth:`SentimentAgent.analyze`
never raises: any failure is an abstention with its reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final, Protocol

from trademind.agents.base import AgentContext, abstain
from trademind.agents.sentiment.agent_cache import SentimentCache
from trademind.agents.sentiment.agent_vote import (
    NAME,
    Assessment,
    reading_of,
    vote_of,
)
from trademind.agents.sentiment.combine import combine_timeframes, reduce_for_volatility
from trademind.agents.sentiment.fallback import technical_sentiment
from trademind.agents.sentiment.headline_models import HeadlineModel
from trademind.agents.sentiment.llm_model import UNAVAILABLE
from trademind.agents.sentiment.market_facts import (
    market_context,
    realised_volatility,
    window,
)
from trademind.agents.sentiment.port import Abstention, SentimentAnswer, SentimentResult
from trademind.agents.sentiment.prompt import Headline, Horizon, MarketContext
from trademind.core.errors import LlmUnavailableError

if TYPE_CHECKING:
    from trademind.config.sections_ai import SentimentSettings
    from trademind.core.clock import Clock
    from trademind.core.decisions import Abstention as VoteAbstention
    from trademind.core.decisions import Vote
    from trademind.core.market import Bar
    from trademind.core.sentiment_history import SentimentReading
    from trademind.data.news.items import NewsItem

logger = logging.getLogger(__name__)

HORIZONS: Final[tuple[Horizon, ...]] = ("1d", "1w", "1m")
LLM_SHARE: Final = 0.9
"""Share of ``sentiment.timeout_seconds`` the text model may take (the rest: the fallback)."""
SOURCE_ERROR: Final = "error"
_DAY: Final = timedelta(days=1)


class NewsReader(Protocol):
    """The point-in-time news (``NewsStore.items``)."""

    def items(self, symbol: str, at: datetime, days: float | None = None) -> Sequence[NewsItem]: ...


class HistorySink(Protocol):
    """Where each reading goes (``sentiment_history``)."""

    def add(self, reading: SentimentReading) -> None: ...


type IndexBars = Callable[[datetime], Sequence["Bar"]]
"""The index's bars up to a time (oldest first), for the market context."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentScope:
    """Whose readings these are: stored with each history row."""

    account: str | None = None
    variant: str | None = None


class SentimentAgent:
    """The sentiment agent (module docstring)."""

    def __init__(
        self,
        settings: SentimentSettings,
        *,
        news: NewsReader,
        model: HeadlineModel,
        wall: Clock,
        cache: SentimentCache | None = None,
        history: HistorySink | None = None,
        scope: AgentScope | None = None,
        index: IndexBars | None = None,
        index_symbol: str | None = None,
    ) -> None:
        self._settings = settings
        self._news = news
        self._model = model
        self._wall = wall
        self._cache = cache
        self._history = history
        self._scope = scope or AgentScope()
        self._index = index
        self._index_symbol = index_symbol

    @property
    def name(self) -> str:
        return NAME

    async def analyze(self, context: AgentContext) -> Vote | VoteAbstention:
        """The vote (or abstention) on ``context.symbol`` at ``context.closed_at``."""
        try:
            assessment = await self.assess(context.symbol, context.closed_at, context.bars)
        except Exception as error:  # never crash the loop: an abstention with the reason
            logger.warning("sentiment agent on %s failed: %s", context.symbol, error)
            reason = f"sentiment failed: {type(error).__name__}: {error}"
            return abstain(NAME, context, reason, SOURCE_ERROR)
        return vote_of(context, assessment)

    async def assess(self, symbol: str, at: datetime, bars: Sequence[Bar]) -> Assessment:
        """The sentiment of ``symbol`` at ``at`` from ``bars`` (oldest first, all before
        ``at``), stored in the history when a sink is given."""
        assessment = await self._assess(symbol, at, bars)
        if self._history is not None:
            self._history.add(reading_of(assessment, self._model.name, self._wall.now(),
                                         self._scope.account, self._scope.variant))  # fmt: skip
        return assessment

    async def _assess(self, symbol: str, at: datetime, bars: Sequence[Bar]) -> Assessment:
        model = self._model.name
        cached = self._cache.get(model, symbol, at) if self._cache is not None else None
        if cached is not None:
            answer = self._for_volatility(cached.answer, bars)
            return Assessment(symbol, at, answer, cached.news_count, cached.computed_at)
        items = self._news.items(symbol, at, days=window("1m", self._lookback) / _DAY)
        recent = [item for item in items if at - item.published_at <= window("1d", self._lookback)]
        if not recent:
            reason = (
                f"no news for {symbol} in the {self._lookback:g} h before {at:%Y-%m-%d %H:%M} UTC"
            )
            return Assessment(symbol, at, Abstention(reason=reason, source=model), 0)
        answer, unavailable = await self._ask(symbol, at, items, self._market(bars, at))
        if unavailable is None and self._cache is not None:
            self._cache.put(model, symbol, at, answer, len(items))
        if unavailable is not None and not isinstance(answer, SentimentResult):
            return Assessment(symbol, at, self._fallback(answer, unavailable, bars), len(items))
        return Assessment(symbol, at, self._for_volatility(answer, bars), len(items))

    @property
    def _lookback(self) -> float:
        return float(self._settings.news_lookback_hours)

    def _market(self, bars: Sequence[Bar], at: datetime) -> MarketContext:
        index: Sequence[Bar] = ()
        if self._index is not None:
            try:
                index = self._index(at)
            except Exception as error:  # the index is context, not a reason to abstain
                logger.warning("sentiment: index bars unreadable (%s): index move n/a", error)
        return market_context(bars, index, self._index_symbol)

    async def _ask(
        self, symbol: str, at: datetime, items: Sequence[NewsItem], market: MarketContext
    ) -> tuple[SentimentAnswer, str | None]:
        """The combined answer, and why the LLM gave none when it did not (None: it did)."""
        answers: dict[Horizon, SentimentAnswer] = {}
        unavailable: str | None = None
        deadline = self._settings.timeout_seconds * LLM_SHARE
        try:
            async with asyncio.timeout(deadline):
                for horizon in HORIZONS:
                    headlines = self._headlines(items, at, horizon)
                    if not headlines:
                        continue
                    answers[horizon] = await self._model.headlines(
                        symbol, headlines, market, horizon
                    )
        except LlmUnavailableError as error:
            unavailable = error.reason
        except TimeoutError:
            unavailable = f"timeout (no answer within {deadline:g} s)"
        if unavailable is not None:
            for horizon in HORIZONS:
                answers.setdefault(
                    horizon,
                    Abstention(reason=f"{UNAVAILABLE}: {unavailable}", source=self._model.name),
                )
        return combine_timeframes(answers, source=self._model.name), unavailable

    def _headlines(
        self, items: Sequence[NewsItem], at: datetime, horizon: Horizon
    ) -> list[Headline]:
        reach = window(horizon, self._lookback)
        chosen = [item for item in items if at - item.published_at <= reach]
        return [
            Headline(title=item.title, source=item.source, published_at=item.published_at)
            for item in chosen[: self._settings.max_news_items]
        ]

    def _for_volatility(self, answer: SentimentAnswer, bars: Sequence[Bar]) -> SentimentAnswer:
        realised = realised_volatility(bars)
        if realised is None:
            return answer
        reference = self._settings.reference_volatility
        return reduce_for_volatility(answer, realised_vol=realised, reference_vol=reference)

    def _fallback(
        self, answer: SentimentAnswer, unavailable: str, bars: Sequence[Bar]
    ) -> SentimentAnswer:
        spent = answer.cost_usd
        if not self._settings.fallback_to_momentum:
            reason = f"{UNAVAILABLE}: {unavailable} (sentiment.fallback_to_momentum is off)"
            return Abstention(reason=reason, source=self._model.name, cost_usd=spent)
        logger.warning("sentiment: LLM unavailable (%s): technical fallback", unavailable)
        closes = [bar.close for bar in bars]
        volumes = [bar.volume for bar in bars]
        fallback = technical_sentiment(closes, volumes, reason=unavailable)
        if isinstance(fallback, Abstention):
            return replace(fallback, cost_usd=spent)
        return self._for_volatility(replace(fallback, cost_usd=spent), bars)
