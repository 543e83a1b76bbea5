"""Orders only while the exchange's regular session is open (every order, reducing too).

Without a ``bar_length`` (an order from the command line or the API) the session must be open
at the context's ``now``. In a trading session, orders are decided at a bar's close (``now``),
so the rule asks whether that bar belongs to a regular session: an intraday bar whose start is
inside the session (``is_open(now - bar_length)``: the 15:55 five-minute bar closing at 16:00
passes, a pre-market 08:00 bar does not); a daily (or longer) bar whose trading day (the
exchange's date of ``now - 1 microsecond``: a daily bar closes at midnight UTC after its day)
is a session. The order then waits for the next bar's open, which is in a session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar, Final

from trademind.safety.context import PreTradeContext, SessionCalendar
from trademind.safety.verdicts import RuleVerdict, passed, rejected

_ONE_DAY: Final = timedelta(days=1)
_INSTANT: Final = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class MarketHours:
    """Refuses an order decided outside a regular session (module docstring)."""

    calendar: SessionCalendar
    bar_length: timedelta | None = None
    name: ClassVar[str] = "market_hours"
    applies_to_reducing: ClassVar[bool] = True

    @property
    def settings(self) -> Mapping[str, object]:
        return {"market_hours_only": True}

    def check(self, context: PreTradeContext) -> RuleVerdict:
        now, length = context.now, self.bar_length
        if length is None:
            if self.calendar.is_open(now):
                return passed(self.name)
            return rejected(self.name, f"the regular session is closed at {now:%Y-%m-%d %H:%M} UTC")
        if length >= _ONE_DAY:
            return self._daily(now)
        if self.calendar.is_open(now - length):
            return passed(self.name)
        return rejected(
            self.name,
            f"the bar closing at {now:%Y-%m-%d %H:%M} UTC is outside the regular session",
        )

    def _daily(self, now: datetime) -> RuleVerdict:
        day = self.calendar.session_date(now - _INSTANT)
        if self.calendar.session_dates(now - _INSTANT, 1)[-1:] == [day]:
            return passed(self.name)
        return rejected(self.name, f"{day} is not a trading session of the exchange")
