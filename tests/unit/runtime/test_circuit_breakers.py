"""The session's circuit breakers: what they remember between steps and when they trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trademind.config.sections_trading import SafetySettings
from trademind.runtime.circuit_breakers import ADAPTIVE_DAYS, CircuitBreakers, StepOutcome
from trademind.safety.breakers import RequestedState

DAY = datetime(2024, 3, 5, tzinfo=UTC)


def _day_of(at: datetime) -> str:
    return at.date().isoformat()


def _breakers(starting: float = 100_000.0, **settings: object) -> CircuitBreakers:
    return CircuitBreakers(SafetySettings.model_validate(settings), _day_of, starting)


def _at(day: int, hour: int = 15) -> datetime:
    return DAY + timedelta(days=day, hours=hour)


def test_the_daily_loss_counts_from_the_last_equity_of_the_day_before() -> None:
    breakers = _breakers(daily_loss_limit=0.02)
    assert breakers.observe(StepOutcome(_at(0, 10), 99_000.0)) == []  # -1% of 100,000
    assert breakers.observe(StepOutcome(_at(0, 15), 105_000.0)) == []
    # next day: the start is 105,000; 102,900 is exactly -2%
    (trip,) = breakers.observe(StepOutcome(_at(1, 10), 102_900.0))
    assert (trip.breaker, trip.state) == ("daily_loss", RequestedState.HALTED)
    assert trip.value == pytest.approx(0.02)


def test_the_first_day_counts_from_the_starting_equity() -> None:
    (trip,) = _breakers(daily_loss_limit=0.05).observe(StepOutcome(_at(0), 94_000.0))
    assert trip.breaker == "daily_loss"
    assert trip.value == pytest.approx(0.06)


def test_the_drawdown_sets_the_configured_state_from_the_peak() -> None:
    breakers = _breakers(
        daily_loss_limit=0.5,
        circuit_breaker={"max_drawdown": 0.10, "drawdown_action": "reducing"},
    )
    breakers.observe(StepOutcome(_at(0), 120_000.0))
    assert breakers.observe(StepOutcome(_at(1), 108_001.0)) == []
    (trip,) = breakers.observe(StepOutcome(_at(2), 108_000.0))  # 10% under 120,000
    assert (trip.breaker, trip.state) == ("max_drawdown", RequestedState.REDUCING)
    breakers.rebase(108_000.0)  # a reset: the drawdown counts from here
    assert breakers.observe(StepOutcome(_at(3), 100_000.0)) == []


def test_losing_round_trips_in_a_row_and_broker_rejections_trip() -> None:
    breakers = _breakers(
        daily_loss_limit=0.5,
        circuit_breaker={"max_consecutive_losses": 3, "max_rejections": 2, "rejection_window": 4},
    )
    assert breakers.observe(StepOutcome(_at(0), 1e5, round_trip_pnl=(-1.0, -2.0))) == []
    (trip,) = breakers.observe(StepOutcome(_at(1), 1e5, round_trip_pnl=(-3.0,)))
    assert trip.breaker == "consecutive_losses"
    breakers.rebase(1e5)
    assert breakers.observe(StepOutcome(_at(2), 1e5, broker_rejected=(True, False))) == []
    (trip,) = breakers.observe(StepOutcome(_at(3), 1e5, broker_rejected=(True,)))
    assert trip.breaker == "rejection_rate"


def test_breakers_off_leave_only_the_daily_loss() -> None:
    breakers = _breakers(daily_loss_limit=0.5, circuit_breaker={"enabled": False})
    losses = tuple(-1.0 for _ in range(50))
    assert breakers.observe(StepOutcome(_at(0), 60_000.0, round_trip_pnl=losses)) == []


def test_a_resumed_session_remembers_its_peak_and_its_day() -> None:
    breakers = _breakers(daily_loss_limit=0.5, circuit_breaker={"max_drawdown": 0.1})
    breakers.seed([(_at(0), 130_000.0), (_at(1), 125_000.0)], [])
    (trip,) = breakers.observe(StepOutcome(_at(2), 117_000.0))
    assert trip.breaker == "max_drawdown"
    assert trip.value == pytest.approx(0.1)


def test_adaptive_thresholds_change_with_volatility_and_each_change_is_kept() -> None:
    breakers = _breakers(
        daily_loss_limit=0.02,
        circuit_breaker={"adaptive": True, "reference_volatility": 0.2, "max_drawdown": 0.5},
    )
    equity = 100_000.0
    for day in range(ADAPTIVE_DAYS + 1):  # calm days: +0.1% each
        equity *= 1.001
        assert breakers.observe(StepOutcome(_at(day), equity)) == []
    changes = {change.name: change for change in breakers.threshold_changes}
    assert changes["daily_loss_limit"].effective == pytest.approx(0.01)  # halved, the floor
    # a 1.5% loss now trips the (tighter) calm-market limit, not the configured 2%
    (trip,) = breakers.observe(StepOutcome(_at(ADAPTIVE_DAYS + 1), equity * 0.985))
    assert trip.breaker == "daily_loss"
    assert trip.threshold == pytest.approx(0.01)
