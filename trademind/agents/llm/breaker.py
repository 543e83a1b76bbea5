"""The circuit breaker in front of the language model API.

closed: calls go through; ``threshold`` consecutive failed calls open it. open: calls are
refused until ``cooldown`` seconds (monotonic clock) have passed since it opened. half-open:
exactly one probe call is let through; others are refused while it runs. The probe's success
closes the breaker (failure count 0); its failure opens it again for another cool-down.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from enum import StrEnum

from trademind.core.clock import Clock

logger = logging.getLogger(__name__)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakerSnapshot:
    """One live breaker as the dashboard shows it."""

    label: str
    state: str
    consecutive_failures: int
    threshold: int
    seconds_until_probe: float


_LIVE: weakref.WeakSet[CircuitBreaker] = weakref.WeakSet()


def live_breakers() -> list[BreakerSnapshot]:
    """The breakers of this process's LLM clients that are still alive (a server's trading
    session holds one per client; none before its first LLM-using session)."""
    return sorted(
        (breaker.snapshot() for breaker in list(_LIVE)), key=lambda snapshot: snapshot.label
    )


class CircuitBreaker:
    """Counts consecutive failures; see the module docstring for the states. ``label`` names
    it in :func:`live_breakers` (the client's model and API host)."""

    def __init__(self, threshold: int, cooldown: float, clock: Clock, label: str = "llm") -> None:
        if threshold < 1 or cooldown <= 0:
            raise ValueError("breaker threshold must be >= 1 and cool-down > 0")
        self.label = label
        _LIVE.add(self)
        self._threshold = threshold
        self._cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._probing or self._clock.monotonic() - self._opened_at >= self._cooldown:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def snapshot(self) -> BreakerSnapshot:
        return BreakerSnapshot(
            label=self.label,
            state=self.state.value,
            consecutive_failures=self._failures,
            threshold=self._threshold,
            seconds_until_probe=self.seconds_until_probe(),
        )

    def seconds_until_probe(self) -> float:
        """Seconds left in the cool-down (0 when closed or half-open)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self._cooldown - (self._clock.monotonic() - self._opened_at))

    def try_acquire(self) -> bool:
        """May a call go now? In half-open this claims the one probe (a second caller gets
        False until the probe reports back)."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            logger.info("LLM circuit breaker half-open: one probe call")
            return True
        return False

    @property
    def probing(self) -> bool:
        """Is the call in flight the half-open probe?"""
        return self._probing

    def release_probe(self) -> None:
        """The probe ended without a verdict (cancelled): the next caller may probe."""
        self._probing = False

    def record_success(self) -> None:
        if self._opened_at is not None:
            logger.info("LLM circuit breaker closed: the probe succeeded")
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self._threshold:
            self._opened_at = self._clock.monotonic()
            self._probing = False
            logger.warning(
                "LLM circuit breaker open after %d consecutive failures: calls refused for %gs",
                self._failures,
                self._cooldown,
            )
