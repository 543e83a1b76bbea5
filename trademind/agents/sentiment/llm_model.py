"""The LLM sentiment model: the language model behind the :class:`~.port.SentimentModel` port.

One text (:meth:`LlmSentimentModel.score`) or one symbol's headlines
(:meth:`LlmSentimentModel.headlines`) become the chat messages of :mod:`.prompt`, sent through
the :class:`~trademind.agents.llm.LlmClient` with ``purpose="sentiment"`` and a JSON object
asked for (``response_format``); the answer's text is read by
:func:`~.answer.parse_answer` (the strict schema, else the labelled text fallback, else an
abstention), with the call's priced cost in ``cost_usd`` (0 when the model has no price). An
answer that is not a JSON object is still read (the client records it as ``parse_error`` with
its cost). Every call, refused or answered, is in the client's ledger (``llm_calls``).

When the model gives no answer (no API key, breaker open, over budget, timeouts or HTTP errors
after the retries) :meth:`score` abstains with ``"LLM unavailable: <reason>"``;
:meth:`headlines` raises :class:`~trademind.core.errors.LlmUnavailableError` instead, so the
sentiment agent can tell "no answer" (its technical fallback) from "an answer it cannot use"
(an abstention).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from trademind.agents.llm.messages import ChatMessage
from trademind.agents.sentiment.answer import parse_answer
from trademind.agents.sentiment.port import Abstention, SentimentAnswer, SentimentContext
from trademind.agents.sentiment.prompt import (
    Headline,
    Horizon,
    MarketContext,
    Message,
    build_messages,
    build_text_messages,
)
from trademind.core.errors import LlmParseError, LlmUnavailableError

if TYPE_CHECKING:
    from trademind.agents.llm.client import LlmClient

SOURCE: Final = "llm"
PURPOSE: Final = "sentiment"
UNAVAILABLE: Final = "LLM unavailable"


class LlmSentimentModel:
    """The language model as a sentiment model (module docstring); ``horizon`` is the one
    :meth:`score` asks about (the agent names one per call to :meth:`headlines`)."""

    def __init__(self, client: LlmClient, *, horizon: Horizon = "1d") -> None:
        self._client = client
        self._horizon: Horizon = horizon

    @property
    def name(self) -> str:
        return SOURCE

    async def score(self, text: str, context: SentimentContext | None = None) -> SentimentAnswer:
        """Label one ``text`` or abstain (never raises for an answer or an outage)."""
        if not text.strip():
            return Abstention(reason="empty text", source=SOURCE)
        facts: Mapping[str, str] = context.facts if context is not None else {}
        symbol = context.symbol if context is not None else None
        messages = build_text_messages(text, symbol=symbol, facts=facts, horizon=self._horizon)
        try:
            return await self._ask(messages)
        except LlmUnavailableError as error:
            return Abstention(reason=f"{UNAVAILABLE}: {error.reason}", source=SOURCE)

    async def headlines(
        self,
        symbol: str,
        headlines: Sequence[Headline],
        market: MarketContext,
        horizon: Horizon,
    ) -> SentimentAnswer:
        """``symbol``'s sentiment over ``horizon`` from ``headlines``; raises
        :class:`~trademind.core.errors.LlmUnavailableError` when the model gives no answer."""
        return await self._ask(build_messages(symbol, headlines, market, horizon=horizon))

    async def _ask(self, messages: Sequence[Message]) -> SentimentAnswer:
        chat = [ChatMessage(role, content) for role, content in messages]
        try:
            answer = await self._client.complete(chat, purpose=PURPOSE, json_object=True)
        except LlmParseError as error:
            return parse_answer(error.content, source=SOURCE, cost_usd=usd(error.cost_usd))
        return parse_answer(answer.content, source=SOURCE, cost_usd=usd(answer.cost_usd))


def usd(cost: Decimal | None) -> float:
    """A priced cost as a float (0 when the model has no price: the ledger says unknown)."""
    return 0.0 if cost is None else float(cost)
