"""The language model client: one reused ``httpx.AsyncClient``, retries, a circuit breaker,
the daily budget and a ledger row for every call.

A call (:meth:`LlmClient.complete`) goes: no API key -> :class:`LlmUnavailableError` (nothing
recorded); today's recorded cost >= ``llm.daily_budget_usd`` -> refused, ``over_budget``;
breaker open -> refused, ``breaker_open``; else up to ``1 + llm.max_retries`` attempts (one
only for the half-open probe) with exponential backoff that honours Retry-After. The outcome,
tokens, latency and cost are recorded whatever happens (a call the caller cancels, e.g. on its
own deadline, is recorded as ``timeout`` without a cost, and does not count for the breaker).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Self
from urllib.parse import urlsplit

import httpx

from trademind.agents.llm.attempt import (
    Attempt,
    AttemptFailure,
    Completion,
    FinalFailure,
    RetryableFailure,
)
from trademind.agents.llm.breaker import CircuitBreaker
from trademind.agents.llm.ledger import CallLedger
from trademind.agents.llm.messages import ChatMessage, LlmAnswer
from trademind.agents.llm.pricing import call_cost
from trademind.agents.llm.retry_policy import Sleeper, retrying
from trademind.config.sections_ai import LlmSettings
from trademind.core.clock import Clock
from trademind.core.errors import LlmParseError, LlmUnavailableError
from trademind.core.llm_calls import LlmCall, LlmOutcome
from trademind.core.secrets import scrub

_REASONS = {
    LlmOutcome.HTTP_ERROR: "HTTP error",
    LlmOutcome.TIMEOUT: "timeout",
    LlmOutcome.PARSE_ERROR: "unreadable response",
}


class LlmClient:
    """Chat completions against ``settings.base_url``. Close it (``aclose`` or ``async with``)
    to release its connections. ``sleep`` waits between retries (tests pass a recorder)."""

    def __init__(
        self,
        settings: LlmSettings,
        ledger: CallLedger,
        clock: Clock,
        *,
        sleep: Sleeper = asyncio.sleep,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._settings = settings
        self._ledger = ledger
        self._clock = clock
        self._sleep = sleep
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(settings.timeout))
        host = urlsplit(settings.base_url).netloc
        self.breaker = CircuitBreaker(
            settings.breaker_failures,
            settings.breaker_cooldown_seconds,
            clock,
            label=f"{settings.model} at {host}",
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def available(self) -> bool:
        """Is there an API key (without one every call raises at once)?"""
        return self._api_key() is not None

    async def complete(
        self, messages: Sequence[ChatMessage], *, purpose: str, json_object: bool = False
    ) -> LlmAnswer:
        """The model's answer to ``messages``. ``purpose`` (e.g. "sentiment") is recorded.
        ``json_object``: ask for a JSON object (``response_format``) and parse it into
        ``LlmAnswer.data``; an answer that is not one raises :class:`LlmParseError`.
        Raises :class:`LlmUnavailableError` when there is no answer."""
        key = self._api_key()
        if key is None:
            raise LlmUnavailableError("no API key", None, "set TRADEMIND__LLM__API_KEY")
        self._refuse_when_over_budget(purpose)
        if not self.breaker.try_acquire():
            wait = self.breaker.seconds_until_probe()
            self._record(purpose, LlmOutcome.BREAKER_OPEN, error=f"probe in {wait:.0f}s")
            raise LlmUnavailableError("circuit breaker open", LlmOutcome.BREAKER_OPEN)
        started = time.perf_counter()
        completion, attempts = await self._attempts(messages, key, json_object, purpose, started)
        return self._answer(completion, attempts, json_object, purpose, started)

    def _api_key(self) -> str | None:
        secret = self._settings.api_key
        value = secret.get_secret_value() if secret is not None else ""
        return value or None

    def _refuse_when_over_budget(self, purpose: str) -> None:
        budget = Decimal(str(self._settings.daily_budget_usd))
        spent = self._ledger.cost_on(self._clock.now().date())
        if spent >= budget:
            detail = f"spent ${spent:.4f} of ${budget:.2f} today (UTC)"
            self._record(purpose, LlmOutcome.OVER_BUDGET, error=detail)
            raise LlmUnavailableError("over budget", LlmOutcome.OVER_BUDGET, detail)

    async def _attempts(
        self,
        messages: Sequence[ChatMessage],
        key: str,
        json_object: bool,
        purpose: str,
        started: float,
    ) -> tuple[Completion, int]:
        attempts = 0
        settings = self._settings
        policy = retrying(
            attempts=1 if self.breaker.probing else 1 + settings.max_retries,
            initial=settings.retry_initial_wait,
            maximum=settings.retry_max_wait,
            sleep=self._sleep,
        )
        body = self._body(messages, json_object)
        try:
            async for attempt in policy:
                with attempt:
                    attempts += 1
                    completion = await self._one_attempt(body, key)
        except AttemptFailure as failure:
            self.breaker.record_failure()
            self._record(
                purpose, failure.outcome, attempts=attempts, started=started, error=str(failure)
            )
            reason = _REASONS.get(failure.outcome, failure.outcome.value)
            raise LlmUnavailableError(reason, failure.outcome, str(failure)) from None
        except asyncio.CancelledError:  # the caller's deadline: recorded, no verdict on the API
            self.breaker.release_probe()
            self._record(
                purpose, LlmOutcome.TIMEOUT, attempts=attempts, started=started,
                error="cancelled by the caller (its deadline passed)",
            )  # fmt: skip
            raise
        except BaseException:
            self.breaker.release_probe()  # no verdict on the API
            raise
        self.breaker.record_success()
        return completion, attempts

    async def _one_attempt(self, body: dict[str, Any], key: str) -> Completion:
        url = f"{self._settings.base_url}/chat/completions"
        try:
            return await Attempt(self._http, url, body, key, self._clock.now()).send()
        except RetryableFailure as failure:
            limit = self._settings.retry_after_max
            if failure.retry_after is not None and failure.retry_after > limit:
                message = f"{failure} (Retry-After {failure.retry_after:g}s > {limit:g}s)"
                raise FinalFailure(failure.outcome, message) from None
            raise

    def _body(self, messages: Sequence[ChatMessage], json_object: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._settings.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": self._settings.temperature,
            "max_tokens": self._settings.max_tokens,
        }
        if json_object:
            body["response_format"] = {"type": "json_object"}
        return body

    def _answer(
        self,
        completion: Completion,
        attempts: int,
        json_object: bool,
        purpose: str,
        started: float,
    ) -> LlmAnswer:
        model = self._settings.model
        cost = call_cost(self._settings.prices, model, completion.tokens_in, completion.tokens_out)
        tokens_in, tokens_out = completion.tokens_in, completion.tokens_out
        data: dict[str, Any] | None = None
        if json_object:
            data, problem = _json_object(completion.content)
            if problem is not None:
                self._record(
                    purpose, LlmOutcome.PARSE_ERROR, attempts=attempts, started=started,
                    cost=cost, error=problem, tokens_in=tokens_in, tokens_out=tokens_out,
                )  # fmt: skip
                raise LlmParseError(problem, completion.content, cost)
        latency = self._record(
            purpose, LlmOutcome.OK, attempts=attempts, started=started, cost=cost,
            tokens_in=tokens_in, tokens_out=tokens_out,
        )  # fmt: skip
        return LlmAnswer(
            content=completion.content, model=model, cost_usd=cost, latency_ms=latency,
            attempts=attempts, data=data, tokens_in=tokens_in, tokens_out=tokens_out,
        )  # fmt: skip

    def _record(
        self,
        purpose: str,
        outcome: LlmOutcome,
        *,
        attempts: int = 0,
        started: float | None = None,
        cost: Decimal | None = None,
        tokens_in: int | None = None,
        tokens_out: int | None = None,
        error: str | None = None,
    ) -> float:
        latency = 0.0 if started is None else (time.perf_counter() - started) * 1000
        key = self._api_key()
        self._ledger.record(
            LlmCall(
                called_at=self._clock.now(),
                model=self._settings.model,
                purpose=purpose,
                outcome=outcome,
                attempts=attempts,
                tokens_in=tokens_in,
                tokens_out=tokens_out,
                latency_ms=None if started is None else round(latency, 3),
                cost_usd=cost,
                error=None if error is None else scrub(error, [key or ""]),
            )
        )
        return latency


def _json_object(content: str) -> tuple[dict[str, Any] | None, str | None]:
    """``content`` as a JSON object (a Markdown code fence around it is allowed), or why not."""
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return None, f"invalid JSON ({error.msg} at position {error.pos})"
    if not isinstance(value, dict):
        return None, f"JSON {type(value).__name__}, not an object"
    return value, None
