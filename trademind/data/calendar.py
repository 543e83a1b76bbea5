"""Exchange sessions (NYSE by default) from exchange_calendars, built lazily once per process.

Nothing happens at import time: the first call builds the calendar (a few hundred
milliseconds) and later calls reuse it. Calendars cover 1990 onwards (earlier when a series
starts earlier) up to about a year ahead of today; dates are clamped to what they cover.
"""

from __future__ import annotations

import functools
from typing import Any, Final

import pandas as pd

from trademind.core.errors import ValidationError

NYSE: Final = "XNYS"
_EARLIEST_YEAR: Final = 1990


@functools.cache
def _calendar(name: str, start_year: int) -> Any:
    import exchange_calendars

    try:
        return exchange_calendars.get_calendar(name, start=f"{start_year}-01-01")
    except exchange_calendars.errors.InvalidCalendarName:
        raise ValidationError(f"unknown exchange calendar {name!r} (NYSE is {NYSE!r})") from None


def exchange_calendar(name: str = NYSE, *, first: pd.Timestamp | None = None) -> Any:
    """The ``exchange_calendars`` calendar ``name`` covering ``first`` (cached per process)."""
    year = _EARLIEST_YEAR if first is None else min(_EARLIEST_YEAR, first.year)
    return _calendar(name, year)


def _naive_date(moment: pd.Timestamp) -> pd.Timestamp:
    if moment.tzinfo is not None:
        moment = moment.tz_convert("UTC").tz_localize(None)
    return moment.normalize()


def sessions_between(first: pd.Timestamp, last: pd.Timestamp, name: str = NYSE) -> pd.DatetimeIndex:
    """Session dates (naive, midnight) from ``first`` to ``last`` inclusive, by their dates."""
    start, end = _naive_date(first), _naive_date(last)
    calendar = exchange_calendar(name, first=start)
    start = max(start, calendar.first_session)
    end = min(end, calendar.last_session)
    if start > end:
        return pd.DatetimeIndex([])
    return pd.DatetimeIndex(calendar.sessions_in_range(start, end))


def session_schedule(first: pd.Timestamp, last: pd.Timestamp, name: str = NYSE) -> pd.DataFrame:
    """Open and close (UTC) of each session from ``first`` to ``last``, indexed by session date."""
    sessions = sessions_between(first, last, name)
    calendar = exchange_calendar(name, first=_naive_date(first))
    schedule = calendar.schedule.loc[sessions, ["open", "close"]]
    return pd.DataFrame(schedule)
