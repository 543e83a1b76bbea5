"""The comparison behind `safety backtest`, on constructed ledgers: figures, differences, what
a trip changed, rejections by rule; and the stress windows and warm-up start."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from trademind.core.errors import UsageError, ValidationError
from trademind.services.safety_history_report import (
    EquityPoint,
    EventFact,
    OrderFact,
    SessionRecord,
    Window,
    build_comparison,
    drawdown,
    group_rejections,
    rejection_rule,
)
from trademind.services.safety_windows import (
    Span,
    check_coverage,
    replay_plan,
    resolve_span,
)
from trademind.strategies.base import Bars


def day(n: int) -> datetime:
    return datetime(2020, 2, 1, tzinfo=UTC) + timedelta(days=n)


WINDOW = Window(start=day(0), end=day(10))


def points(*equities: float, first: int = 0) -> tuple[EquityPoint, ...]:
    return tuple(EquityPoint(day(first + k), e) for k, e in enumerate(equities))


def record(
    safety: bool, curve: tuple[EquityPoint, ...], events: tuple[EventFact, ...] = (), **more: object
) -> SessionRecord:
    return SessionRecord(
        safety=safety,
        initial_cash=100.0,
        points=curve,
        orders=more.get("orders", ()),  # type: ignore[arg-type]
        fill_times=more.get("fills", ()),  # type: ignore[arg-type]
        events=events,
    )


def trip(at: int, breaker: str = "daily_loss") -> EventFact:
    return EventFact(
        at=day(at),
        event="circuit_breaker_tripped",
        actor="circuit_breaker",
        from_state="active",
        to_state="halted",
        reason="daily loss 3% above the limit 2%",
        details={"breaker": breaker, "value": 0.03, "threshold": 0.02},
    )


def reset(at: int) -> EventFact:
    return EventFact(
        at=day(at),
        event="reset",
        actor="cli:me",
        from_state="halted",
        to_state="active",
        reason="reviewed",
        details={},
    )


def test_drawdown_is_the_deepest_fall_from_a_running_peak() -> None:
    assert drawdown(100.0, [110.0, 99.0, 120.0, 108.0]) == pytest.approx(99.0 / 110.0 - 1.0)
    assert drawdown(100.0, [101.0, 102.0]) == 0.0
    assert drawdown(100.0, []) == 0.0


def test_figures_are_measured_over_the_window_from_the_equity_before_it() -> None:
    before = EquityPoint(day(-1), 200.0)  # the warm-up: the window starts from here
    on = record(True, (before, *points(190.0, 210.0, 205.0)))
    off = record(False, (before, *points(180.0, 150.0, 170.0)))
    comparison = build_comparison(on, off, WINDOW)
    assert comparison.with_safety.start_equity == 200.0
    assert comparison.with_safety.total_return == pytest.approx(205.0 / 200.0 - 1.0)
    assert comparison.without_safety.max_drawdown == pytest.approx(150.0 / 200.0 - 1.0)
    assert comparison.difference.total_return == pytest.approx(0.025 - (-0.15))
    assert comparison.difference.max_drawdown == pytest.approx(
        comparison.with_safety.max_drawdown - (150.0 / 200.0 - 1.0)
    )
    assert comparison.difference.max_drawdown > 0  # safety made the drawdown shallower


def test_a_trip_changes_the_return_from_its_time_to_the_next_reset() -> None:
    # without safety the equity keeps falling after day 2; with it, it is flat while halted
    on = record(True, points(100, 98, 95, 95, 95, 95, 97, 99), events=(trip(2), reset(5)))
    off = record(False, points(100, 98, 95, 90, 85, 88, 90, 92))
    (view,) = build_comparison(on, off, WINDOW).trips
    assert (view.breaker, view.value, view.threshold, view.state) == (
        "daily_loss",
        0.03,
        0.02,
        "halted",
    )
    effect = view.effect
    assert (effect.period_end, effect.ended_by) == (day(5), "reset")
    assert effect.return_with == pytest.approx(0.0)  # 95 -> 95
    assert effect.return_without == pytest.approx(88.0 / 95.0 - 1.0)
    assert effect.drawdown_without == pytest.approx(85.0 / 95.0 - 1.0)
    assert effect.return_difference == pytest.approx(-(88.0 / 95.0 - 1.0))
    assert effect.drawdown_difference == pytest.approx(-(85.0 / 95.0 - 1.0))


def test_a_trip_without_a_reset_counts_to_the_window_end() -> None:
    on = record(True, points(100, 98, 95, 95), events=(trip(2),))
    off = record(False, points(100, 98, 95, 80))
    (view,) = build_comparison(on, off, Window(start=day(0), end=day(4))).trips
    assert (view.effect.period_end, view.effect.ended_by) == (day(4), "window end")
    assert view.effect.return_without == pytest.approx(80.0 / 95.0 - 1.0)


def test_events_before_the_window_are_counted_not_listed() -> None:
    on = record(True, points(100, 100), events=(trip(-3), reset(-2), trip(1)))
    comparison = build_comparison(on, record(False, points(100, 100)), WINDOW)
    assert [t.at for t in comparison.trips] == [day(1)]
    assert [c.event for c in comparison.state_changes] == ["circuit_breaker_tripped"]
    assert comparison.events_before_window == 2


def test_rejections_are_grouped_by_rule_with_the_first_examples() -> None:
    def rejected(n: int, symbol: str, reason: str) -> OrderFact:
        return OrderFact(at=day(n), symbol=symbol, status="rejected", reason=reason)

    orders = [
        rejected(4, "MSFT", "pre-trade rule max_order_value: 12000 above 10000"),
        rejected(1, "AAPL", "pre-trade rule max_order_value: 11000 above 10000"),
        rejected(2, "AAPL", "trading state halted: only cancels"),
        rejected(3, "AAPL", "pre-trade rule max_order_value: 13000 above 10000"),
        rejected(5, "AAPL", "pre-trade rule max_order_value: 14000 above 10000"),
        rejected(6, "AAPL", "insufficient buying power"),
        OrderFact(at=day(7), symbol="AAPL", status="filled"),
    ]
    groups = group_rejections(orders)
    assert [(g.rule, g.count) for g in groups] == [
        ("max_order_value", 4),
        ("trading_state", 1),
        ("venue", 1),
    ]
    assert [e.at for e in groups[0].examples] == [day(1), day(3), day(4)]
    assert rejection_rule(None) == "venue"


def test_orders_and_fills_are_counted_inside_the_window_only() -> None:
    orders = (
        OrderFact(at=day(-1), symbol="AAPL", status="filled"),
        OrderFact(at=day(1), symbol="AAPL", status="rejected", reason="trading state halted"),
    )
    on = record(True, points(100), orders=orders, fills=(day(-1), day(2), day(12)))
    figures = build_comparison(on, record(False, points(100)), WINDOW).with_safety
    assert (figures.orders, figures.fills, figures.rejected) == (1, 1, 1)


def test_stress_windows_and_their_bad_input() -> None:
    covid = resolve_span("covid-2020", None, None)
    assert (covid.start, covid.end) == (date(2020, 2, 1), date(2020, 4, 30))
    assert resolve_span("GFC-2008", None, None).start == date(2008, 9, 1)
    with pytest.raises(UsageError, match="unknown stress window 'nope' \\(known: gfc-2008"):
        resolve_span("nope", None, None)
    with pytest.raises(UsageError, match="exclude each other"):
        resolve_span("covid-2020", date(2020, 1, 1), None)
    with pytest.raises(UsageError, match="--end 2020-01-01 is before --start 2020-02-01"):
        resolve_span(None, date(2020, 2, 1), date(2020, 1, 1))


def bars(symbol: str, first: date, count: int) -> Bars:
    days = np.array(
        [np.datetime64(first + timedelta(days=k), "ns").astype(np.int64) for k in range(count)]
    )
    prices = np.full(count, 10.0)
    return Bars(symbol, days, prices, prices, prices, prices, prices)


def test_the_replay_starts_the_warm_up_before_the_window() -> None:
    span = Span(name=None, start=date(2020, 2, 1), end=date(2020, 2, 29))
    series = [bars("AAPL", date(2020, 1, 1), 60)]  # 31 bars before Feb 1
    plan = replay_plan(span, series, warmup_bars=20)
    assert plan.replay_start == datetime(2020, 1, 12, tzinfo=UTC)  # 20 bars before Feb 1
    assert plan.report_start == datetime(2020, 2, 1, tzinfo=UTC)
    assert plan.report_end == datetime(2020, 3, 1, tzinfo=UTC)
    assert plan.short_warm_up == ()
    short = replay_plan(span, series, warmup_bars=40)
    assert short.short_warm_up == ("AAPL",)
    assert short.replay_start == datetime(2020, 1, 1, tzinfo=UTC)


def test_a_window_the_bars_do_not_cover_names_the_range_to_ingest() -> None:
    span = resolve_span("gfc-2008", None, None)
    with pytest.raises(ValidationError) as caught:
        check_coverage(span, [bars("AAPL", date(2013, 1, 2), 10)], "1d", date(2007, 8, 1))
    message = str(caught.value)
    assert "gfc-2008 (2008-09-01..2009-03-31) is not covered" in message
    assert "`trademind data ingest --symbols AAPL --start 2007-08-01 --end 2009-03-31`" in message
    check_coverage(
        Span(name=None, start=date(2013, 1, 5), end=None), [bars("A", date(2013, 1, 2), 5)], "1d"
    )
