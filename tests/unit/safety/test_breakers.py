"""Circuit-breaker evaluators, each at its boundary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trademind.core.errors import ValidationError
from trademind.safety.breakers import (
    ConsecutiveLossesBreaker,
    DailyLossBreaker,
    DrawdownBreaker,
    RejectionRateBreaker,
    RequestedState,
    StaleDataBreaker,
    drawdown,
)


def test_daily_loss_trips_at_the_limit_and_asks_for_halted() -> None:
    breaker = DailyLossBreaker(limit=0.02, flatten=True)
    assert breaker.evaluate(100_000.0, 98_001.0) is None  # 1.999%
    trip = breaker.evaluate(100_000.0, 98_000.0)  # exactly 2%
    assert trip is not None
    assert (trip.breaker, trip.state, trip.flatten) == ("daily_loss", RequestedState.HALTED, True)
    assert trip.value == pytest.approx(0.02)
    assert trip.reason == (
        "daily loss 2.00% since the start-of-day equity 100,000.00 reached the limit 2.00%"
    )
    assert breaker.evaluate(100_000.0, 120_000.0) is None  # a gain


def test_daily_loss_refuses_bad_settings_and_equity() -> None:
    for limit in (0.0, 1.0, -0.1):
        with pytest.raises(ValidationError, match="daily loss limit"):
            DailyLossBreaker(limit=limit)
    with pytest.raises(ValidationError, match="start-of-day equity"):
        DailyLossBreaker(limit=0.02).evaluate(0.0, 1.0)


def test_drawdown_reduces_then_halts() -> None:
    breaker = DrawdownBreaker(reduce_at=0.10, halt_at=0.20)
    assert breaker.evaluate(200.0, 180.01) is None
    reducing = breaker.evaluate(200.0, 180.0)
    halted = breaker.evaluate(200.0, 160.0)
    assert reducing is not None
    assert reducing.state is RequestedState.REDUCING
    assert halted is not None
    assert (halted.state, halted.threshold) == (RequestedState.HALTED, 0.20)
    only_halt = DrawdownBreaker(halt_at=0.2)
    assert only_halt.evaluate(200.0, 170.0) is None
    from_history = breaker.evaluate_history([150.0, 200.0, 170.0])
    assert from_history is not None
    assert from_history.state is RequestedState.REDUCING
    assert drawdown([100.0, 150.0, 120.0]) == pytest.approx(0.2)
    assert drawdown([100.0, 150.0]) == 0.0


def test_drawdown_settings_must_be_consistent() -> None:
    with pytest.raises(ValidationError, match="must be below halt_at"):
        DrawdownBreaker(reduce_at=0.2, halt_at=0.2)
    with pytest.raises(ValidationError, match="reduce_at, halt_at or both"):
        DrawdownBreaker()
    with pytest.raises(ValidationError, match="at least one equity"):
        drawdown([])


def test_consecutive_losses_count_the_trailing_streak() -> None:
    breaker = ConsecutiveLossesBreaker(max_losses=3, state=RequestedState.REDUCING)
    assert breaker.evaluate([-1.0, -2.0, 5.0, -1.0, -1.0]) is None
    trip = breaker.evaluate([5.0, -1.0, -1.0, -0.5])
    assert trip is not None
    assert (trip.state, trip.value) == (RequestedState.REDUCING, 3.0)
    assert breaker.evaluate([-1.0, -1.0, -1.0, 0.0]) is None  # breakeven ends the streak
    assert breaker.evaluate([]) is None
    with pytest.raises(ValidationError):
        ConsecutiveLossesBreaker(max_losses=0)


def test_rejection_rate_counts_the_last_window() -> None:
    breaker = RejectionRateBreaker(max_failures=3, window=5)
    assert breaker.evaluate([True, True, False, False, False, True, True]) is None
    trip = breaker.evaluate([False, True, False, True, True])
    assert trip is not None
    assert trip.reason == "3 of the last 5 orders were rejected or failed (limit 3 of 5)"
    assert breaker.evaluate([True, True, True]) is not None  # fewer orders than the window
    with pytest.raises(ValidationError):
        RejectionRateBreaker(max_failures=6, window=5)


OPEN = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_stale_data_trips_past_k_bar_lengths_while_open() -> None:
    breaker = StaleDataBreaker(bar_length=MINUTE, max_bar_lengths=3)
    now = OPEN + 10 * MINUTE
    fresh = {"AAPL": now - MINUTE, "MSFT": now - 3 * MINUTE}  # exactly 3 bars: not yet
    assert breaker.evaluate(now, OPEN, fresh) is None
    trip = breaker.evaluate(now, OPEN, {**fresh, "IBM": now - 4 * MINUTE, "GE": now - 5 * MINUTE})
    assert trip is not None
    assert (trip.state, trip.value, trip.threshold) == (RequestedState.HALTED, 5.0, 3.0)
    assert trip.reason.startswith("no bar for GE, IBM for up to 0:05:00")


def test_stale_data_counts_from_the_opening_and_not_while_closed() -> None:
    breaker = StaleDataBreaker(bar_length=MINUTE, max_bar_lengths=3)
    yesterday = {"AAPL": OPEN - timedelta(hours=18), "NEW": None}
    assert breaker.evaluate(OPEN + 2 * MINUTE, OPEN, yesterday) is None
    trip = breaker.evaluate(OPEN + 4 * MINUTE, OPEN, yesterday)
    assert trip is not None
    assert "AAPL, NEW" in trip.reason or "NEW, AAPL" in trip.reason
    assert breaker.evaluate(OPEN + timedelta(days=1), None, yesterday) is None
    with pytest.raises(ValueError, match="naive"):
        breaker.evaluate(datetime(2026, 3, 2, 15), OPEN, yesterday)
    with pytest.raises(ValidationError):
        StaleDataBreaker(bar_length=timedelta(0))


def test_requested_states_map_by_value() -> None:
    assert [state.value for state in RequestedState] == ["REDUCING", "HALTED"]
