"""What the sentiment agent asks about a symbol's headlines: the LLM or the offline lexicon.

:class:`HeadlineModel` is the agent's side of the text models: ``headlines(symbol, headlines,
market, horizon)`` answers a :class:`~.port.SentimentResult` or an :class:`~.port.Abstention`,
and raises :class:`~trademind.core.errors.LlmUnavailableError` only when a language model gives
no answer at all. :class:`~.llm_model.LlmSentimentModel` is one;
:class:`LexiconHeadlineModel` is the other (docs/ai.md, "The sentiment agent"):

the lexicon reads each headline on its own (:class:`~.lexicon.LexiconSentimentModel`); the
headlines it abstains on drop out. With none left it abstains ("the lexicon found no sentiment
in N headlines"). Otherwise ``score`` is the mean of the scores, ``confidence`` the mean of the
confidences times the share of headlines that said something, the label follows the score
(``positive`` above :data:`~.combine.NEUTRAL_BAND`, ``negative`` below its negative, else
``neutral``) and the key factors are the matched words, first seen first, at most 10. It costs
nothing, ignores the market context and answers the same for every horizon (the agent's
horizons still differ by their news windows).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

from trademind.agents.sentiment.combine import label_for
from trademind.agents.sentiment.lexicon import SOURCE as LEXICON
from trademind.agents.sentiment.lexicon import LexiconSentimentModel
from trademind.agents.sentiment.port import (
    Abstention,
    SentimentAnswer,
    SentimentResult,
)
from trademind.agents.sentiment.prompt import Headline, Horizon, MarketContext

MAX_FACTORS: Final = 10


class HeadlineModel(Protocol):
    """A text model the sentiment agent asks about one symbol's headlines (module docstring)."""

    @property
    def name(self) -> str: ...

    async def headlines(
        self,
        symbol: str,
        headlines: Sequence[Headline],
        market: MarketContext,
        horizon: Horizon,
    ) -> SentimentAnswer: ...


class LexiconHeadlineModel:
    """The finance lexicon over headlines (module docstring)."""

    def __init__(self, lexicon: LexiconSentimentModel | None = None) -> None:
        self._lexicon = lexicon or LexiconSentimentModel()

    @property
    def name(self) -> str:
        return LEXICON

    async def headlines(
        self,
        symbol: str,
        headlines: Sequence[Headline],
        market: MarketContext,
        horizon: Horizon,
    ) -> SentimentAnswer:
        answers = [self._lexicon.score_now(headline.title) for headline in headlines]
        results = [answer for answer in answers if isinstance(answer, SentimentResult)]
        if not results:
            reason = f"the lexicon found no sentiment in {len(headlines)} headline(s)"
            return Abstention(reason=reason, source=LEXICON)
        score = sum(result.score for result in results) / len(results)
        share = len(results) / len(headlines)
        confidence = share * sum(result.confidence for result in results) / len(results)
        factors: list[str] = []
        for result in results:
            factors.extend(f for f in result.key_factors if f not in factors)
        return SentimentResult(
            label=label_for(score),
            score=max(-1.0, min(1.0, score)),
            confidence=max(0.0, min(1.0, confidence)),
            key_factors=tuple(factors[:MAX_FACTORS]),
            source=LEXICON,
            notes=(f"lexicon: {len(results)} of {len(headlines)} headline(s) had sentiment",),
        )
