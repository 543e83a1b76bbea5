"""The fake clock: :class:`~trademind.core.clock.TestClock`, a clock that moves only when
told to (``advance`` moves wall and monotonic time, ``set_time`` wall time only)."""

from __future__ import annotations

from trademind.core.clock import TestClock

__all__ = ["TestClock"]
