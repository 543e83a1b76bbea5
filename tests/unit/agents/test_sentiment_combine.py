"""Multi-timeframe combination (0.5/0.3/0.2 renormalised over the answering timeframes) and the
volatility cut of confidence (x clip(reference / realised, 0.5, 1))."""

from __future__ import annotations

import math

import pytest

from trademind.agents.sentiment.combine import (
    combine_timeframes,
    reduce_for_volatility,
    volatility_factor,
)
from trademind.agents.sentiment.port import Abstention, SentimentLabel, SentimentResult
from trademind.core.errors import ValidationError


def _r(
    label: SentimentLabel, score: float, confidence: float, cost: float = 0.0
) -> SentimentResult:
    return SentimentResult(
        label=label,
        score=score,
        confidence=confidence,
        key_factors=(f"{label} factor",),
        source="llm",
        cost_usd=cost,
        reasoning=f"{label} because",
    )


def _abstain(reason: str, cost: float = 0.0) -> Abstention:
    return Abstention(reason=reason, source="llm", cost_usd=cost)


def test_all_three_timeframes_use_the_documented_weights() -> None:
    combined = combine_timeframes(
        {
            "1d": _r("positive", 0.8, 0.9),
            "1w": _r("negative", -0.2, 0.5),
            "1m": _r("neutral", 0.0, 0.4),
        }
    )
    assert isinstance(combined, SentimentResult)
    assert combined.score == pytest.approx(0.5 * 0.8 + 0.3 * -0.2)
    assert combined.confidence == pytest.approx(0.5 * 0.9 + 0.3 * 0.5 + 0.2 * 0.4)
    assert combined.label == "positive"
    assert combined.key_factors == (
        "1d: positive factor",
        "1w: negative factor",
        "1m: neutral factor",
    )
    assert combined.notes == ("weights 1d 0.50, 1w 0.30, 1m 0.20",)
    assert combined.reasoning.splitlines()[0] == "1d: positive because"


def test_an_abstaining_timeframe_drops_out_and_weights_renormalise() -> None:
    combined = combine_timeframes(
        {
            "1d": _abstain("no news", 0.01),
            "1w": _r("negative", -0.6, 0.6, 0.02),
            "1m": _r("negative", -0.1, 0.2),
        }
    )
    assert isinstance(combined, SentimentResult)
    assert combined.score == pytest.approx((0.3 * -0.6 + 0.2 * -0.1) / 0.5)
    assert combined.confidence == pytest.approx((0.3 * 0.6 + 0.2 * 0.2) / 0.5)
    assert combined.label == "negative"
    assert combined.cost_usd == pytest.approx(0.03)
    assert combined.notes == ("weights 1w 0.60, 1m 0.40", "abstained 1d: no news")


def test_a_single_answering_timeframe_carries_full_weight() -> None:
    combined = combine_timeframes({"1m": _r("positive", 0.4, 0.7)})
    assert isinstance(combined, SentimentResult)
    assert (combined.score, combined.confidence) == (pytest.approx(0.4), pytest.approx(0.7))


@pytest.mark.parametrize(
    ("score", "label"),
    [(0.1, "neutral"), (-0.1, "neutral"), (0.11, "positive"), (-0.11, "negative")],
)
def test_the_combined_label_follows_the_score_with_a_neutral_band(score: float, label: str) -> None:
    sign_label: SentimentLabel = "positive" if score > 0 else "negative"
    combined = combine_timeframes({"1d": _r(sign_label, score, 0.5)})
    assert isinstance(combined, SentimentResult)
    assert combined.label == label


def test_all_timeframes_abstaining_abstains_with_every_reason_and_the_cost() -> None:
    combined = combine_timeframes({"1d": _abstain("no news", 0.01), "1w": _abstain("over budget")})
    assert isinstance(combined, Abstention)
    assert combined.reason == "every timeframe abstained (1d: no news; 1w: over budget)"
    assert combined.cost_usd == pytest.approx(0.01)


def test_no_answers_abstains_and_an_unknown_timeframe_is_an_error() -> None:
    empty = combine_timeframes({})
    assert isinstance(empty, Abstention)
    assert empty.reason == "every timeframe abstained (no timeframe answers)"
    with pytest.raises(ValidationError, match="unknown sentiment timeframe"):
        combine_timeframes({"1y": _r("positive", 0.5, 0.5)})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("realised", "reference", "factor"),
    [
        (0.10, 0.20, 1.0),
        (0.20, 0.20, 1.0),
        (0.25, 0.20, 0.8),
        (0.40, 0.20, 0.5),
        (0.90, 0.20, 0.5),
        (0.0, 0.20, 1.0),
    ],
)
def test_volatility_factor_boundaries(realised: float, reference: float, factor: float) -> None:
    assert volatility_factor(realised, reference) == pytest.approx(factor)


def test_high_volatility_cuts_confidence_and_notes_it() -> None:
    reduced = reduce_for_volatility(_r("positive", 0.6, 0.8), realised_vol=0.25, reference_vol=0.2)
    assert isinstance(reduced, SentimentResult)
    assert reduced.confidence == pytest.approx(0.64)
    assert reduced.score == 0.6
    assert reduced.notes == ("confidence x0.80: realised volatility 0.25 above reference 0.2",)


def test_calm_markets_and_abstentions_are_left_unchanged() -> None:
    result = _r("positive", 0.6, 0.8)
    assert reduce_for_volatility(result, realised_vol=0.1, reference_vol=0.2) is result
    abstention = _abstain("no news")
    assert reduce_for_volatility(abstention, realised_vol=0.9, reference_vol=0.2) is abstention


@pytest.mark.parametrize(("realised", "reference"), [(math.nan, 0.2), (0.2, -0.1), (math.inf, 0.2)])
def test_bad_volatility_is_a_clear_error(realised: float, reference: float) -> None:
    with pytest.raises(ValidationError, match="volatility must be a finite number >= 0"):
        volatility_factor(realised, reference)
