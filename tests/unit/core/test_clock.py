"""The clocks: the live one tells UTC, the test one moves only when told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trademind.core.clock import LiveClock, TestClock


def test_live_clock_is_utc_aware_and_monotonic() -> None:
    clock = LiveClock()
    now = clock.now()
    assert now.tzinfo is UTC
    first = clock.monotonic()
    assert clock.monotonic() >= first


def test_test_clock_advance_moves_both_clocks() -> None:
    start = datetime(2024, 5, 1, 13, 30, tzinfo=UTC)
    clock = TestClock(start, monotonic_start=100.0)
    clock.advance(90)
    assert clock.now() == start + timedelta(seconds=90)
    assert clock.monotonic() == 190.0


def test_test_clock_set_time_moves_only_wall_time() -> None:
    clock = TestClock()
    later = datetime(2025, 1, 1, tzinfo=UTC)
    clock.set_time(later)
    assert clock.now() == later
    assert clock.monotonic() == 0.0


def test_test_clock_refuses_to_go_backwards() -> None:
    with pytest.raises(ValueError, match="backwards"):
        TestClock().advance(-1)


def test_test_clock_rejects_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TestClock(datetime(2024, 1, 1))
