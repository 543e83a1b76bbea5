"""The offline lexicon sentiment model: labels on clear texts, abstentions with their reasons,
negation, and on the bundled balanced set a covered accuracy above the majority baseline."""

from __future__ import annotations

import asyncio

import pytest

from trademind.agents.sentiment.lexicon import MIN_DOMINANCE, LexiconSentimentModel
from trademind.agents.sentiment.port import Abstention, SentimentResult
from trademind.services.sentiment_dataset import SAMPLE_PATH, load_dataset
from trademind.services.sentiment_metrics import Prediction, classification_metrics

MODEL = LexiconSentimentModel()


def _result(text: str) -> SentimentResult:
    answer = MODEL.score_now(text)
    assert isinstance(answer, SentimentResult), answer
    return answer


def _abstention(text: str) -> Abstention:
    answer = MODEL.score_now(text)
    assert isinstance(answer, Abstention), answer
    return answer


def test_a_clearly_positive_headline_is_positive_with_its_words() -> None:
    result = _result("Shares surged after the company beat earnings estimates.")
    assert result.label == "positive"
    assert 0 < result.score <= 1
    assert result.key_factors == ("surged", "beat")
    assert result.source == "lexicon"
    assert result.cost_usd == 0.0


def test_a_clearly_negative_headline_is_negative() -> None:
    result = _result("Analysts downgraded the stock after losses widened.")
    assert result.label == "negative"
    assert -1 <= result.score < 0
    assert set(result.key_factors) == {"downgraded", "losses"}


def test_finance_neutral_nouns_carry_no_sentiment() -> None:
    # plain VADER scores "interest", "credit", "shares" and "outstanding" as positive
    reason = _abstention("The bond pays interest on its credit facility; shares outstanding.")
    assert reason.reason == "no sentiment words matched"


def test_negation_flips_a_term_and_is_shown_in_the_factors() -> None:
    result = _result("Revenue was not strong this quarter.")
    assert result.label == "negative"
    assert "not strong" in result.key_factors


def test_more_agreeing_evidence_gives_more_confidence() -> None:
    one = _result("The stock rallied.")
    three = _result("The stock rallied after strong results beat forecasts.")
    assert 0 < one.confidence < three.confidence <= 1
    # one-sided evidence: confidence = |compound| * 1
    assert one.confidence == pytest.approx(abs(one.score))


def test_mixed_evidence_discounts_confidence_by_its_dominance() -> None:
    mixed = _result("Good results but terrible guidance.")
    assert mixed.label == "negative"  # VADER weighs what follows "but" more
    assert mixed.confidence < abs(mixed.score)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty text"),
        ("   \n\t", "empty text"),
        ("The company will report results on Thursday.", "no sentiment words matched"),
    ],
)
def test_abstains_on_empty_text_and_without_sentiment_words(text: str, reason: str) -> None:
    assert _abstention(text).reason == reason


def test_abstains_when_positive_and_negative_evidence_balance() -> None:
    answer = _abstention("Profits soared while the debt load plunged the rating into junk.")
    assert answer.reason.startswith("positive and negative evidence too balanced")
    assert f"< {MIN_DOMINANCE}" in answer.reason
    assert {"soared", "plunged"} <= set(answer.key_factors)


def test_score_is_the_async_port_of_score_now() -> None:
    text = "Shares tumbled on weak guidance."
    assert asyncio.run(MODEL.score(text)) == MODEL.score_now(text)
    assert MODEL.name == "lexicon"


def test_on_the_balanced_sample_covered_accuracy_beats_the_majority_baseline() -> None:
    rows = load_dataset(SAMPLE_PATH)
    predictions = []
    for row in rows:
        answer = MODEL.score_now(row.text)
        label = answer.label if isinstance(answer, SentimentResult) else None
        confidence = answer.confidence if isinstance(answer, SentimentResult) else None
        predictions.append(Prediction(row.label, label, confidence))
    metrics = classification_metrics(predictions)
    assert metrics.majority_baseline == pytest.approx(1 / 3)  # balanced: 24 of each label
    assert metrics.covered_accuracy is not None
    assert metrics.covered_accuracy > metrics.majority_baseline + 0.3
    assert 0.3 < metrics.coverage < 0.9  # it abstains, and not on everything
