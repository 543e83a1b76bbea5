"""Commission models: what a broker charges for one order.

A commission is charged per *order*: partial executions of one order together pay what the
whole order would (so an IBKR minimum is paid once, not once per partial fill). Callers pass the
order's cumulative quantity and value and charge the difference to what was already charged.

Every model is a frozen dataclass of validated parameters with a ``kind`` code and three
numeric ``parameters``; the arithmetic lives in numba functions taking ``(kind, a, b, c, ...)``
so the backtest loop and the paper broker run the very same code.

* :class:`ZeroCommission`: nothing.
* :class:`PercentageCommission`: ``rate * value``.
* :class:`PerShareCommission` (IBKR fixed pricing): ``per_share * quantity``, at least
  ``minimum``, at most ``maximum_fraction * value`` (the cap wins over the minimum, as at IBKR:
  a tiny order pays 1% of its value, not $1). ``maximum_fraction = 0`` means no cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

import numpy as np

from trademind.fills import checks
from trademind.fills.jit import njit

COMMISSION_NONE: Final = 0
COMMISSION_PERCENTAGE: Final = 1
COMMISSION_PER_SHARE: Final = 2
FIT_STEPS: Final = 8


@njit
def commission_cost(  # noqa: PLR0917 - numba functions take positional arguments
    kind: int, a: float, b: float, c: float, quantity: float, value: float
) -> float:
    """Commission of an order of ``quantity`` shares worth ``value`` dollars in total."""
    if quantity <= 0.0:
        return 0.0
    if kind == COMMISSION_PERCENTAGE:
        return a * value
    if kind == COMMISSION_PER_SHARE:
        fee = max(a * quantity, b)
        if c > 0.0:
            fee = min(fee, c * value)
        return fee
    return 0.0


@njit
def _cost(kind: int, a: float, b: float, c: float, quantity: float, price: float) -> float:  # noqa: PLR0917
    value = quantity * price
    return value + commission_cost(kind, a, b, c, quantity, value)


@njit
def _fit_down(  # noqa: PLR0917
    kind: int, a: float, b: float, c: float, quantity: float, price: float, cash: float
) -> float:
    """``quantity`` lowered by a few units in the last place until its cost is within
    ``cash`` (the closed-form answer can overshoot by rounding); 0 when it is not close."""
    for _ in range(FIT_STEPS):
        if quantity <= 0.0:
            return 0.0
        if _cost(kind, a, b, c, quantity, price) <= cash:
            return quantity
        quantity = np.nextafter(quantity, 0.0)
    return 0.0


@njit
def affordable_quantity(  # noqa: PLR0917
    kind: int, a: float, b: float, c: float, cash: float, price: float
) -> float:
    """The largest (fractional) quantity whose value plus commission fits ``cash`` at
    ``price``: the closed form (to the last unit in the last place, never above ``cash``).

    Percentage: ``cash / (price * (1 + rate))``. Per share: the cost is increasing and linear
    on each piece (per-share rate, minimum, cap), so the answer is the largest of the three
    piecewise solutions that is affordable.
    """
    if cash <= 0.0 or price <= 0.0:
        return 0.0
    if kind == COMMISSION_PERCENTAGE:
        return _fit_down(kind, a, b, c, cash / (price * (1.0 + a)), price, cash)
    if kind != COMMISSION_PER_SHARE:
        return _fit_down(kind, a, b, c, cash / price, price, cash)
    best = _fit_down(kind, a, b, c, cash / (price + a), price, cash)
    best = max(best, _fit_down(kind, a, b, c, (cash - b) / price, price, cash))
    if c > 0.0:
        best = max(best, _fit_down(kind, a, b, c, cash / (price * (1.0 + c)), price, cash))
    return best


class _Commission:
    """Python entry points shared by the commission models."""

    kind: ClassVar[int]

    def parameters(self) -> tuple[float, float, float]:
        raise NotImplementedError

    def cost(self, quantity: float, price: float) -> float:
        """Commission of one order of ``quantity`` shares filled at ``price``."""
        a, b, c = self.parameters()
        return float(commission_cost(self.kind, a, b, c, quantity, quantity * price))

    def affordable_quantity(self, cash: float, price: float) -> float:
        """The largest quantity ``cash`` buys at ``price`` including this commission."""
        a, b, c = self.parameters()
        return float(affordable_quantity(self.kind, a, b, c, cash, price))


@dataclass(frozen=True)
class ZeroCommission(_Commission):
    """No commission."""

    kind: ClassVar[int] = COMMISSION_NONE

    def parameters(self) -> tuple[float, float, float]:
        return (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class PercentageCommission(_Commission):
    """``rate`` times the order value (0.001 = 0.1%)."""

    rate: float = 0.001
    kind: ClassVar[int] = COMMISSION_PERCENTAGE

    def __post_init__(self) -> None:
        checks.in_range("commission rate", self.rate, 0.0, 0.1)

    def parameters(self) -> tuple[float, float, float]:
        return (float(self.rate), 0.0, 0.0)


@dataclass(frozen=True)
class PerShareCommission(_Commission):
    """IBKR-style: dollars per share, a minimum per order, a cap as a fraction of its value."""

    per_share: float = 0.005
    minimum: float = 1.0
    maximum_fraction: float = 0.01
    kind: ClassVar[int] = COMMISSION_PER_SHARE

    def __post_init__(self) -> None:
        checks.in_range("commission per share", self.per_share, 0.0, 1.0)
        checks.in_range("commission minimum", self.minimum, 0.0, 100.0)
        checks.in_range("commission maximum fraction", self.maximum_fraction, 0.0, 1.0)

    def parameters(self) -> tuple[float, float, float]:
        return (float(self.per_share), float(self.minimum), float(self.maximum_fraction))


CommissionModel = ZeroCommission | PercentageCommission | PerShareCommission
