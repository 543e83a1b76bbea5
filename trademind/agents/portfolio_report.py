"""The portfolio agent's arithmetic: allocation against targets, drift, rebalance trades, heat
and performance, as one frozen :class:`PortfolioReport` (docs/agents.md, "Portfolio agent").

For a symbol with target weight ``t`` (a fraction of equity ``E``) and held market value ``v``
(signed), its weight is ``w = v / E`` and its drift ``d = w - t``. The drift trigger fires when
``|d| > drift_threshold`` (strictly); the rebalance trade it asks for is ``(t - w) x E`` dollars:
a BUY when positive, a SELL when negative (computed in Decimal, so a drift exactly at
the threshold does not fire). A held symbol without a target is reported with
neither target nor drift (the agent does not trade it).

Exposure is gross: ``sum |v| / E``; the cash weight is ``cash / E``; heat is
:func:`~trademind.portfolio.exposure.heat` with each position's stop ``stop_loss`` below a
long's price (above a short's). Performance comes from an equity series passed in (oldest
first): total return ``last / first - 1`` and max drawdown ``max_t (peak_t - e_t) / peak_t``
(None with fewer than two points).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from trademind.agents.portfolio_view import PortfolioView
from trademind.agents.risk_sizing import stop_risk
from trademind.core.accounts import Position
from trademind.core.decisions import Action
from trademind.core.errors import ValidationError
from trademind.portfolio.exposure import heat


@dataclass(frozen=True, slots=True)
class RebalanceTrade:
    """What a fired drift trigger asks for: ``side`` BUY or SELL, ``amount`` in dollars (> 0)."""

    side: Action
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Allocation:
    """One symbol: held ``quantity`` and ``value``, ``weight`` of equity, its ``target`` and
    ``drift`` (None without a target), whether the trigger fired and the trade it asks for."""

    symbol: str
    quantity: Decimal
    value: Decimal
    weight: float
    target: float | None
    drift: float | None
    triggered: bool
    trade: RebalanceTrade | None


@dataclass(frozen=True, slots=True)
class Performance:
    """From an equity series: ``total_return`` and ``max_drawdown`` (fractions), None with
    fewer than two points."""

    points: int
    total_return: float | None
    max_drawdown: float | None


@dataclass(frozen=True, slots=True)
class PortfolioReport:
    """The account against its targets (module docstring); ``allocations`` sorted by symbol."""

    equity: Decimal
    cash: Decimal
    allocations: tuple[Allocation, ...]
    gross_exposure: float
    cash_weight: float
    heat: float
    heat_by_symbol: Mapping[str, float]
    drift_threshold: float
    performance: Performance

    def allocation(self, symbol: str) -> Allocation | None:
        return next((a for a in self.allocations if a.symbol == symbol), None)

    @property
    def rebalance(self) -> tuple[Allocation, ...]:
        """The allocations whose drift trigger fired."""
        return tuple(a for a in self.allocations if a.triggered)


def allocation(
    symbol: str,
    position: Position | None,
    equity: Decimal,
    target: float | None,
    drift_threshold: float,
) -> Allocation:
    """One symbol's weight, drift and rebalance trade (module docstring); ``equity`` > 0."""
    quantity = Decimal(0) if position is None else position.quantity
    value = Decimal(0) if position is None else position.market_value
    weight = value / equity
    if target is None:
        return Allocation(symbol, quantity, value, float(weight), None, None, False, None)
    drift = weight - Decimal(repr(target))  # Decimal: a drift exactly at the band is inside it
    triggered = abs(drift) > Decimal(repr(drift_threshold))
    trade = None
    if triggered:
        amount = (-drift * equity).quantize(Decimal("0.01"))
        side = Action.BUY if amount > 0 else Action.SELL
        trade = RebalanceTrade(side, abs(amount))
    return Allocation(
        symbol, quantity, value, float(weight), target, float(drift), triggered, trade
    )


def performance(equity_curve: Sequence[float]) -> Performance:
    """Total return and max drawdown of ``equity_curve`` (oldest first, positive values)."""
    curve = np.asarray(equity_curve, dtype=np.float64)
    if curve.ndim != 1:
        raise ValidationError("equity curve must be a flat series of values")
    if curve.size and not (np.isfinite(curve).all() and (curve > 0).all()):
        raise ValidationError("equity curve values must be positive, finite numbers")
    if curve.size < 2:
        return Performance(int(curve.size), None, None)
    peaks = np.maximum.accumulate(curve)
    drawdown = float(((peaks - curve) / peaks).max())
    return Performance(int(curve.size), float(curve[-1] / curve[0] - 1.0), drawdown)


def portfolio_report(
    view: PortfolioView,
    targets: Mapping[str, float],
    drift_threshold: float,
    *,
    equity_curve: Sequence[float] = (),
    stop_loss: float = 0.05,
) -> PortfolioReport:
    """The account of ``view`` against ``targets`` (module docstring). ``stop_loss`` is the
    stop distance heat assumes (``safety.default_stop_loss`` or the account's stop-loss)."""
    equity = view.equity()
    if not equity > 0:
        raise ValidationError(f"a portfolio report needs a positive equity, got {equity}")
    if not (math.isfinite(drift_threshold) and drift_threshold > 0):
        raise ValidationError(f"drift threshold must be positive, got {drift_threshold}")
    positions = {s: p for s, p in view.positions().items() if p.quantity != 0}
    symbols = sorted(set(positions) | set(targets))
    rows = tuple(
        allocation(s, positions.get(s), equity, targets.get(s), drift_threshold) for s in symbols
    )
    gross = sum((abs(p.market_value) for p in positions.values()), Decimal(0))
    stops = [stop_risk(p, stop_loss) for p in positions.values()]
    heat_report = heat(stops, float(equity))
    cash = view.cash()
    return PortfolioReport(
        equity=equity,
        cash=cash,
        allocations=rows,
        gross_exposure=float(gross / equity),
        cash_weight=float(cash / equity),
        heat=heat_report.heat,
        heat_by_symbol=dict(heat_report.by_symbol),
        drift_threshold=drift_threshold,
        performance=performance(equity_curve),
    )
