"""The sentiment-model port: a text in, a labelled score or an abstention with its reason out.

Every model (the offline lexicon, the LLM) answers :meth:`SentimentModel.score` with a
:class:`SentimentResult` (label, score in [-1, 1], confidence in [0, 1], the key factors it
used, its ``source``) or an :class:`Abstention` (the reason it will not say). A model never
turns "I cannot tell" into a neutral label: neutral is a claim about the text, an abstention is
the absence of one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

SentimentLabel = Literal["positive", "negative", "neutral"]
LABELS: tuple[SentimentLabel, ...] = ("positive", "negative", "neutral")


@dataclass(frozen=True, slots=True, kw_only=True)
class SentimentResult:
    """A model's reading of one text. ``key_factors`` are the words or reasons it rests on."""

    label: SentimentLabel
    score: float
    confidence: float
    key_factors: tuple[str, ...]
    source: str
    cost_usd: float = 0.0
    """What producing this answer cost (0 for the lexicon; an LLM's priced tokens)."""
    reasoning: str = ""
    """The model's own step-by-step reasoning, when it gave one (an LLM's JSON answer)."""
    notes: tuple[str, ...] = ()
    """What was done to the answer on the way in (a clamped confidence, a volatility cut, ...)."""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.score) and -1.0 <= self.score <= 1.0):
            raise ValueError(f"score must be in [-1, 1], got {self.score}")
        if not (math.isfinite(self.confidence) and 0.0 <= self.confidence <= 1.0):
            raise ValueError(f"confidence must be in [0, 1], got {self.confidence}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Abstention:
    """A model declining to label a text; ``reason`` says why in one line."""

    reason: str
    source: str
    key_factors: tuple[str, ...] = ()
    cost_usd: float = 0.0


type SentimentAnswer = SentimentResult | Abstention


@dataclass(frozen=True, slots=True, kw_only=True)
class SentimentContext:
    """What a model may use besides the text: the symbol it is about and free-form market facts
    (an LLM puts them in its prompt; the lexicon ignores them)."""

    symbol: str | None = None
    facts: Mapping[str, str] = field(default_factory=dict)


class SentimentModel(Protocol):
    """A text sentiment model. ``name`` is what evaluations and votes record (e.g. "lexicon")."""

    @property
    def name(self) -> str: ...

    async def score(self, text: str, context: SentimentContext | None = None) -> SentimentAnswer:
        """Label ``text`` or abstain; never raises for a text it cannot read (it abstains)."""
        ...
