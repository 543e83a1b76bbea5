"""When to try again and how long to wait (tenacity, with the caller's sleeper)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
)

from trademind.agents.llm.attempt import AttemptFailure, RetryableFailure

Sleeper = Callable[[float], Awaitable[None]]


def backoff_seconds(attempt: int, initial: float, maximum: float) -> float:
    """The exponential backoff after failed attempt number ``attempt`` (1-based):
    ``initial * 2**(attempt-1)``, at most ``maximum``."""
    return float(min(maximum, initial * 2 ** (attempt - 1)))


def wait_seconds(state: RetryCallState, initial: float, maximum: float) -> float:
    """The backoff, or the server's Retry-After when that is longer."""
    backoff = backoff_seconds(state.attempt_number, initial, maximum)
    error = state.outcome.exception() if state.outcome is not None else None
    asked = error.retry_after if isinstance(error, AttemptFailure) else None
    return backoff if asked is None else max(backoff, asked)


def retrying(*, attempts: int, initial: float, maximum: float, sleep: Sleeper) -> AsyncRetrying:
    """Up to ``attempts`` attempts, retrying only :class:`RetryableFailure`; the last failure
    is re-raised as it is."""
    return AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=lambda state: wait_seconds(state, initial, maximum),
        retry=retry_if_exception_type(RetryableFailure),
        sleep=sleep,
        reraise=True,
    )
