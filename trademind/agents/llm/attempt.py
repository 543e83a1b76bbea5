"""One HTTP attempt at ``POST {base_url}/chat/completions`` and what its failures mean.

Failures are classified for the retry policy: :class:`RetryableFailure` (429, 5xx, timeout,
connection failure) may be retried; :class:`FinalFailure` (other 4xx, a 429 asking to wait
longer than allowed, a body that is not a chat completion) may not.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from trademind.core.llm_calls import LlmOutcome
from trademind.core.secrets import MASK, scrub

logger = logging.getLogger(__name__)

_LOGGED_BODY_CHARS = 2000


class AttemptFailure(Exception):
    """An attempt that gave no answer; ``outcome`` is what the ledger records if it is the
    last one. Messages are already scrubbed of the key."""

    def __init__(self, outcome: LlmOutcome, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.outcome = outcome
        self.retry_after = retry_after


class RetryableFailure(AttemptFailure):
    """429, 5xx, timeout or connection failure: worth another attempt."""


class FinalFailure(AttemptFailure):
    """A failure another attempt would repeat."""


@dataclass(frozen=True, slots=True)
class Completion:
    """A parsed chat completion: the first choice's content and the usage reported."""

    content: str
    model: str
    tokens_in: int
    tokens_out: int


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """A Retry-After header as seconds: a number, or an HTTP date relative to ``now``."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True, slots=True)
class Attempt:
    """Everything one attempt needs: the reused client, where, what and the key."""

    http: httpx.AsyncClient
    url: str
    body: dict[str, Any]
    api_key: str
    now: datetime

    async def send(self) -> Completion:
        headers = {"Authorization": f"Bearer {self.api_key}"}
        logger.debug(
            "LLM request POST %s (Authorization: Bearer %s): %s",
            self.url,
            MASK,
            self._clean(json.dumps(self.body)),
        )
        started = time.perf_counter()
        try:
            response = await self.http.post(self.url, json=self.body, headers=headers)
        except httpx.TimeoutException as error:
            message = f"timeout ({type(error).__name__})"
            raise RetryableFailure(LlmOutcome.TIMEOUT, message) from None
        except httpx.HTTPError as error:
            message = f"connection failed: {self._clean(str(error)) or type(error).__name__}"
            raise RetryableFailure(LlmOutcome.HTTP_ERROR, message) from None
        logger.debug(
            "LLM response HTTP %d in %.0f ms: %s",
            response.status_code,
            (time.perf_counter() - started) * 1000,
            self._clean(response.text[:_LOGGED_BODY_CHARS]),
        )
        self._check_status(response)
        return self._completion(response)

    def _clean(self, text: str) -> str:
        return scrub(text, [self.api_key])

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 300:
            return
        detail = f"HTTP {status}: {self._clean(response.text[:200]).strip()}"
        if status == 429 or status >= 500:
            wait = retry_after_seconds(response.headers.get("Retry-After"), self.now)
            raise RetryableFailure(LlmOutcome.HTTP_ERROR, detail, retry_after=wait)
        raise FinalFailure(LlmOutcome.HTTP_ERROR, detail)

    def _completion(self, response: httpx.Response) -> Completion:
        try:
            document = response.json()
            content = document["choices"][0]["message"]["content"]
            usage = document.get("usage") or {}
            tokens_in = int(usage.get("prompt_tokens", 0))
            tokens_out = int(usage.get("completion_tokens", 0))
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            message = f"not a chat completion: {self._clean(response.text[:200])!r}"
            raise FinalFailure(LlmOutcome.PARSE_ERROR, message) from None
        if not isinstance(content, str):
            raise FinalFailure(LlmOutcome.PARSE_ERROR, "the answer has no text content")
        model = document.get("model") if isinstance(document.get("model"), str) else ""
        return Completion(content, str(model), tokens_in, tokens_out)
