"""The in-memory ledger of one named account: cash, positions, round trips, P&L (Decimal).

Formulas (``s`` the fill's signed quantity, + buy and - sell; ``p`` its price; ``c`` its
commission; a position holds a signed quantity ``q`` and a signed cost basis ``C``):

- cash: ``cash -= s * p + c`` (a buy pays ``qty * price + commission``, a sell receives
  ``qty * price - commission``).
- a buy that opens or adds to a long: ``q += s``, ``C += s * p + c`` (the entry commission
  is part of the cost, so the average cost ``C / q`` is what a share cost, commission
  included). A sell that opens or adds to a short: ``q += s``, ``C += s * p`` and the realised
  P&L falls by ``c`` at once (a short's average cost is its average entry price, positive
  even when a commission exceeds a tiny short's proceeds).
- a fill that reduces a position by ``n = |s|`` shares: the cost leaving is
  ``removed = C * n / |q|`` (all of ``C`` when it closes), ``C -= removed``, ``q += s`` and the
  realised P&L grows by ``-(s * p) - c - removed``; for a long sale that is
  ``n * p - c - n * avg_cost``: net of the commissions of both legs.
- a fill that crosses zero is split: the part that closes (its share of the commission pro
  rata) and the part that opens the other way.

So ``cash + sum(C) - realized_pnl == starting_cash`` at every step, exactly (arithmetic runs
with 60 significant digits; the cost leaving a partial exit is rounded to 16 decimal places,
once, and the same number leaves the cost and enters the P&L; so is the commission of a fill
split at zero). ``mark`` values positions at
the prices given, else at the last price known (the latest mark or fill); nothing is invented.

Fills are idempotent on their execution id; a fill without one is applied each time it comes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Final

from trademind.core import values
from trademind.core.orders import Fill, OrderSide
from trademind.portfolio.book import LedgerRoundTrip, LedgerSnapshot, OpenPosition, TripSide

PRECISION: Final = 60
"""Significant digits of the ledger's arithmetic: sums of 8-decimal amounts stay exact."""
COST_QUANTUM: Final = Decimal("1e-16")
"""The cost leaving a partial exit is rounded to this (half even)."""
_ZERO: Final = Decimal(0)


@dataclass(slots=True)
class _Trip:
    side: TripSide
    entry_time: datetime
    entry_quantity: Decimal = _ZERO
    entry_notional: Decimal = _ZERO
    exit_quantity: Decimal = _ZERO
    exit_notional: Decimal = _ZERO
    commission: Decimal = _ZERO
    pnl: Decimal = _ZERO


@dataclass(slots=True)
class _Holding:
    symbol: str
    opened_at: datetime
    trip: _Trip
    quantity: Decimal = _ZERO
    cost: Decimal = _ZERO
    realized_pnl: Decimal = _ZERO


@dataclass(slots=True)
class _State:
    cash: Decimal
    realized_pnl: Decimal = _ZERO
    holdings: dict[str, _Holding] = field(default_factory=dict)
    last_prices: dict[str, Decimal] = field(default_factory=dict)
    round_trips: list[LedgerRoundTrip] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    execution_ids: set[str] = field(default_factory=set)


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """``amount * part / whole``: all of it when ``part == whole``, else rounded to
    :data:`COST_QUANTUM`."""
    if part == whole:
        return amount
    return (amount * part / whole).quantize(COST_QUANTUM, rounding=ROUND_HALF_EVEN)


