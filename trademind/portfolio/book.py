"""What the ledger reports: open positions, round trips and snapshots (frozen, Decimal money).

Accounting (see :mod:`trademind.portfolio.ledger` for the formulas): a position carries its
cost basis ``cost`` (signed like its quantity; a long's includes its buy commissions), so its
average cost is ``cost / quantity`` and the ledger's identity
``cash + sum(cost) - realized_pnl == starting_cash`` holds exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from trademind.core.accounts import Position


class TripSide(StrEnum):
    """The direction of a round trip."""

    LONG = "long"
    SHORT = "short"


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenPosition:
    """A symbol held now: signed ``quantity`` (never zero), ``cost`` (signed cost basis; a
    long's includes its entry commissions), the ``last_price`` known (latest fill or mark),
    when it opened and the realised P&L booked on it since (partial exits)."""

    symbol: str
    quantity: Decimal
    cost: Decimal
    last_price: Decimal
    opened_at: datetime
    realized_pnl: Decimal

    @property
    def avg_cost(self) -> Decimal:
        """``cost / quantity``: per share, a long's price paid with its commissions, a
        short's entry price."""
        return self.cost / self.quantity

    @property
    def market_value(self) -> Decimal:
        return self.quantity * self.last_price

    @property
    def unrealized_pnl(self) -> Decimal:
        """``quantity * last_price - cost``: the gain if closed at ``last_price`` (before the
        exit's commission)."""
        return self.market_value - self.cost

    def as_position(self) -> Position:
        """The core :class:`~trademind.core.accounts.Position` valued at ``last_price``."""
        return Position(
            symbol=self.symbol,
            quantity=self.quantity,
            avg_cost=self.avg_cost,
            market_price=self.last_price,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerRoundTrip:
    """Entry fills taking a symbol from flat to a position, and the exits back to flat.

    ``quantity`` is the total entered (shares); ``entry_price``/``exit_price`` are average fill
    prices (commission excluded); ``commission`` covers every fill of the trip; ``pnl`` is the
    realised P&L, net of all of it: ``exit proceeds - entry cost - commission`` for a long.
    """

    symbol: str
    side: TripSide
    quantity: Decimal
    entry_time: datetime
    entry_price: Decimal
    exit_time: datetime
    exit_price: Decimal
    commission: Decimal
    pnl: Decimal

    @property
    def return_pct(self) -> Decimal:
        """``100 * pnl / (quantity * entry_price)``."""
        return 100 * self.pnl / (self.quantity * self.entry_price)


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerSnapshot:
    """The account at ``ts``: ``equity = cash + positions_value``, and
    ``equity == starting_cash + realized_pnl + unrealized_pnl`` exactly."""

    ts: datetime
    cash: Decimal
    positions_value: Decimal
    equity: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    positions: tuple[Position, ...]
