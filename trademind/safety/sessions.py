"""Exchange sessions for the safety rules, from :mod:`trademind.data.calendar` (NYSE).

The time asked about is always the caller's (the Clock's, the simulated time in a replay),
never this machine's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
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

    def is_open(self, at: datetime) -> bool:
        calendar = exchange_calendar(self._name)
        minute = pd.Timestamp(at).tz_convert("UTC").floor("min")
        if not calendar.first_minute <= minute <= calendar.last_minute:
            return False
        return bool(calendar.is_open_on_minute(minute, ignore_breaks=True))

    def session_date(self, at: datetime) -> str:
        return at.astimezone(self._timezone).date().isoformat()

    def session_dates(self, at: datetime, count: int) -> Sequence[str]:
        last = pd.Timestamp(self.session_date(at))
        first = last - pd.Timedelta(timedelta(days=2 * count + 10))
        sessions = sessions_between(first, last, self._name)
        return [day.date().isoformat() for day in sessions[-count:]]
