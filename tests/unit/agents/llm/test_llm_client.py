"""The LLM client against the fake OpenAI-compatible server, over real HTTP: answers, token
usage and cost, retries honouring Retry-After, timeouts, and the key kept out of every log
and error."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from support.llm_client import API_KEY, Harness

from trademind.agents.llm import ChatMessage
from trademind.core.errors import LlmParseError, LlmUnavailableError
from trademind.core.llm_calls import LlmOutcome
from trademind.testing.fake_llm import (
    hang,
    json_answer,
    malformed_json,
    prose,
    rate_limited,
    server_error,
)

MESSAGES = (ChatMessage("system", "You rate news."), ChatMessage("user", "AAPL beats estimates"))


async def test_an_answer_with_its_usage_and_cost_recorded(harness: Harness) -> None:
    harness.server.script(json_answer({"sentiment": "positive"}, tokens_in=1000, tokens_out=500))
    async with harness.client() as client:
        answer = await client.complete(MESSAGES, purpose="sentiment", json_object=True)
    assert answer.data == {"sentiment": "positive"}
    assert (answer.tokens_in, answer.tokens_out, answer.attempts) == (1000, 500, 1)
    expected = (Decimal("0.6") * 1000 + Decimal("2.2") * 500) / 1_000_000  # $0.0017
    assert answer.cost_usd == expected
    [call] = harness.ledger.calls
    assert (call.outcome, call.purpose, call.model) == (LlmOutcome.OK, "sentiment", "glm-4.7")
    assert (call.tokens_in, call.tokens_out, call.cost_usd) == (1000, 500, expected)
    assert call.latency_ms is not None
    assert call.latency_ms > 0
    [request] = harness.server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.body["model"] == "glm-4.7"
    assert request.body["temperature"] == 0.3
    assert request.body["response_format"] == {"type": "json_object"}
    assert request.body["messages"][1] == {"role": "user", "content": "AAPL beats estimates"}


async def test_prose_is_returned_as_text_when_no_json_was_asked_for(harness: Harness) -> None:
    harness.server.script(prose("Looks bullish to me."))
    async with harness.client() as client:
        answer = await client.complete(MESSAGES, purpose="sentiment")
    assert (answer.content, answer.data) == ("Looks bullish to me.", None)
    assert "response_format" not in harness.server.requests[0].body


@pytest.mark.parametrize("reply", [prose(), malformed_json()], ids=["prose", "malformed"])
async def test_an_answer_that_is_not_a_json_object_is_a_parse_error_with_its_cost(
    harness: Harness, reply: object
) -> None:
    harness.server.script(reply)  # type: ignore[arg-type]
    async with harness.client() as client:
        with pytest.raises(LlmParseError) as caught:
            await client.complete(MESSAGES, purpose="sentiment", json_object=True)
    assert caught.value.content  # the raw text, for a text fallback
    [call] = harness.ledger.calls
    assert call.outcome is LlmOutcome.PARSE_ERROR
    assert call.cost_usd is not None
    assert call.cost_usd > 0
    assert client.breaker.consecutive_failures == 0  # the API itself works


async def test_a_429_then_success_waits_as_long_as_retry_after_says(harness: Harness) -> None:
    harness.server.script(rate_limited(retry_after=7), json_answer({"ok": True}))
    async with harness.client() as client:
        answer = await client.complete(MESSAGES, purpose="sentiment", json_object=True)
    assert harness.sleeper.waits == [7.0]  # longer than the 1 s backoff: Retry-After wins
    assert answer.attempts == 2
    assert harness.outcomes() == ["ok"]
    assert len(harness.server.requests) == 2


async def test_a_retry_after_beyond_the_limit_ends_the_call(harness: Harness) -> None:
    harness.server.script(rate_limited(retry_after=600))
    async with harness.client(retry_after_max=60) as client:
        with pytest.raises(LlmUnavailableError, match="Retry-After 600s > 60s"):
            await client.complete(MESSAGES, purpose="sentiment")
    assert harness.sleeper.waits == []
    assert harness.outcomes() == ["http_error"]


async def test_500s_exhaust_the_retries_with_exponential_backoff(harness: Harness) -> None:
    harness.server.script(server_error(), server_error(502), server_error(503))
    async with harness.client(max_retries=2) as client:
        with pytest.raises(LlmUnavailableError) as caught:
            await client.complete(MESSAGES, purpose="sentiment")
    assert caught.value.outcome == LlmOutcome.HTTP_ERROR
    assert "HTTP 503" in str(caught.value)
    assert harness.sleeper.waits == [1.0, 2.0]
    [call] = harness.ledger.calls
    assert (call.outcome, call.attempts, call.cost_usd) == (LlmOutcome.HTTP_ERROR, 3, None)
    assert harness.server.pending == 0


async def test_a_400_is_not_retried(harness: Harness) -> None:
    harness.server.script(server_error(400, '{"error": "bad model"}'))
    async with harness.client() as client:
        with pytest.raises(LlmUnavailableError, match="HTTP 400"):
            await client.complete(MESSAGES, purpose="sentiment")
    assert len(harness.server.requests) == 1
    assert harness.sleeper.waits == []


async def test_a_hanging_server_is_a_timeout(harness: Harness) -> None:
    harness.server.script(hang(5))
    async with harness.client(timeout=0.2, max_retries=0) as client:
        with pytest.raises(LlmUnavailableError) as caught:
            await client.complete(MESSAGES, purpose="sentiment")
    assert (caught.value.reason, caught.value.outcome) == ("timeout", LlmOutcome.TIMEOUT)
    assert harness.outcomes() == ["timeout"]


async def test_a_body_that_is_not_a_chat_completion_is_a_parse_error(harness: Harness) -> None:
    from trademind.testing.fake_llm import Reply

    harness.server.script(Reply(body="<html>gateway</html>"))
    async with harness.client() as client:
        with pytest.raises(LlmUnavailableError, match="not a chat completion"):
            await client.complete(MESSAGES, purpose="sentiment")
    assert harness.outcomes() == ["parse_error"]


async def test_an_unknown_model_is_called_but_its_cost_is_unknown(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.server.script(json_answer({"x": 1}))
    async with harness.client(model="other-model") as client:
        answer = await client.complete(MESSAGES, purpose="sentiment")
    assert answer.cost_usd is None
    assert harness.ledger.calls[0].cost_usd is None
    assert "no price for LLM model 'other-model'" in caplog.text


async def test_without_a_key_nothing_is_called_nor_recorded(harness: Harness) -> None:
    async with harness.client(api_key=None) as client:
        assert not client.available
        with pytest.raises(LlmUnavailableError, match="no API key"):
            await client.complete(MESSAGES, purpose="sentiment")
    assert harness.server.requests == []
    assert harness.ledger.calls == []


async def test_the_key_is_never_in_logs_nor_errors(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    echo = f'{{"error": "invalid key {API_KEY}"}}'  # a server that echoes the key back
    harness.server.script(json_answer({"a": 1}), server_error(401, echo))
    caplog.set_level(logging.DEBUG)
    async with harness.client() as client:
        await client.complete(MESSAGES, purpose="sentiment")
        with pytest.raises(LlmUnavailableError) as caught:
            await client.complete(MESSAGES, purpose="sentiment")
    assert "LLM request POST" in caplog.text
    assert "LLM response HTTP 200" in caplog.text
    assert "invalid key **********" in caplog.text  # the echoed body, redacted
    assert API_KEY not in caplog.text
    assert API_KEY not in str(caught.value)
    assert all(API_KEY not in (call.error or "") for call in harness.ledger.calls)
    assert API_KEY in harness.server.requests[0].headers["Authorization"]  # it was sent
