"""Orders only while the exchange's regular session is open (every order, reducing too)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from trademind.safety.context import PreTradeContext, SessionCalendar
from trademind.safety.verdicts import RuleVerdict, passed, rejected


@dataclass(frozen=True, slots=True)
class MarketHours:
    """Refuses an order at a time (the context's ``now``) the session is closed."""

    calendar: SessionCalendar
    name: ClassVar[str] = "market_hours"
    applies_to_reducing: ClassVar[bool] = True

    @property
    def settings(self) -> Mapping[str, object]:
        return {"market_hours_only": True}

    def check(self, context: PreTradeContext) -> RuleVerdict:
        if self.calendar.is_open(context.now):
            return passed(self.name)
        return rejected(
            self.name,
            f"the regular session is closed at {context.now:%Y-%m-%d %H:%M} UTC",
        )
