"""The risk agent's sizing: how many shares an entry may have so that the order fits the limits a
pre-trade check would apply next, with optional fractional Kelly sizing (docs/agents.md,
"Risk agent").

:class:`EntryLimits` computes the *room*: the largest quantity each limit allows for a BUY of
``symbol`` at ``price`` (equity ``E``, signed quantity already held ``h``, stop distance ``s``):

- ``max_order_quantity``: ``safety.max_order_quantity`` shares;
- ``max_order_value``: ``safety.max_order_value / price``;
- ``max_position_size``: ``safety.max_position_size x E / price - h`` (the position after the
  fill, valued at ``price``, is at most that share of equity: the pre-trade rule's measure);
- ``portfolio_heat``: ``(safety.max_portfolio_heat x E - R_others) / (price x s) - h``, where
  ``R_others`` is the risk to stops of the other positions (:func:`~trademind.portfolio.exposure.
  heat` with each stop ``s`` below a long's price, above a short's) and ``s`` the account's
  protective stop-loss when it has one, else ``safety.default_stop_loss``;
- ``buying_power`` (when the account's buying power is given): ``buying power / (price x (1 +
  safety.buying_power_buffer))``, the pre-trade credit check's measure for a new position;
- ``kelly`` (when ``safety.sizing.kelly``): ``min(f* x kelly_fraction, kelly_cap) x E / price -
  h`` from the account's closed round trips (:func:`kelly_fraction_of_equity`).

The room is the smallest of them, rounded down to whole shares (to 1e-6 share with fractional
shares), never negative; :class:`SizedEntry` says which limit bound it. :class:`RiskSizer`
wraps the session's sizer and cuts its quantity to that room.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Final, Protocol

from trademind.config.sections_trading import SafetySettings
from trademind.core.accounts import Account, Position
from trademind.core.decisions import Decision
from trademind.core.errors import ValidationError
from trademind.portfolio.exposure import StopRisk, heat

SIZER: Final = "sizer"
KELLY: Final = "kelly"
WHOLE_SHARE: Final = Decimal(1)
FRACTIONAL_STEP: Final = Decimal("0.000001")
_MICRO: Final = 6
"""Risk to stops is rounded to 1e-6 dollars: it is a float sum, and float noise must not move
a quantity that sits exactly at a limit."""

RoundTrips = Callable[[], Sequence[float]]
"""The account's closed round-trip returns (fractions, 0.02 = +2%), oldest first."""


@dataclass(frozen=True, slots=True)
class SizedEntry:
    """An entry quantity (not negative), the limit that bound it (``sizer`` when nothing was
    cut) and a one-line explanation with the figures."""

    quantity: Decimal
    binding: str
    explanation: str


@dataclass(frozen=True, slots=True)
class KellyEstimate:
    """Kelly from ``trades`` round trips: win rate ``p``, payoff ``b`` (mean win / mean loss;
    inf without a loss), ``full`` = p - (1 - p) / b, ``fraction`` of equity to hold after the
    fractional multiplier and the cap (0 when ``full`` <= 0). ``applied`` False (too few trips)
    leaves the other figures at 0."""

    trades: int
    applied: bool
    win_rate: float = 0.0
    payoff: float = 0.0
    full: float = 0.0
    fraction: float = 0.0


def kelly_fraction_of_equity(
    returns: Sequence[float], *, multiplier: float, cap: float, min_trades: int
) -> KellyEstimate:
    """Fractional, capped Kelly from round-trip returns (module docstring). A return of 0 is
    not a win; with wins and no loss the payoff is infinite and ``full`` = p."""
    trades = len(returns)
    if trades < min_trades:
        return KellyEstimate(trades=trades, applied=False)
    if not all(math.isfinite(value) for value in returns):
        raise ValidationError("Kelly sizing: a round-trip return is not a finite number")
    wins = [value for value in returns if value > 0]
    losses = [-value for value in returns if value < 0]
    p = len(wins) / trades
    if not wins:
        return KellyEstimate(trades, True, p, 0.0, -1.0, 0.0)
    payoff = math.fsum(wins) / len(wins) / (math.fsum(losses) / len(losses)) if losses else math.inf
    full = p - (1.0 - p) / payoff
    fraction = min(full * multiplier, cap) if full > 0 else 0.0
    return KellyEstimate(trades, True, p, payoff, full, fraction)