class Ledger:
    """The book of the account ``account`` that started with ``starting_cash``."""

    def __init__(self, account: str, starting_cash: Decimal) -> None:
        self.account = values.text(account, "Ledger.account", max_length=64)
        self.starting_cash = values.not_negative(starting_cash, "Ledger.starting_cash")
        self._state = _State(cash=self.starting_cash)

    @classmethod
    def replayed(cls, account: str, starting_cash: Decimal, fills: Iterable[Fill]) -> Ledger:
        """A ledger with ``fills`` applied in the order given."""
        ledger = cls(account, starting_cash)
        for fill in fills:
            ledger.apply(fill)
        return ledger

    @property
    def cash(self) -> Decimal:
        return self._state.cash

    @property
    def realized_pnl(self) -> Decimal:
        return self._state.realized_pnl

    @property
    def fills(self) -> tuple[Fill, ...]:
        """Every fill applied, in order."""
        return tuple(self._state.fills)

    @property
    def round_trips(self) -> tuple[LedgerRoundTrip, ...]:
        """Closed round trips, in the order they closed."""
        return tuple(self._state.round_trips)

    def positions(self) -> tuple[OpenPosition, ...]:
        """The symbols held now, by symbol."""
        return tuple(
            self._open_position(holding)
            for _, holding in sorted(self._state.holdings.items())
            if holding.quantity != 0
        )

    def position(self, symbol: str) -> OpenPosition | None:
        holding = self._state.holdings.get(symbol)
        if holding is None or holding.quantity == 0:
            return None
        return self._open_position(holding)

    def cost_basis(self) -> Decimal:
        """``sum(C)`` over the open positions."""
        with localcontext(prec=PRECISION):
            return sum((h.cost for h in self._state.holdings.values()), _ZERO)

    def knows(self, fill: Fill) -> bool:
        """True when ``fill`` carries an execution id already applied."""
        return fill.execution_id is not None and fill.execution_id in self._state.execution_ids

    def apply(self, fill: Fill) -> bool:
        """Book ``fill``; False (nothing changed) when its execution id was applied before."""
        if self.knows(fill):
            return False
        state = self._state
        with localcontext(prec=PRECISION):
            signed = fill.quantity if fill.side is OrderSide.BUY else -fill.quantity
            state.cash -= signed * fill.price + fill.commission
            holding = state.holdings.get(fill.symbol)
            closing = _ZERO
            if holding is not None and holding.quantity * signed < 0:
                closing = min(abs(signed), abs(holding.quantity))
            closing_commission = _share(fill.commission, closing, fill.quantity)
            if closing:
                assert holding is not None
                self._reduce(holding, signed, closing, fill, closing_commission)
            opening = fill.quantity - closing
            if opening:
                commission = fill.commission - closing_commission
                self._add(fill, opening if signed > 0 else -opening, commission)
        state.last_prices[fill.symbol] = fill.price
        state.fills.append(fill)
        if fill.execution_id is not None:
            state.execution_ids.add(fill.execution_id)
        return True

    def _add(self, fill: Fill, signed: Decimal, commission: Decimal) -> None:
        holding = self._state.holdings.get(fill.symbol)
        if holding is None or holding.quantity == 0:
            side = TripSide.LONG if signed > 0 else TripSide.SHORT
            holding = _Holding(fill.symbol, fill.ts, _Trip(side, fill.ts))
            self._state.holdings[fill.symbol] = holding
        holding.quantity += signed
        trip = holding.trip
        if signed > 0:
            holding.cost += signed * fill.price + commission
        else:  # a short's entry commission is realised when paid (see the module docstring)
            holding.cost += signed * fill.price
            holding.realized_pnl -= commission
            self._state.realized_pnl -= commission
            trip.pnl -= commission
        trip.entry_quantity += abs(signed)
        trip.entry_notional += abs(signed) * fill.price
        trip.commission += commission

    def _reduce(
        self, holding: _Holding, signed: Decimal, closing: Decimal, fill: Fill, commission: Decimal
    ) -> None:
        step = closing if signed > 0 else -closing
        removed = _share(holding.cost, closing, abs(holding.quantity))
        realized = -(step * fill.price) - commission - removed
        holding.cost -= removed
        holding.quantity += step
        holding.realized_pnl += realized
        self._state.realized_pnl += realized
        trip = holding.trip
        trip.exit_quantity += closing
        trip.exit_notional += closing * fill.price
        trip.commission += commission
        trip.pnl += realized
        if holding.quantity == 0:
            self._close_trip(holding, fill.ts)

    def _close_trip(self, holding: _Holding, ts: datetime) -> None:
        trip = holding.trip
        self._state.round_trips.append(
            LedgerRoundTrip(
                symbol=holding.symbol,
                side=trip.side,
                quantity=trip.entry_quantity,
                entry_time=trip.entry_time,
                entry_price=trip.entry_notional / trip.entry_quantity,
                exit_time=ts,
                exit_price=trip.exit_notional / trip.exit_quantity,
                commission=trip.commission,
                pnl=trip.pnl,
            )
        )
        del self._state.holdings[holding.symbol]

    def mark(self, ts: datetime, prices: Mapping[str, Decimal] | None = None) -> LedgerSnapshot:
        """The account at ``ts`` with positions valued at ``prices`` (symbol -> last price);
        a held symbol without a price keeps its last known one."""
        when = values.utc(ts, "Ledger.mark ts")
        for symbol, price in (prices or {}).items():
            self._state.last_prices[symbol] = values.positive(price, f"price of {symbol}")
        positions = self.positions()
        with localcontext(prec=PRECISION):
            value = sum((p.market_value for p in positions), _ZERO)
            unrealized = sum((p.unrealized_pnl for p in positions), _ZERO)
            return LedgerSnapshot(
                ts=when,
                cash=self.cash,
                positions_value=value,
                equity=self.cash + value,
                realized_pnl=self.realized_pnl,
                unrealized_pnl=unrealized,
                positions=tuple(p.as_position() for p in positions),
            )

    def _open_position(self, holding: _Holding) -> OpenPosition:
        return OpenPosition(
            symbol=holding.symbol,
            quantity=holding.quantity,
            cost=holding.cost,
            last_price=self._state.last_prices[holding.symbol],
            opened_at=holding.opened_at,
            realized_pnl=holding.realized_pnl,
        )
