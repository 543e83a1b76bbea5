"""Position sizing: how many shares an entry buys, decided at its first fill.

An entry order's quantity is decided once, at its first fill (the price is only known then),
by :func:`entry_target`: the rule's quantity (:func:`position_size`), floored to whole shares
unless fractional shares are allowed, and 0 (no order: it is rejected) when the result is
worth less than ``DUST_FRACTION`` (1e-9) of the equity (the ~1e-12 of cash an all-in buy
leaves is rounding residue, not an order; relative, so a tiny account still trades). In
float64, in this order::

    affordable = affordable_quantity(commission, cash, price)     # trademind.fills.commission
    target = position_size(rule, price, equity, affordable, volatility)
    if not fractional: target = floor(target)
    if target * price < 1e-9 * equity: target = 0

Every rule sees the fill price (slippage included), the account equity at that moment (cash
plus every position at its last close, summed over the symbols in their given order; a symbol's
last close is that of its latest bar whose close has passed, so a fill at an open sees the
previous closes), the quantity the cash affords including commission
(:func:`~trademind.fills.commission.affordable_quantity`), and the volatility at the close of
the entry's signal bar (:mod:`trademind.fills.volatility`; NaN before it is defined); the
result never exceeds the affordable quantity (no margin, long only).

* :class:`AllIn`: all the cash: ``cash / (price * (1 + rate))`` for a percentage commission.
* :class:`FixedCash`: ``amount / price`` shares.
* :class:`FixedFraction`: ``fraction * equity / price`` shares.
* :class:`VolatilityTarget`: ``target * equity / volatility`` shares, where ``volatility`` is
  the per-bar price volatility in dollars per share (ATR, or the rolling standard deviation of
  close-to-close returns times the close), so one volatility unit moves equity by ``target``;
  at most ``max_fraction * equity / price``. No volatility estimate yet (or zero): no trade.
* :class:`CappedKelly`: ``f * equity / price`` with the Kelly fraction
  ``f = win_rate - (1 - win_rate) / payoff_ratio`` clipped to ``[0, cap]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Final, Literal

from trademind.fills import checks
from trademind.fills.commission import affordable_quantity
from trademind.fills.jit import njit

SIZING_ALL_IN: Final = 0
SIZING_FIXED_CASH: Final = 1
SIZING_FIXED_FRACTION: Final = 2
SIZING_VOLATILITY_TARGET: Final = 3
SIZING_KELLY: Final = 4
DUST_FRACTION: Final = 1e-9
"""An entry worth less than this fraction of the equity is rejected as rounding dust."""


@njit
def kelly_fraction(win_rate: float, payoff_ratio: float, cap: float) -> float:
    """``W - (1 - W) / R`` clipped to ``[0, cap]``."""
    fraction = win_rate - (1.0 - win_rate) / payoff_ratio
    return min(max(fraction, 0.0), cap)


@njit
def position_size(  # noqa: PLR0917 - numba functions take positional arguments
    kind: int,
    a: float,
    b: float,
    c: float,
    price: float,
    equity: float,
    affordable: float,
    volatility: float,
) -> float:
    """Shares to buy under rule ``kind`` with parameters ``a, b, c`` (0 = do not trade)."""
    if price <= 0.0 or affordable <= 0.0:
        return 0.0
    if kind == SIZING_ALL_IN:
        quantity = affordable
    elif kind == SIZING_FIXED_CASH:
        quantity = a / price
    elif kind == SIZING_FIXED_FRACTION:
        quantity = a * equity / price
    elif kind == SIZING_VOLATILITY_TARGET:
        if not volatility > 0.0:  # NaN (no estimate yet) or zero
            return 0.0
        quantity = min(a * equity / volatility, b * equity / price)
    else:
        quantity = kelly_fraction(a, b, c) * equity / price
    if not quantity > 0.0:
        return 0.0
    return min(quantity, affordable)


@njit
def entry_target(  # noqa: PLR0917 - numba functions take positional arguments
    sizing: tuple[int, float, float, float],
    commission: tuple[int, float, float, float],
    fractional: bool,
    price: float,
    cash: float,
    equity: float,
    volatility: float,
) -> float:
    """Target quantity of a new entry order at its first fill at ``price`` (slippage
    included): ``sizing`` is ``(kind, a, b, c)`` of the rule, ``commission`` ``(kind, a, b,
    c)`` of the commission model; ``equity`` is cash plus every position at its last close,
    ``volatility`` the rule's volatility at the order's signal bar. 0: do not trade (the rule
    says nothing, no cash, or only dust)."""
    affordable = affordable_quantity(
        commission[0], commission[1], commission[2], commission[3], cash, price
    )
    target = position_size(
        sizing[0], sizing[1], sizing[2], sizing[3], price, equity, affordable, volatility
    )
    if not fractional:
        target = math.floor(target)
    if target * price < DUST_FRACTION * equity:
        return 0.0  # rounding residue (what an all-in buy leaves), not an order
    return target


class _Sizing:
    kind: ClassVar[int]

    def parameters(self) -> tuple[float, float, float]:
        return (0.0, 0.0, 0.0)

    def quantity(
        self, price: float, equity: float, affordable: float, volatility: float = math.nan
    ) -> float:
        """Shares this rule buys (see :func:`position_size`)."""
        a, b, c = self.parameters()
        return float(position_size(self.kind, a, b, c, price, equity, affordable, volatility))


@dataclass(frozen=True)
class AllIn(_Sizing):
    """Spend all the cash (commission included)."""

    kind: ClassVar[int] = SIZING_ALL_IN


@dataclass(frozen=True)
class FixedCash(_Sizing):
    """Buy ``amount`` dollars' worth."""

    amount: float = 10_000.0
    kind: ClassVar[int] = SIZING_FIXED_CASH

    def __post_init__(self) -> None:
        checks.in_range("fixed cash amount", self.amount, 0.0, 1e12, low_open=True)

    def parameters(self) -> tuple[float, float, float]:
        return (float(self.amount), 0.0, 0.0)


