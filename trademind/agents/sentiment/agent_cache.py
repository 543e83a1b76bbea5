"""The sentiment agent's cache: a symbol's text-model answer reused for ``cache_ttl_seconds``.

An entry (JSON, through the :class:`~trademind.core.ports.Cache` port) holds the answer and
``computed_at``, the **session time** of the decision it was computed for (a replay's bar close,
a paper session's wall clock). :meth:`SentimentCache.get` returns it only while
``0 <= decision time - computed_at < ttl``: a replay on daily bars never reuses yesterday's
answer, a paper session reuses one for up to ``ttl`` seconds, and a decision time before the
entry's (a replay started again) does not see it. The key names the text model and the symbol
(``sentiment:<model>:<SYMBOL>``); the cache's own time to live is the same ``ttl`` (wall clock),
so Redis forgets entries too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from trademind.agents.sentiment.port import (
    LABELS,
    Abstention,
    SentimentAnswer,
    SentimentResult,
)

if TYPE_CHECKING:
    from trademind.core.ports import Cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """A cache hit: the answer, when it was computed (session time) and from how many items."""

    answer: SentimentAnswer
    computed_at: datetime
    news_count: int


class SentimentCache:
    """Per-symbol answers in ``cache`` for ``ttl_seconds`` of session time (module docstring)."""

    def __init__(self, cache: Cache, ttl_seconds: float) -> None:
        self._cache = cache
        self._ttl = ttl_seconds

    def get(self, model: str, symbol: str, at: datetime) -> CachedAnswer | None:
        """The entry for ``model`` and ``symbol`` still fresh at the session time ``at``."""
        try:
            value = self._cache.get(_key(model, symbol))
        except Exception as error:  # a cache is only ever a cache: a failure is a miss
            logger.warning("sentiment cache read failed (%s): treated as a miss", error)
            return None
        if not isinstance(value, dict):
            return None
        try:
            computed_at = datetime.fromisoformat(str(value["computed_at"]))
            age = (at - computed_at).total_seconds()
            if not 0 <= age < self._ttl:
                return None
            return CachedAnswer(
                _answer(value["answer"]), computed_at, int(value.get("news_count", 0))
            )
        except (KeyError, TypeError, ValueError) as error:
            logger.warning("sentiment cache entry for %s unreadable (%s): a miss", symbol, error)
            return None

    def put(
        self, model: str, symbol: str, at: datetime, answer: SentimentAnswer, news_count: int
    ) -> None:
        """Remember ``answer`` as computed at the session time ``at``."""
        entry = {
            "computed_at": at.isoformat(),
            "answer": _document(answer),
            "news_count": news_count,
        }
        try:
            self._cache.set(_key(model, symbol), entry, ttl_seconds=self._ttl)
        except Exception as error:  # losing a cache entry loses nothing
            logger.warning("sentiment cache write failed (%s)", error)


def _key(model: str, symbol: str) -> str:
    return f"sentiment:{model}:{symbol}"


def _document(answer: SentimentAnswer) -> dict[str, Any]:
    if isinstance(answer, Abstention):
        return {
            "kind": "abstention",
            "reason": answer.reason,
            "source": answer.source,
            "key_factors": list(answer.key_factors),
            "cost_usd": answer.cost_usd,
        }
    return {
        "kind": "result",
        "label": answer.label,
        "score": answer.score,
        "confidence": answer.confidence,
        "key_factors": list(answer.key_factors),
        "source": answer.source,
        "cost_usd": answer.cost_usd,
        "reasoning": answer.reasoning,
        "notes": list(answer.notes),
    }


def _answer(document: Any) -> SentimentAnswer:
    doc = cast(dict[str, Any], document)
    factors = tuple(str(factor) for factor in doc["key_factors"])
    if doc["kind"] == "abstention":
        return Abstention(
            reason=str(doc["reason"]),
            source=str(doc["source"]),
            key_factors=factors,
            cost_usd=float(doc["cost_usd"]),
        )
    label = doc["label"]
    if label not in LABELS:
        raise ValueError(f"unknown label {label!r}")
    return SentimentResult(
        label=label,
        score=float(doc["score"]),
        confidence=float(doc["confidence"]),
        key_factors=factors,
        source=str(doc["source"]),
        cost_usd=float(doc["cost_usd"]),
        reasoning=str(doc["reasoning"]),
        notes=tuple(str(note) for note in doc["notes"]),
    )
