"""What an account holds: :class:`Position` and :class:`Account`. Money is Decimal."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trademind.core import values
from trademind.core.errors import ValidationError


@dataclass(frozen=True, slots=True, kw_only=True)
class Position:
    """A holding of one symbol valued at ``market_price``.

    ``quantity`` is signed (negative: short) and may be fractional; ``avg_cost`` is the average
    price paid per share (not negative), ``market_price`` the latest price (positive). Market
    value, cost basis and unrealised P&L are derived, never stored apart from them.
    """

    symbol: str
    quantity: Decimal
    avg_cost: Decimal
    market_price: Decimal

    def __post_init__(self) -> None:
        values.symbol(self.symbol, "Position.symbol")
        set_ = object.__setattr__
        set_(self, "quantity", values.exact(self.quantity, "Position.quantity"))
        set_(self, "avg_cost", values.not_negative(self.avg_cost, "Position.avg_cost"))
        set_(self, "market_price", values.positive(self.market_price, "Position.market_price"))

    @property
    def market_value(self) -> Decimal:
        """``quantity * market_price`` (negative for a short)."""
        return self.quantity * self.market_price

    @property
    def cost_basis(self) -> Decimal:
        """``quantity * avg_cost``."""
        return self.quantity * self.avg_cost

    @property
    def unrealized_pnl(self) -> Decimal:
        """``(market_price - avg_cost) * quantity``: the gain if closed at ``market_price``."""
        return (self.market_price - self.avg_cost) * self.quantity


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    """A brokerage (or paper) account's balances.

    ``cash`` may be negative (borrowed on margin); ``portfolio_value`` (cash plus positions) is
    any finite amount; ``buying_power`` is not negative. ``day_trades_remaining`` is the pattern
    day trader allowance left (zero or more), None where no limit applies.
    """

    account_id: str
    cash: Decimal
    portfolio_value: Decimal
    buying_power: Decimal
    day_trades_remaining: int | None = None

    def __post_init__(self) -> None:
        values.text(self.account_id, "Account.account_id", max_length=64)
        set_ = object.__setattr__
        set_(self, "cash", values.exact(self.cash, "Account.cash"))
        set_(self, "portfolio_value", values.exact(self.portfolio_value, "Account.portfolio_value"))
        set_(self, "buying_power", values.not_negative(self.buying_power, "Account.buying_power"))
        remaining = self.day_trades_remaining
        if remaining is None:
            return
        if isinstance(remaining, bool) or not isinstance(remaining, int):
            kind = type(remaining).__name__
            raise TypeError(f"Account.day_trades_remaining must be an int or None, got {kind}")
        if remaining < 0:
            raise ValidationError(
                f"Account.day_trades_remaining must not be negative, got {remaining}"
            )
