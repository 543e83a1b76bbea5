"""Exposure measures shared by the pre-trade rules (:mod:`trademind.safety`) and the risk and
portfolio agents (:mod:`trademind.agents`): correlation with held positions (plain and
direction-aware), beta and beta-adjusted size, annualised volatility, and heat (total risk to
stops). They live here, below both, so that neither layer imports the other.

Pure numpy on a :class:`~trademind.portfolio.risk_math.ReturnsWindow` (whose correlation and
covariance matrices are computed once per bar) or on plain arrays; units and formulas in
docs/safety.md, "Risk measures".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from trademind.portfolio.risk_math import FloatArray, ReturnsWindow, RiskInputError

TRADING_DAYS_PER_YEAR = 252
DEFAULT_BETA_FLOOR = 0.1


@dataclass(frozen=True, slots=True)
class CorrelationReport:
    """Correlation of a candidate symbol's daily returns with the held positions'.

    ``max_abs``: the largest absolute correlation with any held symbol (``most_correlated``);
    ``weighted``: sum(|v_i| rho_i) / sum(|v_i|) over the held symbols (signed correlations
    weighted by absolute position value). Both 0.0 with no held positions.
    """

    symbol: str
    max_abs: float
    most_correlated: str | None
    weighted: float


@dataclass(frozen=True, slots=True)
class HeldCorrelations:
    """The held positions' columns and absolute values, prepared once per bar;
    :meth:`of` answers for each candidate (per order)."""

    window: ReturnsWindow
    names: tuple[str, ...]
    columns: NDArray[np.intp]
    weights: FloatArray

    @classmethod
    def build(cls, window: ReturnsWindow, held_values: Mapping[str, float]) -> HeldCorrelations:
        held = [(name, value) for name, value in held_values.items() if value != 0.0]
        return cls(
            window=window,
            names=tuple(name for name, _ in held),
            columns=np.array([window.position_of(name) for name, _ in held], dtype=np.intp),
            weights=np.array([abs(value) for _, value in held], dtype=np.float64),
        )

    def of(self, symbol: str) -> CorrelationReport:
        """Correlation of ``symbol`` with every other held symbol."""
        own = self.window.position_of(symbol)
        others = self.columns != own
        if not others.any():
            return CorrelationReport(symbol, 0.0, None, 0.0)
        rho = self.window.correlation[own, self.columns[others]]
        if np.isnan(rho).any():
            names = [n for n, keep in zip(self.names, others, strict=True) if keep]
            flat = [name for name, r in zip(names, rho, strict=True) if math.isnan(r)]
            raise RiskInputError(
                f"correlation of {symbol} is undefined with {', '.join(flat)}: "
                "zero variance of returns in the window"
            )
        weight = self.weights[others]
        strongest = int(np.argmax(np.abs(rho)))
        return CorrelationReport(
            symbol=symbol,
            max_abs=float(abs(rho[strongest])),
            most_correlated=self.names[int(np.flatnonzero(others)[strongest])],
            weighted=float(weight @ rho / weight.sum()),
        )


def correlation_with_held(
    window: ReturnsWindow, symbol: str, held_values: Mapping[str, float]
) -> CorrelationReport:
    """Correlation of ``symbol`` with every other symbol held (non-zero value); one-shot form
    of :class:`HeldCorrelations`."""
    return HeldCorrelations.build(window, held_values).of(symbol)


@dataclass(frozen=True, slots=True)
class Comovement:
    """The held symbol the order would move with most: ``effective`` = correlation of daily
    returns x the sign of the held position x the sign of the order's position after the fill
    (positive: the two gain and lose together; negative: a hedge)."""

    symbol: str
    correlation: float
    effective: float


def strongest_comovement(
    window: ReturnsWindow, symbol: str, direction: int, held: Mapping[str, float]
) -> Comovement | None:
    """The held symbol (other than ``symbol``) with the largest effective correlation."""
    own = window.position_of(symbol)
    best: Comovement | None = None
    for name, value in held.items():
        if name == symbol:
            continue
        rho = float(window.correlation[own, window.position_of(name)])
        if math.isnan(rho):
            raise RiskInputError(
                f"correlation of {symbol} with {name} is undefined: zero variance of returns"
            )
        effective = rho * direction * (1 if value > 0 else -1)
        if best is None or effective > best.effective:
            best = Comovement(name, rho, effective)
    return best


def beta(window: ReturnsWindow, symbol: str, benchmark: str) -> float:
    """cov(r_symbol, r_benchmark) / var(r_benchmark) over the window's days."""
    i, b = window.position_of(symbol), window.position_of(benchmark)
    variance = window.covariance[b, b]
    if variance <= 0.0:
        raise RiskInputError(f"beta against {benchmark} is undefined: its returns do not vary")
    return float(window.covariance[i, b] / variance)


