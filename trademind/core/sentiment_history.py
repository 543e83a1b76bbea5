"""One sentiment result as ``sentiment_history`` keeps it: pure values.

A reading is what the sentiment agent (or ``agents sentiment SYMBOL``) concluded for a symbol at
one decision time: a label, score and confidence from its ``source`` (``llm``, ``llm-text``,
``lexicon`` or ``fallback``), or an abstention (``label``, ``score`` and ``confidence`` None,
``abstention_reason`` set).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SentimentReading:
    """One row of ``sentiment_history`` (``id`` None before it is stored).

    ``decided_at`` is the session time of the decision (a replay's bar close; the wall clock
    for a paper session or the CLI), ``computed_at`` the wall-clock time it was computed,
    ``model`` the configured text model (``llm`` or ``lexicon``), ``source`` what produced the
    answer."""

    symbol: str
    decided_at: datetime
    computed_at: datetime
    model: str
    source: str
    label: str | None
    score: float | None
    confidence: float | None
    key_factors: tuple[str, ...] = ()
    reasoning: str = ""
    notes: tuple[str, ...] = ()
    cost_usd: float = 0.0
    news_count: int = 0
    abstention_reason: str | None = None
    account: str | None = None
    variant: str | None = None
    id: int | None = None

    @property
    def abstained(self) -> bool:
        return self.abstention_reason is not None
