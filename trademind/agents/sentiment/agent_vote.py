"""The sentiment agent's outcome as a vote, and as a ``sentiment_history`` row.

:func:`vote_of` (docs/ai.md, "The sentiment agent"): a result votes with its ``score`` and
``confidence`` and the direction **BUY** when ``score >`` :data:`VOTE_BAND`, **SELL** when
``score < -VOTE_BAND``, else **HOLD** (a neutral reading is an opinion: stay as we are). The
vote's ``source`` is the answer's (``llm``, ``lexicon``, ``fallback``), its key factors the
answer's (prefixed with their timeframe), and its reasoning one line
``"<label> sentiment: score +0.42, confidence 0.61, source llm, 5 news item(s), cost $0.0012"``
(plus ``"; cached from HH:MM UTC"`` on a cache hit), then the notes (weights, clamps, the
volatility cut, the fallback's reason) one per line, then the model's own reasoning. An
abstention stays one, with its reason (and ``"; cost $..."`` when something was spent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from trademind.agents.base import abstain
from trademind.agents.sentiment.combine import NEUTRAL_BAND
from trademind.agents.sentiment.port import Abstention, SentimentAnswer
from trademind.core.decisions import Action, Vote
from trademind.core.sentiment_history import SentimentReading

if TYPE_CHECKING:
    from trademind.agents.base import AgentContext
    from trademind.core.decisions import Abstention as VoteAbstention

NAME: Final = "sentiment"
VOTE_BAND: Final = NEUTRAL_BAND
"""A ``|score|`` at or below this votes HOLD (0.1, the neutral band of the labels)."""
MAX_REASONING_CHARS: Final = 4000


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the agent concluded for ``symbol`` at ``at`` (session time): the answer, how many
    news items it read, and the session time of the cached answer it reused (None: fresh)."""

    symbol: str
    at: datetime
    answer: SentimentAnswer
    news_count: int
    cached_from: datetime | None = None


def direction_of(score: float) -> Action:
    """BUY above :data:`VOTE_BAND`, SELL below its negative, else HOLD."""
    if score > VOTE_BAND:
        return Action.BUY
    if score < -VOTE_BAND:
        return Action.SELL
    return Action.HOLD


def headline(assessment: Assessment) -> str:
    """The one-line summary that starts the reasoning (module docstring)."""
    answer = assessment.answer
    cost = f"cost ${answer.cost_usd:.4f}"
    cached = (
        ""
        if assessment.cached_from is None
        else f"; cached from {assessment.cached_from.astimezone(UTC):%H:%M} UTC"
    )
    if isinstance(answer, Abstention):
        spent = f"; {cost}" if answer.cost_usd > 0 else ""
        return f"{answer.reason}{spent}{cached}"
    return (
        f"{answer.label} sentiment: score {answer.score:+.2f}, confidence "
        f"{answer.confidence:.2f}, source {answer.source}, {assessment.news_count} news "
        f"item(s), {cost}{cached}"
    )


def reasoning_of(assessment: Assessment) -> str:
    """The vote's reasoning (module docstring), at most 4,000 characters."""
    answer = assessment.answer
    lines = [headline(assessment)]
    if not isinstance(answer, Abstention):
        lines.extend(answer.notes)
        if answer.reasoning:
            lines.append(answer.reasoning)
    text = "\n".join(lines)
    return text if len(text) <= MAX_REASONING_CHARS else text[: MAX_REASONING_CHARS - 3] + "..."


def vote_of(context: AgentContext, assessment: Assessment) -> Vote | VoteAbstention:
    """The vote (or abstention) of :class:`Assessment` on the context's symbol."""
    answer = assessment.answer
    if isinstance(answer, Abstention):
        return abstain(NAME, context, headline(assessment), answer.source)
    return Vote(
        agent=NAME,
        symbol=context.symbol,
        direction=direction_of(answer.score),
        score=float(answer.score),
        confidence=float(answer.confidence),
        data_time=context.closed_at,
        source=answer.source,
        reasoning=reasoning_of(assessment),
        key_factors=tuple(f for f in answer.key_factors if f.strip()),
    )


def reading_of(
    assessment: Assessment,
    model: str,
    computed_at: datetime,
    account: str | None = None,
    variant: str | None = None,
) -> SentimentReading:
    """The ``sentiment_history`` row of ``assessment`` (``model``: the configured text model)."""
    answer = assessment.answer
    abstained = isinstance(answer, Abstention)
    return SentimentReading(
        symbol=assessment.symbol,
        decided_at=assessment.at,
        computed_at=computed_at,
        model=model,
        source=answer.source,
        label=None if isinstance(answer, Abstention) else answer.label,
        score=None if isinstance(answer, Abstention) else answer.score,
        confidence=None if isinstance(answer, Abstention) else answer.confidence,
        key_factors=answer.key_factors,
        reasoning=headline(assessment) if abstained else reasoning_of(assessment),
        notes=() if isinstance(answer, Abstention) else answer.notes + _cached_note(assessment),
        cost_usd=answer.cost_usd,
        news_count=assessment.news_count,
        abstention_reason=answer.reason if isinstance(answer, Abstention) else None,
        account=account,
        variant=variant,
    )


def _cached_note(assessment: Assessment) -> tuple[str, ...]:
    if assessment.cached_from is None:
        return ()
    return (f"cached from {assessment.cached_from.isoformat()}",)
