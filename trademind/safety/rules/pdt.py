"""The pattern day trader rule (FINRA 4210(f)(8)): under the equity threshold ($25,000 by
default), at most ``max_day_trades`` (3) day trades in any ``window_days`` (5) business days.

Day trades are counted from the account's fills: per symbol and exchange session date, the
fills in time order start with one side (the day's opening side); each later switch from that
side to the other counts one day trade. Buy, buy, sell is one; buy, sell, buy, sell is two;
sell (of shares held overnight), buy is one. The rule applies to the order that would complete
a day trade, which is a reducing order (closing what was opened that day) more often than not;
it refuses it when the window already holds ``max_day_trades``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import ClassVar

from trademind.core.orders import Fill, OrderSide
from trademind.safety.context import PreTradeContext, SessionCalendar
from trademind.safety.verdicts import RuleVerdict, dollars, passed, rejected

type Trade = tuple[datetime, str, OrderSide]
"""(time, symbol, side) of one execution."""


def day_trades_by_date(trades: Iterable[Trade], calendar: SessionCalendar) -> dict[str, int]:
    """Day trades per session date (ISO) among ``trades`` (see the module docstring)."""
    sides: dict[tuple[str, str], list[OrderSide]] = defaultdict(list)
    for at, symbol, side in sorted(trades, key=lambda trade: trade[0]):
        sides[(calendar.session_date(at), symbol)].append(side)
    counts: dict[str, int] = defaultdict(int)
    for (date, _symbol), sequence in sides.items():
        opening = sequence[0]
        switches = sum(
            1 for before, after in pairwise(sequence) if before is opening and after is not opening
        )
        counts[date] += switches
    return dict(counts)


def _trades(fills: Iterable[Fill]) -> list[Trade]:
    return [(fill.ts, fill.symbol, fill.side) for fill in fills]


@dataclass(frozen=True, slots=True)
class PatternDayTrader:
    """Refuses an order that would be a day trade beyond the allowance (see the module)."""

    calendar: SessionCalendar
    equity_threshold: Decimal
    max_day_trades: int
    window_days: int
    name: ClassVar[str] = "pattern_day_trader"
    applies_to_reducing: ClassVar[bool] = True

    @property
    def settings(self) -> Mapping[str, object]:
        return {
            "pdt.equity_threshold": self.equity_threshold,
            "pdt.max_day_trades": self.max_day_trades,
            "pdt.window_days": self.window_days,
        }

    def day_trades_in_window(self, fills: Iterable[Fill], now: datetime) -> int:
        """Day trades among ``fills`` in the last ``window_days`` sessions up to ``now``."""
        window = set(self.calendar.session_dates(now, self.window_days))
        by_date = day_trades_by_date(_trades(fills), self.calendar)
        return sum(count for date, count in by_date.items() if date in window)

    def day_trades_remaining(
        self, equity: Decimal, fills: Iterable[Fill], now: datetime
    ) -> int | None:
        """Day trades still allowed now; None when equity is at or above the threshold."""
        if equity >= self.equity_threshold:
            return None
        return max(0, self.max_day_trades - self.day_trades_in_window(fills, now))

    def check(self, context: PreTradeContext) -> RuleVerdict:
        if context.equity >= self.equity_threshold:
            return passed(self.name, "equity at or above the threshold")
        if not self._completes_day_trade(context):
            return passed(self.name)
        used = self.day_trades_in_window(context.fills, context.now)
        if used < self.max_day_trades:
            return passed(self.name)
        order = context.order
        return rejected(
            self.name,
            f"this {order.side.value} of {order.symbol} would be day trade {used + 1} in "
            f"{self.window_days} business days; {self.max_day_trades} are allowed while equity "
            f"{dollars(context.equity)} is under {dollars(self.equity_threshold)}",
        )

    def _completes_day_trade(self, context: PreTradeContext) -> bool:
        today = self.calendar.session_date(context.now)
        symbol = context.order.symbol
        same_day = [
            trade
            for trade in _trades(context.fills)
            if trade[1] == symbol and self.calendar.session_date(trade[0]) == today
        ]
        before = day_trades_by_date(same_day, self.calendar).get(today, 0)
        with_order = [*same_day, (context.now, symbol, context.order.side)]
        return day_trades_by_date(with_order, self.calendar).get(today, 0) > before