def _money(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _shares(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}"


def _fraction(value: float) -> Decimal:
    return Decimal(repr(float(value)))


@dataclass(frozen=True, slots=True)
class _Cap:
    name: str
    quantity: Decimal
    why: str


class EntryLimits:
    """The room an entry has under the limits (module docstring). Built from the settings
    (:meth:`from_settings`) and, for Kelly, the account's round-trip returns."""

    def __init__(
        self,
        safety: SafetySettings,
        *,
        round_trips: RoundTrips | None = None,
        stop_loss: float | None = None,
        fractional_shares: bool = False,
    ) -> None:
        if safety.sizing.kelly and round_trips is None:
            raise ValidationError(
                "safety.sizing.kelly is on but no source of round-trip returns was given"
            )
        if stop_loss is not None and not (math.isfinite(stop_loss) and 0.0 < stop_loss < 1.0):
            raise ValidationError(f"stop-loss must be a fraction in (0, 1), got {stop_loss}")
        self._safety = safety
        self._round_trips = round_trips
        self._stop_loss = stop_loss
        self._step = FRACTIONAL_STEP if fractional_shares else WHOLE_SHARE

    @classmethod
    def from_settings(
        cls,
        safety: SafetySettings,
        *,
        round_trips: RoundTrips | None = None,
        stop_loss: float | None = None,
        fractional_shares: bool = False,
    ) -> EntryLimits:
        return cls(
            safety,
            round_trips=round_trips,
            stop_loss=stop_loss,
            fractional_shares=fractional_shares,
        )

    @property
    def stop_loss(self) -> float:
        """The stop distance used: the account's protective stop, else the default."""
        return self._safety.default_stop_loss if self._stop_loss is None else self._stop_loss

    @property
    def stop_source(self) -> str:
        return "default_stop_loss" if self._stop_loss is None else "the account's stop-loss"

    def room(
        self, symbol: str, price: Decimal, equity: Decimal, positions: Iterable[Position]
    ) -> SizedEntry:
        """The largest BUY quantity of ``symbol`` at ``price`` every limit allows."""
        if price <= 0:
            return SizedEntry(Decimal(0), "price", f"{symbol}: no positive price ({price})")
        if equity <= 0:
            return SizedEntry(Decimal(0), "equity", f"equity is {_money(equity)}: no new entry")
        held = list(positions)
        caps = self._caps(symbol, price, equity, held)
        return self._smallest(None, caps)

    def cut(
        self,
        symbol: str,
        price: Decimal,
        equity: Decimal,
        positions: Iterable[Position],
        requested: Decimal,
        *,
        buying_power: Decimal | None = None,
    ) -> SizedEntry:
        """``requested`` (the inner sizer's quantity) cut to :meth:`room` (and to the buying
        power, when given)."""
        asked = _Cap(SIZER, requested, f"the sizer asked {_shares(requested)}")
        if requested <= 0:
            return SizedEntry(Decimal(0), SIZER, f"{symbol}: the sizer sized nothing")
        if price <= 0 or equity <= 0:
            return self.room(symbol, price, equity, positions)
        caps = self._caps(symbol, price, equity, list(positions))
        if buying_power is not None:
            caps.append(self._buying_power_cap(price, buying_power))
        return self._smallest(asked, caps)

    def _buying_power_cap(self, price: Decimal, buying_power: Decimal) -> _Cap:
        buffer = _fraction(self._safety.buying_power_buffer)
        return _Cap(
            "buying_power",
            max(buying_power, Decimal(0)) / (price * (1 + buffer)),
            f"buying power {_money(buying_power)} with a {buffer:.2%} buffer at {_money(price)}",
        )

    def _caps(
        self, symbol: str, price: Decimal, equity: Decimal, positions: list[Position]
    ) -> list[_Cap]:
        safety = self._safety
        held = sum((p.quantity for p in positions if p.symbol == symbol), Decimal(0))
        max_quantity = _fraction(safety.max_order_quantity)
        max_value = _fraction(safety.max_order_value)
        position_value = _fraction(safety.max_position_size) * equity
        caps = [
            _Cap("max_order_quantity", max_quantity, f"{_shares(max_quantity)} shares per order"),
            _Cap(
                "max_order_value",
                max_value / price,
                f"{_money(max_value)} per order at {_money(price)}",
            ),
            _Cap(
                "max_position_size",
                position_value / price - held,
                f"{_money(position_value)} of equity {_money(equity)} per position, "
                f"{_shares(held)} held",
            ),
            self._heat_cap(symbol, price, equity, positions, held),
        ]
        kelly = self._kelly_cap(price, equity, held)
        if kelly is not None:
            caps.append(kelly)
        return caps

    def _heat_cap(
        self,
        symbol: str,
        price: Decimal,
        equity: Decimal,
        positions: list[Position],
        held: Decimal,
    ) -> _Cap:
        stop = self.stop_loss
        others = [stop_risk(p, stop) for p in positions if p.symbol != symbol and p.quantity]
        risk = heat(others, float(equity)).total_risk if others else 0.0
        risk_others = Decimal(repr(round(risk, _MICRO)))
        allowed = _fraction(self._safety.max_portfolio_heat) * equity
        per_share = price * _fraction(stop)
        return _Cap(
            "portfolio_heat",
            (allowed - risk_others) / per_share - held,
            f"heat room {_money(allowed - risk_others)} ({_money(risk_others)} at risk in other "
            f"positions) at {_money(per_share)} per share to a stop {stop:.2%} away "
            f"({self.stop_source})",
        )

    def _kelly_cap(self, price: Decimal, equity: Decimal, held: Decimal) -> _Cap | None:
        sizing = self._safety.sizing
        if not sizing.kelly or self._round_trips is None:
            return None
        estimate = self.kelly()
        if not estimate.applied:
            return _Cap(
                "kelly_skipped",
                Decimal("Infinity"),
                f"Kelly not applied: {estimate.trades} of {sizing.kelly_min_trades} round trips",
            )
        if estimate.full <= 0:
            return _Cap(
                KELLY,
                Decimal(0),
                f"Kelly says no edge (win rate {estimate.win_rate:.2f}, payoff "
                f"{estimate.payoff:.2f}, f* {estimate.full:+.3f} over {estimate.trades} trips)",
            )
        value = _fraction(estimate.fraction) * equity
        return _Cap(
            KELLY,
            value / price - held,
            f"Kelly {estimate.fraction:.2%} of equity = {_money(value)} (f* {estimate.full:.3f} "
            f"x {sizing.kelly_fraction:g}, cap {sizing.kelly_cap:g}; win rate "
            f"{estimate.win_rate:.2f}, payoff {estimate.payoff:.2f}, {estimate.trades} trips)",
        )

    def kelly(self) -> KellyEstimate:
        """The Kelly estimate from the round trips now (not applied without a source)."""
        if self._round_trips is None:
            return KellyEstimate(trades=0, applied=False)
        sizing = self._safety.sizing
        return kelly_fraction_of_equity(
            list(self._round_trips()),
            multiplier=sizing.kelly_fraction,
            cap=sizing.kelly_cap,
            min_trades=sizing.kelly_min_trades,
        )

    def _smallest(self, asked: _Cap | None, caps: list[_Cap]) -> SizedEntry:
        best = asked
        for cap in caps:
            if best is None or cap.quantity < best.quantity:
                best = cap
        assert best is not None  # caps is never empty
        quantity = max(Decimal(0), best.quantity).quantize(self._step, rounding=ROUND_FLOOR)
        notes = [cap.why for cap in caps if cap.name == "kelly_skipped"]
        lead = f"{_shares(quantity)} shares: {best.name} binds ({best.why})"
        if asked is not None and best is not asked:
            lead += f"; {asked.why}"
        return SizedEntry(quantity, best.name, "; ".join([lead, *notes]))


def stop_risk(position: Position, stop: float) -> StopRisk:
    """``position`` with its stop ``stop`` (a fraction) below a long's price, above a short's."""
    price = float(position.market_price)
    below = price * (1.0 - stop) if position.quantity > 0 else price * (1.0 + stop)
    return StopRisk(position.symbol, float(position.quantity), price, below)


class EntryRequest(Protocol):
    """What :class:`RiskSizer` reads of a sizing request
    (:class:`~trademind.execution.entry_orders.SizingRequest` has these fields)."""

    @property
    def decision(self) -> Decision: ...

    @property
    def price(self) -> Decimal: ...

    @property
    def account(self) -> Account: ...

    @property
    def positions(self) -> Sequence[Position]: ...


class RiskSizer[R: EntryRequest]:
    """A sizer (``(request) -> Decimal``) that cuts ``inner``'s quantity to the room
    :class:`EntryLimits` leaves: pass it wherever the execution router takes a ``Sizer``."""

    def __init__(self, inner: Callable[[R], Decimal], limits: EntryLimits) -> None:
        self._inner = inner
        self._limits = limits

    @property
    def limits(self) -> EntryLimits:
        return self._limits

    def size(self, request: R) -> SizedEntry:
        """The entry quantity for ``request`` and which limit bound it."""
        return self._limits.cut(
            request.decision.symbol,
            request.price,
            request.account.portfolio_value,
            request.positions,
            self._inner(request),
            buying_power=request.account.buying_power,
        )

    def __call__(self, request: R) -> Decimal:
        return self.size(request).quantity