@dataclass(frozen=True, slots=True)
class BetaAdjustedSize:
    """``value`` = plain_value / max(|beta|, floor): the order value whose beta exposure equals
    that of ``plain_value`` in a beta-1 asset. ``floored`` when |beta| was below the floor."""

    value: float
    beta: float
    floored: bool


def beta_adjusted_value(
    plain_value: float, beta_value: float, *, floor: float = DEFAULT_BETA_FLOOR
) -> BetaAdjustedSize:
    """Scale a plain order value so that |beta| x value stays equal to the plain value."""
    if floor <= 0.0 or not math.isfinite(floor):
        raise RiskInputError(f"beta floor must be a positive number, got {floor}")
    if not (math.isfinite(plain_value) and math.isfinite(beta_value)):
        raise RiskInputError(f"plain value and beta must be finite: {plain_value}, {beta_value}")
    magnitude = abs(beta_value)
    floored = magnitude < floor
    return BetaAdjustedSize(plain_value / max(magnitude, floor), beta_value, floored)


def annualised_volatility(
    daily_returns: FloatArray | Sequence[float], *, periods_per_year: int = TRADING_DAYS_PER_YEAR
) -> float:
    """Sample standard deviation (ddof = 1) of the returns times sqrt(periods_per_year)."""
    returns = np.asarray(daily_returns, dtype=np.float64)
    if returns.ndim != 1 or returns.shape[0] < 2:
        raise RiskInputError(
            f"volatility needs at least 2 returns in a 1-D series, got {returns.shape}"
        )
    if not np.isfinite(returns).all():
        raise RiskInputError("volatility: the returns contain NaN or infinite values")
    return float(returns.std(ddof=1) * math.sqrt(periods_per_year))


def window_volatility(
    window: ReturnsWindow, symbol: str, *, periods_per_year: int = TRADING_DAYS_PER_YEAR
) -> float:
    """Annualised volatility of ``symbol`` from the window's precomputed covariance."""
    i = window.position_of(symbol)
    return float(math.sqrt(window.covariance[i, i] * periods_per_year))


@dataclass(frozen=True, slots=True)
class StopRisk:
    """One position and its protective stop; ``quantity`` is signed (short negative)."""

    symbol: str
    quantity: float
    price: float
    stop: float


@dataclass(frozen=True, slots=True)
class HeatReport:
    """``total_risk`` (account currency) lost if every stop were hit at its price;
    ``heat`` = total_risk / equity; ``by_symbol`` the risk per position."""

    total_risk: float
    heat: float
    by_symbol: Mapping[str, float]


def heat(positions: Sequence[StopRisk], equity: float) -> HeatReport:
    """Total risk to stops: sum of max(0, (price - stop) x quantity) over equity.

    For a long (quantity > 0) the risk is (price - stop) x quantity, for a short (stop - price) x
    |quantity|; a stop already beyond the price (a locked-in gain) counts 0, not a negative risk.
    """
    if not (math.isfinite(equity) and equity > 0.0):
        raise RiskInputError(f"heat needs a positive equity, got {equity}")
    by_symbol: dict[str, float] = {}
    for position in positions:
        risk = _stop_risk(position)
        by_symbol[position.symbol] = by_symbol.get(position.symbol, 0.0) + risk
    total = sum(by_symbol.values())
    return HeatReport(total_risk=total, heat=total / equity, by_symbol=by_symbol)


def _stop_risk(position: StopRisk) -> float:
    numbers = (position.quantity, position.price, position.stop)
    if not all(math.isfinite(x) for x in numbers) or position.price <= 0 or position.stop < 0:
        raise RiskInputError(f"heat: bad position or stop for {position.symbol}: {numbers}")
    return max(0.0, (position.price - position.stop) * position.quantity)


def heat_after(current: HeatReport, position_after: StopRisk, equity: float) -> float:
    """Heat (a fraction of equity) once ``position_after`` replaces the current position in its
    symbol: the per-order form, on a :class:`HeatReport` of the held positions made per bar."""
    if not (math.isfinite(equity) and equity > 0.0):
        raise RiskInputError(f"heat needs a positive equity, got {equity}")
    before = current.by_symbol.get(position_after.symbol, 0.0)
    return (current.total_risk - before + _stop_risk(position_after)) / equity


def heat_of_arrays(
    quantities: FloatArray, prices: FloatArray, stops: FloatArray, equity: float
) -> float:
    """Heat (a fraction of equity) from aligned arrays: the vectorised form of :func:`heat`
    for callers that keep positions as arrays; inputs must be finite (not re-checked)."""
    if not (math.isfinite(equity) and equity > 0.0):
        raise RiskInputError(f"heat needs a positive equity, got {equity}")
    risk = np.maximum(0.0, (prices - stops) * quantities)
    return float(risk.sum() / equity)
