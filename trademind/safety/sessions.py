"""Exchange sessions for the safety rules, from :mod:`trademind.data.calendar` (NYSE).

The time asked about is always the caller's (the Clock's, the simulated time in a replay),
never this machine's. Answers are pure functions of the exchange calendar, so the last ones are
kept (by minute, by time, and by session date and count): every order of one bar asks the same
question, and the pandas calendar lookups cost far more than the rest of a pre-trade check.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import pandas as pd

from trademind.data.calendar import NYSE, exchange_calendar, sessions_between

NEW_YORK: Final = ZoneInfo("America/New_York")


class ExchangeSessions:
    """:class:`~trademind.safety.context.SessionCalendar` for one exchange (NYSE default)."""

    def __init__(self, name: str = NYSE, timezone: ZoneInfo = NEW_YORK) -> None:
        self._name = name
        self._timezone = timezone
        self._open: dict[datetime, bool] = {}
        self._dates: dict[tuple[str, int], tuple[str, ...]] = {}
        self._session_of: dict[datetime, str] = {}

    def warm(self) -> None:
        """Build the exchange's calendar now (the first build costs most of a second: a
        session's start-up, not its first order's check)."""
        exchange_calendar(self._name)

    def is_open(self, at: datetime) -> bool:
        minute = at.astimezone(UTC).replace(second=0, microsecond=0)
        found = self._open.get(minute)
        if found is None:
            found = self._is_open_at(pd.Timestamp(minute))
            _remember(self._open, minute, found)
        return found

    def _is_open_at(self, minute: pd.Timestamp) -> bool:
        calendar = exchange_calendar(self._name)
        if not calendar.first_minute <= minute <= calendar.last_minute:
            return False
        return bool(calendar.is_open_on_minute(minute, ignore_breaks=True))

    def session_date(self, at: datetime) -> str:
        found = self._session_of.get(at)
        if found is None:
            found = at.astimezone(self._timezone).date().isoformat()
            _remember(self._session_of, at, found, size=4096)
        return found

    def session_dates(self, at: datetime, count: int) -> Sequence[str]:
        key = (self.session_date(at), count)
        found = self._dates.get(key)
        if found is None:
            last = pd.Timestamp(key[0])
            first = last - pd.Timedelta(timedelta(days=2 * count + 10))
            sessions = sessions_between(first, last, self._name)
            found = tuple(day.date().isoformat() for day in sessions[-count:])
            _remember(self._dates, key, found)
        return list(found)


def _remember[K, V](cache: dict[K, V], key: K, value: V, size: int = 64) -> None:
    if len(cache) >= size:
        del cache[next(iter(cache))]
    cache[key] = value
