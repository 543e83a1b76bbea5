"""What the risk and portfolio agents read about the account: :class:`PortfolioView`, and where
the risk agent reads daily returns: :class:`ReturnsWindowSource`.

Both are ports (plain synchronous reads of state the caller keeps current: the trading session
updates its ledger after each fill and bar). Money is Decimal, as at the ledger boundary.
Nothing here does I/O; tests pass a hand-written fake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from trademind.core.accounts import Position
from trademind.portfolio.risk_math import ReturnsWindow


class PortfolioView(Protocol):
    """One account's state now: balances, positions, the day's start, sectors and prices."""

    def equity(self) -> Decimal:
        """Cash plus the market value of the positions."""
        ...

    def cash(self) -> Decimal:
        """Cash (negative when borrowed on margin)."""
        ...

    def positions(self) -> Mapping[str, Position]:
        """The open positions by symbol (quantity signed, valued at ``market_price``)."""
        ...

    def start_of_day_equity(self) -> Decimal | None:
        """The equity at the start of the trading day; None when not known (no snapshot yet)."""
        ...

    def sector_of(self, symbol: str) -> str:
        """The symbol's sector; ``unknown`` (one bucket of its own) when not known."""
        ...

    def price_of(self, symbol: str) -> Decimal | None:
        """The latest price of ``symbol`` (held or not); None when none was seen."""
        ...


class ReturnsWindowSource(Protocol):
    """Daily returns aligned on dates (the pre-trade rules' ``ReturnsHistory`` has this method:
    the same object serves both)."""

    def window(self, symbols: Sequence[str], days: int, min_days: int) -> ReturnsWindow:
        """The last ``days`` days of returns of ``symbols``; raises
        :class:`~trademind.portfolio.risk_math.RiskInputError` when the history is too short."""
        ...
