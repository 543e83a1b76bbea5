"""Replay speed and waiting, as ports: :class:`Speed`, :class:`Sleeper`, :class:`SettableClock`.

A replay runs at ``max`` speed (no waiting) or at a multiple of real time (``1x``, ``60x``):
between two bar closes it sleeps their distance divided by the multiple, through a
:class:`Sleeper`, so tests pass a fake sleeper that records instead of waiting.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Protocol

from trademind.core.clock import Clock
from trademind.core.errors import UsageError

_MULTIPLE: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*x\s*$", re.IGNORECASE)


class SettableClock(Clock, Protocol):
    """A clock the replay moves to each bar's close (:class:`~trademind.core.clock.TestClock`)."""

    def set_time(self, when: datetime) -> None: ...


class Sleeper(Protocol):
    """Waits ``seconds`` of real time (tests: record and return at once)."""

    async def sleep(self, seconds: float) -> None: ...


class AsyncioSleeper:
    """The real sleeper: ``asyncio.sleep``."""

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass(frozen=True, slots=True)
class Speed:
    """``multiple`` times real time; None is ``max`` (as fast as the loop goes)."""

    multiple: float | None = None

    def __post_init__(self) -> None:
        if self.multiple is not None and not self.multiple > 0:
            raise UsageError(f"a replay speed must be positive, got {self.multiple}x")

    @classmethod
    def parse(cls, text: str) -> Speed:
        """``"max"``, or a positive multiple of real time such as ``"1x"`` or ``"60x"``."""
        if text.strip().lower() == "max":
            return cls()
        match = _MULTIPLE.match(text)
        if match is None:
            raise UsageError(f"speed must be 'max' or a multiple like '1x' or '60x', got {text!r}")
        return cls(float(match.group(1)))

    @property
    def is_max(self) -> bool:
        return self.multiple is None

    def pause(self, elapsed: timedelta) -> float:
        """Real seconds to wait for ``elapsed`` simulated time (0 at ``max``)."""
        if self.multiple is None or elapsed <= timedelta(0):
            return 0.0
        return elapsed.total_seconds() / self.multiple

    def __str__(self) -> str:
        return "max" if self.multiple is None else f"{self.multiple:g}x"
