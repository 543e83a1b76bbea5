"""Time as a port: the live clock for running systems, a settable one for tests and simulations.

Everything that reads the time (the event bus timing handlers, the memory cache expiring
entries, later the scheduler and the backtest loop) takes a :class:`Clock`, so tests move time
forward instead of sleeping.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


def ensure_utc(when: datetime, *, what: str = "datetime") -> datetime:
    """Return ``when`` converted to UTC; reject naive datetimes with a ValueError."""
    if when.tzinfo is None or when.tzinfo.utcoffset(when) is None:
        raise ValueError(f"{what} must be timezone-aware (UTC), got naive {when.isoformat()}")
    return when.astimezone(UTC)


class Clock(Protocol):
    """Where components read the time."""

    def now(self) -> datetime:
        """The current wall-clock time, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards; only differences are meaningful."""
        ...


class LiveClock:
    """The real time of this machine."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class TestClock:
    """A clock that moves only when told to: :meth:`advance` or :meth:`set_time`.

    ``advance(seconds)`` moves wall time and monotonic time together. ``set_time(when)`` moves
    only the wall time (like an NTP correction on a real machine); monotonic time is untouched.
    """

    __test__ = False  # not a pytest test class, despite the name

    DEFAULT_START = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)

    def __init__(self, start: datetime | None = None, monotonic_start: float = 0.0) -> None:
        self._now = ensure_utc(start or self.DEFAULT_START, what="TestClock start")
        self._monotonic = float(monotonic_start)

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        """Move both clocks forward by ``seconds`` (which must not be negative)."""
        if seconds < 0:
            raise ValueError(f"TestClock cannot go backwards (advance({seconds}))")
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds

    def set_time(self, when: datetime) -> None:
        """Set the wall time to ``when`` (timezone-aware); monotonic time does not change."""
        self._now = ensure_utc(when, what="TestClock time")
