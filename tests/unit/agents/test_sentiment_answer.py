"""parse_answer: strict JSON, fenced JSON, clamped confidence, NaN, contradictions, and the
labelled text fallback that abstains when the prose is ambiguous."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from trademind.agents.sentiment.answer import TEXT_CONFIDENCE, AnswerSchema, parse_answer
from trademind.agents.sentiment.port import Abstention, SentimentResult


def _answer(**overrides: Any) -> str:
    body: dict[str, Any] = {
        "sentiment": "positive",
        "score": 0.6,
        "confidence": 0.8,
        "key_factors": ["earnings beat", "raised guidance"],
        "reasoning": "Step 1: revenue beat. Step 2: guidance raised.",
    }
    body.update(overrides)
    return json.dumps(body)


def _result(text: str) -> SentimentResult:
    answer = parse_answer(text)
    assert isinstance(answer, SentimentResult), answer
    return answer


def _abstention(text: str) -> Abstention:
    answer = parse_answer(text)
    assert isinstance(answer, Abstention), answer
    return answer


def test_a_valid_json_answer_becomes_a_result_with_factors_and_reasoning() -> None:
    result = _result(_answer())
    assert (result.label, result.score, result.confidence) == ("positive", 0.6, 0.8)
    assert result.key_factors == ("earnings beat", "raised guidance")
    assert result.reasoning.startswith("Step 1")
    assert result.source == "llm"
    assert result.notes == ()


def test_json_inside_a_fence_with_prose_around_it_is_read() -> None:
    text = "Here is my analysis:\n```json\n" + _answer(sentiment="negative", score=-0.4) + "\n```"
    result = _result(text)
    assert (result.label, result.score) == ("negative", -0.4)


def test_json_in_a_bare_fence_or_embedded_in_prose_is_read() -> None:
    assert _result("```\n" + _answer() + "\n```").label == "positive"
    assert (
        _result("Answer: " + _answer(sentiment="neutral", score=0.0) + " done").label == "neutral"
    )


def test_a_confidence_of_7_is_clamped_with_a_warning_and_a_note(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="trademind.agents.sentiment.answer"):
        result = _result(_answer(confidence=7))
    assert result.confidence == 1.0
    assert result.notes == ("confidence 7 outside [0, 1] clamped to 1.0",)
    assert "clamped" in caplog.text


def test_a_negative_confidence_is_clamped_to_zero() -> None:
    result = _result(_answer(confidence=-0.2))
    assert result.confidence == 0.0
    assert "clamped to 0.0" in result.notes[0]


@pytest.mark.parametrize("field", ["score", "confidence"])
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_score_or_confidence_abstains_naming_the_field(field: str, value: str) -> None:
    text = _answer(**{field: 0.5}).replace(f'"{field}": 0.5', f'"{field}": {value}')
    assert value in text
    assert _abstention(text).reason.startswith(f"{field} is not a finite number")


@pytest.mark.parametrize(
    ("label", "score"), [("positive", -0.3), ("negative", 0.2), ("neutral", 0.9)]
)
def test_a_label_that_contradicts_its_score_abstains(label: str, score: float) -> None:
    reason = _abstention(_answer(sentiment=label, score=score)).reason
    assert reason == f"label {label} contradicts score {score}"


def test_zero_score_does_not_contradict_either_label() -> None:
    assert _result(_answer(score=0.0)).label == "positive"


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"score": 1.5}, "score"),
        ({"sentiment": "very bullish"}, "sentiment"),
        ({"mood": "happy"}, "mood"),
        ({"key_factors": ["x" * 200]}, "key_factors.0"),
    ],
)
def test_json_that_breaks_the_schema_abstains_with_the_field(
    overrides: dict[str, Any], where: str
) -> None:
    reason = _abstention(_answer(**overrides)).reason
    assert reason.startswith(f"answer does not match the schema: {where}:")


def test_a_missing_field_abstains() -> None:
    text = json.dumps({"sentiment": "positive", "score": 0.5, "confidence": 0.5})
    assert "key_factors" in _abstention(text).reason


def test_malformed_json_with_one_label_falls_back_to_a_low_confidence_text_label() -> None:
    result = _result('{"sentiment": "bearish", "score": -0.5, "confidence": 0.9,')
    assert (result.label, result.score, result.confidence) == (
        "negative",
        -TEXT_CONFIDENCE,
        TEXT_CONFIDENCE,
    )
    assert result.source == "llm-text"
    assert result.notes == ("no JSON object in the answer; label read from its text",)


def test_prose_with_one_clear_label_is_read_as_text() -> None:
    result = _result("Overall the news flow is Bullish for the stock.")
    assert (result.label, result.source) == ("positive", "llm-text")
    assert result.key_factors == ("answer text says 'bullish'",)


def test_prose_saying_neutral_gives_neutral_with_zero_score() -> None:
    result = _result("I would call this neutral.")
    assert (result.label, result.score) == ("neutral", 0.0)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Positive revenue but negative margins.", "several labels: negative, positive"),
        ("The outlook is not bullish at all.", "negated label word 'not bullish'"),
        ("I cannot tell from these headlines.", "no label word"),
        ("Somewhat positively surprising.", "no label word"),
    ],
)
def test_ambiguous_or_label_free_prose_abstains(text: str, detail: str) -> None:
    assert _abstention(text).reason == f"unparseable answer: {detail}"


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_an_empty_answer_abstains(text: str) -> None:
    assert _abstention(text).reason == "empty answer"


def test_a_json_list_is_not_an_answer_object() -> None:
    assert _abstention("[1, 2, 3]").reason == "unparseable answer: no label word"


def test_the_source_and_cost_are_carried_into_results_and_abstentions() -> None:
    answer = parse_answer("", source="glm", cost_usd=0.002)
    assert (answer.source, answer.cost_usd) == ("glm", 0.002)
    text_result = parse_answer("bearish", source="glm", cost_usd=0.001)
    assert (text_result.source, text_result.cost_usd) == ("glm-text", 0.001)


def test_the_schema_forbids_extra_fields_and_bounds_its_numbers() -> None:
    schema = AnswerSchema.model_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["properties"]["score"]["minimum"] == -1.0
    assert schema["properties"]["confidence"]["maximum"] == 1.0
    assert set(schema["required"]) == {
        "sentiment",
        "score",
        "confidence",
        "key_factors",
        "reasoning",
    }
