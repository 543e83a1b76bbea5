"""Market hours from the context's time (simulated in a replay), on a fake and on NYSE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trademind.safety.rules.market_hours import MarketHours
from trademind.safety.sessions import ExchangeSessions
from trademind.testing.safety import WeekdaySessions, pre_trade_context


def test_orders_pass_from_the_open_and_are_refused_a_minute_before() -> None:
    rule = MarketHours(WeekdaySessions())
    open_ = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)  # 09:30 New York (EST)
    assert rule.check(pre_trade_context(now=open_)).passed
    early = datetime(2024, 3, 4, 14, 29, tzinfo=UTC)
    assert rule.check(pre_trade_context(now=early)).message == (
        "market_hours: the regular session is closed at 2024-03-04 14:29 UTC"
    )
    saturday = datetime(2024, 3, 2, 15, 0, tzinfo=UTC)
    assert not rule.check(pre_trade_context(now=saturday)).passed


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (datetime(2024, 7, 5, 14, 0, tzinfo=UTC), True),  # 10:00 EDT
        (datetime(2024, 7, 4, 14, 0, tzinfo=UTC), False),  # Independence Day
        (datetime(2024, 7, 5, 19, 59, tzinfo=UTC), True),  # 15:59 EDT
        (datetime(2024, 7, 5, 20, 0, tzinfo=UTC), False),  # 16:00 EDT: closed
        (datetime(2024, 11, 29, 18, 30, tzinfo=UTC), False),  # after the 13:00 early close
        (datetime(1900, 1, 2, 15, 0, tzinfo=UTC), False),  # before the calendar: closed
    ],
)
def test_nyse_sessions(at: datetime, open_: bool) -> None:
    assert ExchangeSessions().is_open(at) is open_


def test_nyse_session_dates_skip_weekends_and_holidays() -> None:
    sessions = ExchangeSessions()
    at = datetime(2024, 7, 8, 15, 0, tzinfo=UTC)
    assert list(sessions.session_dates(at, 5)) == [
        "2024-07-01",
        "2024-07-02",
        "2024-07-03",
        "2024-07-05",
        "2024-07-08",
    ]
    assert sessions.session_date(datetime(2024, 7, 9, 1, 0, tzinfo=UTC)) == "2024-07-08"


def test_the_calendar_keeps_answers_by_minute_and_session_date() -> None:
    sessions = ExchangeSessions()
    before_open = datetime(2024, 3, 4, 14, 29, 59, tzinfo=UTC)
    at_open = datetime(2024, 3, 4, 14, 30, 0, tzinfo=UTC)
    answers = [sessions.is_open(t) for t in (before_open, at_open, before_open, at_open)]
    assert answers == [False, True, False, True]
    first = sessions.session_dates(at_open, 5)
    assert (
        sessions.session_dates(at_open, 5)
        == first
        == [
            "2024-02-27",
            "2024-02-28",
            "2024-02-29",
            "2024-03-01",
            "2024-03-04",
        ]
    )
    assert sessions.session_dates(at_open, 2) == ["2024-03-01", "2024-03-04"]


def test_a_daily_bar_of_a_session_passes_at_its_midnight_close_and_a_holiday_does_not() -> None:
    rule = MarketHours(ExchangeSessions(), timedelta(days=1))
    friday_close = datetime(2024, 7, 6, 0, 0, tzinfo=UTC)  # the bar of Friday 2024-07-05
    assert rule.check(pre_trade_context(now=friday_close)).passed
    holiday_close = datetime(2024, 7, 5, 0, 0, tzinfo=UTC)  # the bar of 2024-07-04
    verdict = rule.check(pre_trade_context(now=holiday_close))
    assert verdict.message == "market_hours: 2024-07-04 is not a trading session of the exchange"


def test_an_intraday_bar_passes_when_it_starts_inside_the_session() -> None:
    rule = MarketHours(ExchangeSessions(), timedelta(minutes=5))
    last_bar_close = datetime(2024, 7, 5, 20, 0, tzinfo=UTC)  # 15:55-16:00 EDT
    assert rule.check(pre_trade_context(now=last_bar_close)).passed
    after_hours = datetime(2024, 7, 5, 20, 5, tzinfo=UTC)  # 16:00-16:05 EDT
    verdict = rule.check(pre_trade_context(now=after_hours))
    assert verdict.message == (
        "market_hours: the bar closing at 2024-07-05 20:05 UTC is outside the regular session"
    )
    pre_market = datetime(2024, 7, 5, 13, 30, tzinfo=UTC)  # 09:25-09:30 EDT
    assert not rule.check(pre_trade_context(now=pre_market)).passed
