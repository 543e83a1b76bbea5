"""What the risk and portfolio agents read in a trading session: :class:`SessionPortfolio`.

It implements :class:`~trademind.agents.portfolio_view.PortfolioView` over the session's
broker: :class:`RefreshedDecisions` (the decision step's wrapper) reads the account and the
positions from the broker once at every bar close, before the agents vote, so every agent of
that step sees the account as it is then (the fills at this bar's open included). Prices are
the closes seen (``BarClosed``); the start of the trading day is, as for the daily loss
breaker, the equity after the last step of the previous trading day (the broker's
``AccountUpdated`` after each step; the starting equity on the session's first day; a resumed
session: the equity of its last stored snapshot before the day).

:class:`PointInTimeWindows` gives the risk agent the same daily returns as the pre-trade rules
(:class:`~trademind.safety.returns_history.StoredDailyReturns`), as of the session's time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from trademind.core.values import decimal_from_float
from trademind.runtime.circuit_breakers import DayStart

if TYPE_CHECKING:
    from trademind.brokers.base import Broker
    from trademind.core.accounts import Position
    from trademind.core.decisions import Decision, Signal
    from trademind.core.events import AccountUpdated, BarClosed
    from trademind.core.market import BarBatch, TradingMode
    from trademind.core.ports import DecisionMaker
    from trademind.portfolio.risk_math import ReturnsWindow
    from trademind.runtime.pre_trade_gate import ReturnsSource


class SessionPortfolio:
    """The account as of the last refresh (module docstring)."""

    def __init__(
        self,
        sector_of: Callable[[str], str],
        session_date: Callable[[datetime], str],
        starting_equity: Decimal,
    ) -> None:
        self._sector_of = sector_of
        self._day = DayStart(session_date, starting_equity)
        self._equity = Decimal(0)
        self._cash = Decimal(0)
        self._positions: dict[str, Position] = {}
        self._closes: dict[str, float] = {}

    def seed(self, equities: Sequence[tuple[datetime, Decimal]]) -> None:
        """A resumed session's stored equity after each step, oldest first."""
        for at, equity in equities:
            self._day.advance(at)
            self._day.after_step(equity)

    def on_account_updated(self, event: AccountUpdated) -> None:
        """The account after a step (the broker's balances at the closes)."""
        self._day.after_step(event.account.portfolio_value)

    async def refresh(self, broker: Broker, at: datetime) -> None:
        """Read the account and its positions from ``broker`` at the bar close ``at``."""
        self._day.advance(at)
        account = await broker.get_account()
        self._equity, self._cash = account.portfolio_value, account.cash
        self._positions = {p.symbol: p for p in await broker.get_positions() if p.quantity}

    def on_bar_closed(self, event: BarClosed) -> None:
        self._closes[event.bar.symbol] = event.bar.close

    def equity(self) -> Decimal:
        return self._equity

    def cash(self) -> Decimal:
        return self._cash

    def positions(self) -> Mapping[str, Position]:
        return self._positions

    def start_of_day_equity(self) -> Decimal | None:
        return self._day.equity

    def sector_of(self, symbol: str) -> str:
        return self._sector_of(symbol)

    def price_of(self, symbol: str) -> Decimal | None:
        close = self._closes.get(symbol)
        return None if close is None else decimal_from_float(close)


class RefreshedDecisions:
    """A decision step that refreshes ``view`` from ``broker`` before ``inner`` decides."""

    def __init__(self, inner: DecisionMaker, view: SessionPortfolio, broker: Broker) -> None:
        self._inner = inner
        self._view = view
        self._broker = broker

    async def decide(
        self, batch: BarBatch, signals: Sequence[Signal], mode: TradingMode
    ) -> Sequence[Decision]:
        await self._view.refresh(self._broker, batch.closed_at)
        return await self._inner.decide(batch, signals, mode)


class PointInTimeWindows:
    """:class:`~trademind.agents.portfolio_view.ReturnsWindowSource` over a returns source,
    as of the session's time."""

    def __init__(self, source: ReturnsSource, now: Callable[[], datetime]) -> None:
        self._source = source
        self._now = now

    def window(self, symbols: Sequence[str], days: int, min_days: int) -> ReturnsWindow:
        return self._source.as_of(self._now()).window(symbols, days, min_days)
