"""`safety validate`'s figures and checks on constructed replay ledgers: the daily equity, the
round trips, breaker trips and refused entries counted in the window, and each check's verdict
at its threshold."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from trademind.config.sections_trading import SafetySettings
from trademind.core.errors import ValidationError
from trademind.services.safety_history_report import (
    EquityPoint,
    EventFact,
    OrderFact,
    SessionRecord,
    Window,
)
from trademind.services.safety_validation_checks import (
    WITH_LAYER,
    WITHOUT_LAYER,
    Figures,
    allowed_trips,
    daily_equity,
    judge,
    measure,
)

START = datetime(2021, 1, 4, 21, tzinfo=UTC)
WINDOW = Window(start=datetime(2021, 1, 4, tzinfo=UTC), end=datetime(2024, 1, 1, tzinfo=UTC))


def _day(k: int) -> datetime:
    return START + timedelta(days=k)


def _trip(at: datetime, breaker: str) -> EventFact:
    return EventFact(
        at=at,
        event="circuit_breaker_tripped",
        actor="circuit_breaker",
        from_state="active",
        to_state="halted",
        reason="tripped",
        details={"breaker": breaker},
    )


def _entry(
    at: datetime, rejected: bool, reason: str = "pre-trade rule max_order_value: x"
) -> OrderFact:
    return OrderFact(
        at=at,
        symbol="AAPL",
        status="rejected" if rejected else "filled",
        reason=reason if rejected else None,
        entry=True,
    )


def _record(**changes: Any) -> SessionRecord:
    equities = [100_000.0 * (1.0 + 0.001 * ((k % 7) - 3)) for k in range(60)]
    base = SessionRecord(
        safety=True,
        initial_cash=100_000.0,
        points=tuple(EquityPoint(_day(k), e) for k, e in enumerate(equities)),
        orders=(),
        fill_times=(),
        events=(),
        round_trip_exits=tuple(_day(k) for k in range(0, 60, 5)),
    )
    return replace(base, **changes)


def test_the_daily_equity_is_the_last_snapshot_of_each_day_after_the_one_before_the_window() -> (
    None
):
    before = EquityPoint(WINDOW.start - timedelta(days=1), 90_000.0)
    points = (
        before,
        EquityPoint(_day(0), 91_000.0),
        EquityPoint(_day(0) + timedelta(hours=1), 92_000.0),
        EquityPoint(_day(1), 93_000.0),
        EquityPoint(WINDOW.end, 1.0),  # after the window: left out
    )
    start, equities = daily_equity(_record(points=points), WINDOW)
    assert start == 90_000.0
    assert equities == [92_000.0, 93_000.0]


def test_the_figures_count_what_the_window_holds() -> None:
    outside = WINDOW.start - timedelta(days=3)
    record = _record(
        orders=(
            _entry(_day(1), False),
            _entry(_day(2), True),
            _entry(_day(3), True, reason="trading state HALTED: breaker"),
            _entry(outside, True),
            OrderFact(at=_day(4), symbol="AAPL", status="rejected", reason="pre-trade rule x: y"),
        ),
        events=(_trip(_day(5), "daily_loss"), _trip(outside, "max_drawdown")),
        round_trip_exits=(outside, _day(1), _day(2)),
    )
    figures = measure(record, WINDOW, 100, 0)
    assert figures.measurement == WITH_LAYER
    assert (figures.entries, figures.refused_entries) == (3, 1)  # the exit and outside: no
    assert figures.refused_share == pytest.approx(1 / 3)
    assert (figures.breaker_trips, figures.breakers) == (1, ("daily_loss",))
    assert figures.round_trips == 2
    assert figures.days == 60
    assert figures.drawdown_p95 >= 0.0
    assert figures.worst_day == pytest.approx(0.006 / 1.003, rel=1e-3)
    assert measure(record, WINDOW, 100, 0) == figures  # seeded


def test_no_equity_in_the_window_is_an_error() -> None:
    with pytest.raises(ValidationError, match="fewer than two days of positive equity"):
        measure(_record(points=()), WINDOW, 10, 0)


def _figures(**changes: Any) -> Figures:
    figures = measure(_record(), WINDOW, 50, 0)
    return replace(figures, **changes)


def _verdicts(figures: Figures, safety: SafetySettings | None = None) -> dict[str, str]:
    return {check.name: check.verdict for check in judge(figures, safety or SafetySettings())}


def test_a_quiet_strategy_with_enough_round_trips_passes_every_check() -> None:
    assert _verdicts(_figures(round_trips=10)) == {
        "round_trips": "pass",
        "drawdown": "pass",
        "breakers": "pass",
        "refused_entries": "pass",
    }


def test_each_check_fails_past_its_threshold() -> None:
    assert _verdicts(_figures(round_trips=9))["round_trips"] == "fail"
    assert _verdicts(_figures(drawdown_p95=0.1001))["drawdown"] == "fail"
    assert _verdicts(_figures(drawdown_p95=0.10))["drawdown"] == "pass"
    half = _figures(entries=10, refused_entries=5, refused_share=0.5)
    assert _verdicts(half)["refused_entries"] == "pass"
    most = _figures(entries=10, refused_entries=6, refused_share=0.6)
    assert _verdicts(most)["refused_entries"] == "fail"
    reason = next(c.reason for c in judge(most, SafetySettings()) if c.name == "refused_entries")
    assert "mostly asks for orders the limits refuse" in reason


def test_breaker_trips_are_a_note_up_to_one_a_year_then_a_failure() -> None:
    three_years = _figures()
    assert allowed_trips(three_years) == 2  # 2021-01-04 to 2024-01-01: 2.99 years
    assert _verdicts(_figures(breaker_trips=2, breakers=("daily_loss",) * 2))["breakers"] == "note"
    assert _verdicts(_figures(breaker_trips=3, breakers=("daily_loss",) * 3))["breakers"] == "fail"
    short = _figures(window_end=WINDOW.start + timedelta(days=100), breaker_trips=1)
    assert allowed_trips(short) == 1


def test_without_the_safety_layer_the_worst_day_is_checked_instead() -> None:
    figures = _figures(safety=False, measurement=WITHOUT_LAYER, worst_day=0.03)
    assert _verdicts(figures) == {"round_trips": "pass", "drawdown": "pass", "worst_day": "fail"}
    calm = _figures(safety=False, measurement=WITHOUT_LAYER, worst_day=0.02)
    assert _verdicts(calm)["worst_day"] == "pass"
