"""What a pre-trade rule sees: :class:`PreTradeContext`, frozen, built once per order.

The order's value uses ``reference_price``: the latest price of the symbol the caller knows
(the bar's close in replay), or the limit price of a buy limit order when that is higher (the
most the order can cost). Positions carry their market prices; ``sector_of`` maps a symbol to
its sector (:data:`~trademind.portfolio.symbols.UNKNOWN` when not known). ``recent_orders``
and ``fills`` are the account's recent history (duplicate detection, throttling, pattern day
trading); ``returns`` is where the risk rules read daily returns (None: not available).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from trademind.core.accounts import Account, Position
from trademind.core.orders import Fill, Order, OrderSide
from trademind.portfolio.symbols import UNKNOWN
from trademind.safety.risk_math import ReturnsWindow


class ReturnsHistory(Protocol):
    """Daily returns of symbols up to the decision time (the risk rules' input).

    Implementations (:mod:`trademind.safety.returns_history`) align the symbols on dates and
    keep the windows they built, so that every rule and every order of one bar reuses one
    :class:`~trademind.safety.risk_math.ReturnsWindow`.
    """

    def daily_returns(self, symbols: Sequence[str], days: int) -> Mapping[str, Sequence[float]]:
        """Up to ``days`` most recent daily returns per symbol, oldest first."""
        ...

    def window(self, symbols: Sequence[str], days: int, min_days: int) -> ReturnsWindow:
        """The last ``days`` days of returns of ``symbols`` (aligned on dates, NaN where a
        symbol has none) as a window (:meth:`ReturnsWindow.build` with ``min_days``); the same
        arguments give the same object until the decision time moves."""
        ...


class SessionCalendar(Protocol):
    """Exchange sessions as the market-hours and pattern-day-trader rules need them."""

    def is_open(self, at: datetime) -> bool:
        """True when the regular session is open at ``at``."""
        ...

    def session_dates(self, at: datetime, count: int) -> Sequence[str]:
        """The ISO dates of the last ``count`` sessions up to ``at``'s date, oldest first."""
        ...

    def session_date(self, at: datetime) -> str:
        """The exchange's calendar date (ISO) of ``at``."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class SubmittedOrder:
    """An order the account sent recently (or is sending): for duplicates and throttling."""

    client_order_id: str
    symbol: str
    side: OrderSide
    quantity: Decimal
    submitted_at: datetime


def _no_sector(symbol: str) -> str:
    return UNKNOWN


@dataclass(frozen=True, slots=True, kw_only=True)
class PreTradeContext:
    """Everything the pre-trade rules may read about one order, at ``now``."""

    order: Order
    account: Account
    reference_price: Decimal
    now: datetime
    positions: Mapping[str, Position] = field(default_factory=dict)
    sector_of: Callable[[str], str] = _no_sector
    recent_orders: Sequence[SubmittedOrder] = ()
    fills: Sequence[Fill] = ()
    returns: ReturnsHistory | None = None

    @property
    def equity(self) -> Decimal:
        """The account's portfolio value (cash plus positions)."""
        return self.account.portfolio_value

    @property
    def price(self) -> Decimal:
        """The price the order is valued at (see the module docstring)."""
        limit = self.order.limit_price
        if self.order.side is OrderSide.BUY and limit is not None:
            return max(limit, self.reference_price)
        return self.reference_price

    @property
    def order_value(self) -> Decimal:
        return self.order.quantity * self.price

    @property
    def signed_quantity(self) -> Decimal:
        """The order's quantity, negative for a sell."""
        sign = 1 if self.order.side is OrderSide.BUY else -1
        return sign * self.order.quantity

    def held(self, symbol: str) -> Decimal:
        """The signed quantity held of ``symbol`` (0 when none)."""
        position = self.positions.get(symbol)
        return Decimal(0) if position is None else position.quantity

    @property
    def quantity_after(self) -> Decimal:
        """The signed position in the order's symbol once the order fills."""
        return self.held(self.order.symbol) + self.signed_quantity

    @property
    def opening_quantity(self) -> Decimal:
        """The part of the order that opens or grows a position (the rest closes one)."""
        before = self.held(self.order.symbol)
        if before == 0 or (before > 0) == (self.signed_quantity > 0):
            return self.order.quantity
        return max(Decimal(0), self.order.quantity - abs(before))

    @property
    def reduces_exposure(self) -> bool:
        """True when the order only closes or shrinks the position (never opens, grows or
        flips it): ``|after| < |before|`` on the same side of zero."""
        before, after = self.held(self.order.symbol), self.quantity_after
        if before == 0 or abs(after) >= abs(before):
            return False
        return after == 0 or (after > 0) == (before > 0)

    def value_after(self, symbol: str) -> Decimal:
        """The absolute market value of ``symbol`` once the order fills (order symbol at
        :attr:`price`, others at their positions' market prices)."""
        if symbol == self.order.symbol:
            return abs(self.quantity_after) * self.price
        position = self.positions.get(symbol)
        return Decimal(0) if position is None else abs(position.market_value)
