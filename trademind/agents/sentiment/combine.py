"""Combining sentiment across timeframes, and cutting confidence when the market is volatile.

:func:`combine_timeframes` (docs/ai.md, "Sentiment answers"): the answers for the 1-day, 1-week
and 1-month horizons carry the weights of :data:`TIMEFRAME_WEIGHTS` (0.5, 0.3, 0.2). Abstaining
(or missing) timeframes drop out and the others' weights are renormalised to sum to 1. The
combined ``score`` and ``confidence`` are the weighted means; the label follows the score:
``positive`` above :data:`NEUTRAL_BAND`, ``negative`` below ``-NEUTRAL_BAND``, else ``neutral``.
Key factors and each answer's notes are prefixed with their timeframe ("1d: ..."); costs add up,
abstentions' included.
When every timeframe abstains the combination abstains, listing each reason.

:func:`reduce_for_volatility`: ``confidence x clip(reference_vol / realised_vol, 0.5, 1)`` —
unchanged while realised volatility is at or below the reference, halved at most.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Final

from trademind.agents.sentiment.port import (
    Abstention,
    SentimentAnswer,
    SentimentLabel,
    SentimentResult,
)
from trademind.agents.sentiment.prompt import Horizon
from trademind.core.errors import ValidationError

TIMEFRAME_WEIGHTS: Final[dict[Horizon, float]] = {"1d": 0.5, "1w": 0.3, "1m": 0.2}
NEUTRAL_BAND: Final = 0.1
"""A combined ``|score|`` at or below this is labelled neutral."""
MIN_VOLATILITY_FACTOR: Final = 0.5


def combine_timeframes(
    answers: Mapping[Horizon, SentimentAnswer], *, source: str = "llm"
) -> SentimentAnswer:
    """One answer from the per-timeframe answers, weighted as documented above."""
    unknown = sorted(set(answers) - set(TIMEFRAME_WEIGHTS))
    if unknown:
        raise ValidationError(f"unknown sentiment timeframe(s): {', '.join(unknown)}")
    ordered = [(tf, answers[tf]) for tf in TIMEFRAME_WEIGHTS if tf in answers]
    cost = sum(answer.cost_usd for _, answer in ordered)
    results = [(tf, a) for tf, a in ordered if isinstance(a, SentimentResult)]
    skipped = [f"{tf}: {a.reason}" for tf, a in ordered if isinstance(a, Abstention)]
    if not results:
        reason = "; ".join(skipped) if skipped else "no timeframe answers"
        return Abstention(
            reason=f"every timeframe abstained ({reason})", source=source, cost_usd=cost
        )
    total = sum(TIMEFRAME_WEIGHTS[tf] for tf, _ in results)
    score = sum(TIMEFRAME_WEIGHTS[tf] * r.score for tf, r in results) / total
    confidence = sum(TIMEFRAME_WEIGHTS[tf] * r.confidence for tf, r in results) / total
    weights = ", ".join(f"{tf} {TIMEFRAME_WEIGHTS[tf] / total:.2f}" for tf, _ in results)
    carried = (f"{tf}: {note}" for tf, r in results for note in r.notes)
    notes = (f"weights {weights}", *(f"abstained {s}" for s in skipped), *carried)
    return SentimentResult(
        label=label_for(score),
        score=_clip(score, -1.0, 1.0),
        confidence=_clip(confidence, 0.0, 1.0),
        key_factors=tuple(f"{tf}: {factor}" for tf, r in results for factor in r.key_factors),
        source=source,
        cost_usd=cost,
        reasoning="\n".join(f"{tf}: {r.reasoning}" for tf, r in results if r.reasoning),
        notes=notes,
    )


def volatility_factor(realised_vol: float, reference_vol: float) -> float:
    """``clip(reference_vol / realised_vol, 0.5, 1)``; 1 when realised volatility is 0."""
    for name, value in (("realised", realised_vol), ("reference", reference_vol)):
        if not math.isfinite(value) or value < 0:
            raise ValidationError(f"{name} volatility must be a finite number >= 0, got {value}")
    if realised_vol == 0:
        return 1.0
    return _clip(reference_vol / realised_vol, MIN_VOLATILITY_FACTOR, 1.0)


def reduce_for_volatility(
    answer: SentimentAnswer, *, realised_vol: float, reference_vol: float
) -> SentimentAnswer:
    """``answer`` with its confidence cut by :func:`volatility_factor`; abstentions unchanged."""
    factor = volatility_factor(realised_vol, reference_vol)
    if isinstance(answer, Abstention) or factor == 1.0:
        return answer
    note = (
        f"confidence x{factor:.2f}: realised volatility {realised_vol:.4g} "
        f"above reference {reference_vol:.4g}"
    )
    return replace(answer, confidence=answer.confidence * factor, notes=(*answer.notes, note))


def label_for(score: float) -> SentimentLabel:
    """``positive`` above :data:`NEUTRAL_BAND`, ``negative`` below ``-NEUTRAL_BAND``, else
    ``neutral``: the one label rule of every combined or derived sentiment score."""
    if score > NEUTRAL_BAND:
        return "positive"
    if score < -NEUTRAL_BAND:
        return "negative"
    return "neutral"


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))
