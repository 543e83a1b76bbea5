"""The LLM sentiment model against the fake OpenAI-compatible server, over real HTTP: the prompt
it sends, the JSON answer read with its cost, prose read or abstained on, broken answers
abstained on, and an unavailable model abstaining (score) or raising (headlines)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from support.llm_client import Harness

from trademind.agents.sentiment.llm_model import LlmSentimentModel
from trademind.agents.sentiment.port import Abstention, SentimentContext, SentimentResult
from trademind.agents.sentiment.prompt import Headline, MarketContext
from trademind.core.errors import LlmUnavailableError
from trademind.testing.fake_llm import (
    completion_reply,
    json_answer,
    malformed_json,
    prose,
    server_error,
)

GOOD = {
    "sentiment": "positive",
    "score": 0.6,
    "confidence": 0.8,
    "key_factors": ["record iPhone sales"],
    "reasoning": "1. Sales beat. 2. Positive.",
}
# glm-4.7 at $0.6 / $2.2 per million tokens: 1000 in, 100 out
COST = (1000 * 0.6 + 100 * 2.2) / 1_000_000


async def test_a_json_answer_becomes_a_result_with_its_cost(harness: Harness) -> None:
    harness.server.script(json_answer(GOOD, tokens_in=1000, tokens_out=100))
    async with harness.client() as client:
        answer = await LlmSentimentModel(client).score(
            "Apple posts record iPhone sales", SentimentContext(symbol="AAPL")
        )
    assert isinstance(answer, SentimentResult)
    assert (answer.label, answer.score, answer.confidence) == ("positive", 0.6, 0.8)
    assert answer.key_factors == ("record iPhone sales",)
    assert answer.cost_usd == pytest.approx(COST)
    body = harness.server.requests[0].body
    assert body["response_format"] == {"type": "json_object"}
    assert "Text: Apple posts record iPhone sales" in body["messages"][-1]["content"]
    assert "Symbol: AAPL." in body["messages"][-1]["content"]
    assert harness.outcomes() == ["ok"]


async def test_prose_with_one_label_is_read_with_low_confidence_and_its_cost(
    harness: Harness,
) -> None:
    harness.server.script(prose("Overall this is bearish for the stock.", tokens_in=1000,
                                tokens_out=100))  # fmt: skip
    async with harness.client() as client:
        answer = await LlmSentimentModel(client).score("Guidance cut")
    assert isinstance(answer, SentimentResult)
    assert (answer.label, answer.source, answer.confidence) == ("negative", "llm-text", 0.3)
    assert answer.cost_usd == pytest.approx(COST)
    assert harness.outcomes() == ["parse_error"]  # the ledger says what came back


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (prose("Hard to say; could be positive or negative."), "unparseable answer"),
        (completion_reply('{"sentiment": "positive", "score": -0.4, "note": "negative'),
         "unparseable answer: several labels"),
        (completion_reply('{"sentiment": "positive", "score": NaN, "confidence": 0.5, '
                          '"key_factors": [], "reasoning": "x"}'), "score is not a finite"),
        (completion_reply(""), "empty answer"),
    ],
)  # fmt: skip
async def test_answers_it_cannot_use_abstain_with_the_reason(
    harness: Harness, reply: object, reason: str
) -> None:
    harness.server.script(reply)  # type: ignore[arg-type]
    async with harness.client() as client:
        answer = await LlmSentimentModel(client).score("Some text")
    assert isinstance(answer, Abstention)
    assert reason in answer.reason


async def test_malformed_json_naming_one_label_is_read_as_a_weak_text_label(
    harness: Harness,
) -> None:
    harness.server.script(malformed_json())  # '{"sentiment": "positive", "score": 0.4'
    async with harness.client() as client:
        answer = await LlmSentimentModel(client).score("Some text")
    assert isinstance(answer, SentimentResult)
    assert (answer.label, answer.source, answer.confidence) == ("positive", "llm-text", 0.3)


async def test_a_confidence_of_7_is_clamped_with_a_note(harness: Harness) -> None:
    harness.server.script(json_answer({**GOOD, "confidence": 7}))
    async with harness.client() as client:
        answer = await LlmSentimentModel(client).score("Some text")
    assert isinstance(answer, SentimentResult)
    assert answer.confidence == 1.0
    assert answer.notes == ("confidence 7 outside [0, 1] clamped to 1.0",)


async def test_an_unavailable_model_abstains_on_a_text_and_raises_on_headlines(
    harness: Harness,
) -> None:
    harness.server.script(server_error(), server_error())
    headline = Headline(title="x", source="wire", published_at=datetime(2024, 1, 2, tzinfo=UTC))
    async with harness.client(max_retries=0) as client:
        model = LlmSentimentModel(client)
        answer = await model.score("Some text")
        assert isinstance(answer, Abstention)
        assert answer.reason == "LLM unavailable: HTTP error"
        with pytest.raises(LlmUnavailableError):
            await model.headlines("AAPL", [headline], MarketContext(), "1w")
    assert "the next week" in harness.server.requests[1].body["messages"][-1]["content"]
    assert harness.outcomes() == ["http_error", "http_error"]


async def test_without_a_key_nothing_is_sent(harness: Harness) -> None:
    async with harness.client(api_key=None) as client:
        answer = await LlmSentimentModel(client).score("Some text")
    assert isinstance(answer, Abstention)
    assert answer.reason == "LLM unavailable: no API key"
    assert harness.server.requests == []
