"""Reading an LLM's sentiment answer: the strict JSON schema, and a labelled text fallback.

:func:`parse_answer` turns the model's raw text into a :class:`SentimentResult` or an
:class:`Abstention` (docs/ai.md, "Sentiment answers"), in this order:

1. an empty (or whitespace-only) answer abstains ("empty answer");
2. the JSON object is taken from a fenced block (```json ... ``` or ``` ... ```), else from the
   whole text, else from the first ``{`` to the last ``}``;
3. if no JSON object can be read, the **text fallback** runs (below);
4. a non-finite ``score`` or ``confidence`` (NaN, Infinity) abstains with the field named;
5. a ``confidence`` outside [0, 1] is clamped into it, logged as a warning and noted in the
   result's ``notes``;
6. the object is validated against :class:`AnswerSchema` (extra fields forbidden, score in
   [-1, 1]); a failure abstains with the first error;
7. a label that contradicts its score abstains: ``positive`` with ``score < 0``, ``negative``
   with ``score > 0``, ``neutral`` with ``|score| >`` :data:`NEUTRAL_MAX_ABS_SCORE`.

Text fallback: the answer's words are searched for the label words (``positive``/``bullish``,
``negative``/``bearish``, ``neutral``; whole words, any case). Exactly one label's words present,
none of them preceded by a negation (``not``, ``no``, ``isn't``, ``never``...), gives that label
with ``confidence =`` :data:`TEXT_CONFIDENCE` (0.3, low: a label read from prose is weak
evidence), ``score = ±TEXT_CONFIDENCE`` (0 for neutral) and ``source = "<source>-text"``.
Anything else abstains ("unparseable answer: ...").
"""

from __future__ import annotations

import json
import logging
import math
import re
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from trademind.agents.sentiment.port import (
    Abstention,
    SentimentAnswer,
    SentimentLabel,
    SentimentResult,
)

logger = logging.getLogger(__name__)

SOURCE: Final = "llm"
TEXT_CONFIDENCE: Final = 0.3
"""Fixed confidence of a label read from prose rather than from the JSON object."""
NEUTRAL_MAX_ABS_SCORE: Final = 0.5
"""A ``neutral`` answer whose ``|score|`` exceeds this contradicts itself."""
MAX_FACTOR_CHARS: Final = 120
MAX_FACTORS: Final = 10

ShortText = Annotated[str, Field(min_length=1, max_length=MAX_FACTOR_CHARS)]


class AnswerSchema(BaseModel):
    """The JSON object the prompt asks for; nothing else is accepted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sentiment: SentimentLabel = Field(description="positive, negative or neutral")
    score: float = Field(ge=-1.0, le=1.0, description="-1 very negative .. 1 very positive")
    confidence: float = Field(ge=0.0, le=1.0, description="0 no confidence .. 1 certain")
    key_factors: list[ShortText] = Field(
        max_length=MAX_FACTORS, description="the short facts the answer rests on"
    )
    reasoning: str = Field(description="the step-by-step reasoning behind the answer")


_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_LABEL_WORDS: Final[dict[SentimentLabel, tuple[str, ...]]] = {
    "positive": ("positive", "bullish"),
    "negative": ("negative", "bearish"),
    "neutral": ("neutral",),
}
_NEGATIONS: Final = frozenset({"not", "no", "never", "isn't", "isnt", "nor", "neither", "hardly"})
_WORD = re.compile(r"[a-z']+")


def parse_answer(text: str, *, source: str = SOURCE, cost_usd: float = 0.0) -> SentimentAnswer:
    """Read the model's ``text`` as a result or an abstention with its reason; never raises."""
    if not text or not text.strip():
        return Abstention(reason="empty answer", source=source, cost_usd=cost_usd)
    obj = _json_object(text)
    if obj is None:
        return _from_text(text, source=source, cost_usd=cost_usd)
    return _from_json(obj, source=source, cost_usd=cost_usd)


def _json_object(text: str) -> dict[str, Any] | None:
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    first, last = text.find("{"), text.rfind("}")
    if 0 <= first < last:
        candidates.append(text[first : last + 1])
    for candidate in candidates:
        try:
            value = json.loads(candidate.strip())
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _from_json(obj: dict[str, Any], *, source: str, cost_usd: float) -> SentimentAnswer:
    def abstain(reason: str) -> Abstention:
        return Abstention(reason=reason, source=source, cost_usd=cost_usd)

    for name in ("score", "confidence"):
        value = obj.get(name)
        if isinstance(value, float) and not math.isfinite(value):
            return abstain(f"{name} is not a finite number ({value})")
    obj, notes = _clamp_confidence(obj)
    try:
        answer = AnswerSchema.model_validate(obj)
    except PydanticValidationError as exc:
        return abstain(f"answer does not match the schema: {_first_error(exc)}")
    contradiction = _contradiction(answer.sentiment, answer.score)
    if contradiction:
        return abstain(contradiction)
    return SentimentResult(
        label=answer.sentiment,
        score=answer.score,
        confidence=answer.confidence,
        key_factors=tuple(answer.key_factors),
        source=source,
        cost_usd=cost_usd,
        reasoning=answer.reasoning,
        notes=notes,
    )


def _clamp_confidence(obj: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    value = obj.get("confidence")
    if isinstance(value, bool) or not isinstance(value, int | float) or 0.0 <= value <= 1.0:
        return obj, ()
    clamped = min(1.0, max(0.0, float(value)))
    note = f"confidence {value} outside [0, 1] clamped to {clamped}"
    logger.warning("sentiment answer: %s", note)
    return {**obj, "confidence": clamped}, (note,)


def _first_error(exc: PydanticValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "answer"
    return f"{where}: {error['msg']}"


def _contradiction(label: SentimentLabel, score: float) -> str | None:
    if label == "positive" and score < 0:
        return f"label positive contradicts score {score}"
    if label == "negative" and score > 0:
        return f"label negative contradicts score {score}"
    if label == "neutral" and abs(score) > NEUTRAL_MAX_ABS_SCORE:
        return f"label neutral contradicts score {score}"
    return None


def _from_text(text: str, *, source: str, cost_usd: float) -> SentimentAnswer:
    words = _WORD.findall(text.lower())
    found: dict[SentimentLabel, str] = {}
    for index, word in enumerate(words):
        label = _label_of(word)
        if label is None:
            continue
        if index > 0 and words[index - 1] in _NEGATIONS:
            return _unparseable(f"negated label word '{words[index - 1]} {word}'", source, cost_usd)
        found.setdefault(label, word)
    if len(found) != 1:
        detail = "no label word" if not found else "several labels: " + ", ".join(sorted(found))
        return _unparseable(detail, source, cost_usd)
    ((label, word),) = found.items()
    sign = {"positive": 1.0, "negative": -1.0, "neutral": 0.0}[label]
    return SentimentResult(
        label=label,
        score=sign * TEXT_CONFIDENCE,
        confidence=TEXT_CONFIDENCE,
        key_factors=(f"answer text says '{word}'",),
        source=f"{source}-text",
        cost_usd=cost_usd,
        notes=("no JSON object in the answer; label read from its text",),
    )


def _label_of(word: str) -> SentimentLabel | None:
    for label, label_words in _LABEL_WORDS.items():
        if word in label_words:
            return label
    return None


def _unparseable(detail: str, source: str, cost_usd: float) -> Abstention:
    return Abstention(reason=f"unparseable answer: {detail}", source=source, cost_usd=cost_usd)
