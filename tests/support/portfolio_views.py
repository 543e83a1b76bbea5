"""A hand-written :class:`~trademind.agents.portfolio_view.PortfolioView` and returns source for
the risk and portfolio agent tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from trademind.core.accounts import Position
from trademind.portfolio.risk_math import ReturnsWindow


def position(symbol: str, quantity: float, price: float, cost: float | None = None) -> Position:
    return Position(
        symbol=symbol,
        quantity=Decimal(str(quantity)),
        avg_cost=Decimal(str(price if cost is None else cost)),
        market_price=Decimal(str(price)),
    )


@dataclass
class FakeView:
    """An account: ``held`` positions, ``cash`` (equity = cash + market values), the day's
    start, sectors and prices; change the fields between calls."""

    cash_amount: Decimal = Decimal(100_000)
    held: list[Position] = field(default_factory=list)
    start: Decimal | None = None
    start_known: bool = True
    sectors: dict[str, str] = field(default_factory=dict)
    prices: dict[str, Decimal] = field(default_factory=dict)

    def equity(self) -> Decimal:
        return self.cash_amount + sum((p.market_value for p in self.held), Decimal(0))

    def cash(self) -> Decimal:
        return self.cash_amount

    def positions(self) -> Mapping[str, Position]:
        return {p.symbol: p for p in self.held}

    def start_of_day_equity(self) -> Decimal | None:
        """``start``; the current equity when ``start`` is None; None when not ``start_known``."""
        if not self.start_known:
            return None
        return self.equity() if self.start is None else self.start

    def sector_of(self, symbol: str) -> str:
        return self.sectors.get(symbol, "unknown")

    def price_of(self, symbol: str) -> Decimal | None:
        return self.prices.get(symbol)


@dataclass
class FakeReturns:
    """Daily returns per symbol (equal lengths, oldest first); records the windows asked."""

    series: dict[str, list[float]]
    asked: list[tuple[tuple[str, ...], int, int]] = field(default_factory=list)

    def window(self, symbols: Sequence[str], days: int, min_days: int) -> ReturnsWindow:
        self.asked.append((tuple(symbols), days, min_days))
        length = max(len(values) for values in self.series.values())
        missing = [np.nan] * length
        matrix = np.column_stack([self.series.get(s, missing) for s in symbols])
        return ReturnsWindow.build(list(symbols), matrix[-days:], min_days=min_days)
