"""Market hours from the context's time (simulated in a replay), on a fake and on NYSE."""

from __future__ import annotations

from datetime import UTC, datetime

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