@dataclass(frozen=True)
class FixedFraction(_Sizing):
    """Buy ``fraction`` of the equity."""

    fraction: float = 0.1
    kind: ClassVar[int] = SIZING_FIXED_FRACTION

    def __post_init__(self) -> None:
        checks.in_range("sizing fraction", self.fraction, 0.0, 1.0, low_open=True)

    def parameters(self) -> tuple[float, float, float]:
        return (float(self.fraction), 0.0, 0.0)


@dataclass(frozen=True)
class VolatilityTarget(_Sizing):
    """Risk ``target`` of the equity per unit of per-bar volatility (ATR or rolling std)."""

    target: float = 0.01
    source: Literal["atr", "std"] = "atr"
    period: int = 14
    max_fraction: float = 1.0
    kind: ClassVar[int] = SIZING_VOLATILITY_TARGET

    def __post_init__(self) -> None:
        checks.in_range("volatility target", self.target, 0.0, 1.0, low_open=True)
        checks.choice("volatility source", self.source, ("atr", "std"))
        checks.whole("volatility period", self.period, 2, 1000)
        checks.in_range("volatility max fraction", self.max_fraction, 0.0, 1.0, low_open=True)

    def parameters(self) -> tuple[float, float, float]:
        return (float(self.target), float(self.max_fraction), 0.0)


@dataclass(frozen=True)
class CappedKelly(_Sizing):
    """Kelly fraction from a win rate and a payoff ratio (average win / average loss), capped."""

    win_rate: float = 0.5
    payoff_ratio: float = 1.5
    cap: float = 0.25
    kind: ClassVar[int] = SIZING_KELLY

    def __post_init__(self) -> None:
        checks.in_range("Kelly win rate", self.win_rate, 0.0, 1.0, low_open=True, high_open=True)
        checks.in_range("Kelly payoff ratio", self.payoff_ratio, 0.0, 1000.0, low_open=True)
        checks.in_range("Kelly cap", self.cap, 0.0, 1.0, low_open=True)

    def parameters(self) -> tuple[float, float, float]:
        return (float(self.win_rate), float(self.payoff_ratio), float(self.cap))

    @property
    def fraction(self) -> float:
        """The capped Kelly fraction of equity this rule invests."""
        return float(kelly_fraction(self.win_rate, self.payoff_ratio, self.cap))


SizingRule = AllIn | FixedCash | FixedFraction | VolatilityTarget | CappedKelly
