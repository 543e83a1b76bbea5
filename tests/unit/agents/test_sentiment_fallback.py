"""The technical fallback: labelled, proportional, and abstaining when the data cannot say."""

from __future__ import annotations

import numpy as np
import pytest

from trademind.agents.sentiment.fallback import (
    CONFIDENCE_FACTOR,
    FALLBACK_NOTE,
    technical_sentiment,
)
from trademind.agents.sentiment.port import Abstention, SentimentResult
from trademind.core.errors import ValidationError

DAYS = 60
REASON = "circuit breaker open"


def _geometric(daily_return: float, days: int = DAYS) -> np.ndarray:
    return 100.0 * (1.0 + daily_return) ** np.arange(days)


def _volumes(days: int = DAYS) -> np.ndarray:
    return np.full(days, 1_000_000.0)


def _result(closes: np.ndarray, volumes: np.ndarray | None = None) -> SentimentResult:
    answer = technical_sentiment(
        closes, _volumes(closes.size) if volumes is None else volumes, reason=REASON
    )
    assert isinstance(answer, SentimentResult)
    return answer


def test_rising_series_is_positive_and_labelled_fallback() -> None:
    answer = _result(_geometric(0.01))
    assert answer.label == "positive"
    assert answer.score > 0.4
    assert answer.source == "fallback"
    assert answer.cost_usd == 0.0


def test_falling_series_is_negative() -> None:
    answer = _result(_geometric(-0.01))
    assert answer.label == "negative"
    assert answer.score < -0.4


def test_flat_series_is_neutral_with_zero_confidence() -> None:
    answer = _result(np.full(DAYS, 50.0))
    assert (answer.label, answer.score, answer.confidence) == ("neutral", 0.0, 0.0)


def test_confidence_grows_with_the_size_of_the_move() -> None:
    confidences = [_result(_geometric(rate)).confidence for rate in (0.001, 0.003, 0.01)]
    assert confidences[0] < confidences[1] < confidences[2] <= CONFIDENCE_FACTOR


def test_confidence_is_the_score_magnitude_times_the_factor() -> None:
    answer = _result(_geometric(0.004))
    assert answer.confidence == pytest.approx(abs(answer.score) * CONFIDENCE_FACTOR)


def test_rising_volume_strengthens_a_rising_move() -> None:
    closes = _geometric(0.003)
    rising_volume = _volumes()
    rising_volume[-5:] *= 3.0
    assert _result(closes, rising_volume).score > _result(closes).score


def test_notes_carry_the_reason_the_llm_was_not_used() -> None:
    answer = _result(_geometric(0.01))
    assert answer.notes == (f"LLM not used: {REASON}", FALLBACK_NOTE)
    assert any("momentum" in factor for factor in answer.key_factors)


def test_too_short_a_history_abstains_with_the_reason() -> None:
    answer = technical_sentiment(_geometric(0.01, 34), _volumes(34), reason="over budget")
    assert isinstance(answer, Abstention)
    assert answer.source == "fallback"
    assert "fewer than 35" in answer.reason
    assert "over budget" in answer.reason


def test_nan_in_the_last_35_closes_abstains() -> None:
    closes = _geometric(0.01)
    closes[-10] = np.nan
    answer = technical_sentiment(closes, _volumes(), reason=REASON)
    assert isinstance(answer, Abstention)
    assert REASON in answer.reason


def test_nan_before_the_last_35_closes_is_ignored() -> None:
    closes = _geometric(0.01)
    closes[5] = np.nan
    assert _result(closes).label == "positive"


def test_nan_volume_abstains() -> None:
    volumes = _volumes()
    volumes[-1] = np.nan
    answer = technical_sentiment(_geometric(0.01), volumes, reason=REASON)
    assert isinstance(answer, Abstention)
    assert "volume" in answer.reason


@pytest.mark.parametrize(
    ("closes", "volumes", "reason"),
    [
        (np.ones(40), np.ones(39), REASON),
        (np.ones((40, 2)), np.ones((40, 2)), REASON),
        (np.ones(40), np.ones(40), "  "),
    ],
)
def test_malformed_input_is_a_validation_error(
    closes: np.ndarray, volumes: np.ndarray, reason: str
) -> None:
    with pytest.raises(ValidationError):
        technical_sentiment(closes, volumes, reason=reason)
