"""One-day portfolio Value at Risk and Conditional VaR, historical and parametric (normal).

Pure numpy, no database, no rule chain: the safety rules wrap these figures. Units: returns are
simple daily returns (0.01 = +1%); position values are signed amounts of the account currency
(a short is negative); VaR and CVaR are amounts of the account currency, positive = a loss.

Work is split in two (docs/safety.md, "Risk measures"):

- **per bar** :meth:`ReturnsWindow.build` validates the returns matrix (days x symbols, oldest
  first), applies the missing-data policy below and precomputes the column means, the sample
  covariance matrix and the correlation matrix;
- **per order** :meth:`ReturnsWindow.vector` / :meth:`ReturnsWindow.with_order` build the
  position vector before / after a hypothetical order, and :meth:`ReturnsWindow.historical` /
  :meth:`ReturnsWindow.parametric` compute VaR and CVaR from it (a matrix-vector product, a sort
  of the daily portfolio losses, a quadratic form).

Missing data (NaN returns) is never filled in. A symbol whose history has fewer finite days
than ``min_days`` is *excluded* from the window (``window.excluded`` says why); asking for the
risk of positions that hold an excluded or unknown symbol raises :class:`RiskInputError` with
that reason. Among the symbols kept, a day on which any of them has no return is *dropped*
(listwise deletion, ``window.days_dropped`` counts them); if fewer than ``min_days`` days
remain, building the window raises :class:`RiskInputError`. Infinite returns, mismatched shapes
and a confidence level outside (0.5, 1) raise it too.

Historical VaR at level a: the daily portfolio losses L_t = -(r_t . v) sorted ascending as
L_(0) <= ... <= L_(n-1); with h = (n - 1) a, VaR = L_(floor h) + (h - floor h)(L_(floor h + 1) -
L_(floor h)) (linear interpolation between order statistics: numpy's default ``quantile``
method, Hyndman-Fan type 7). CVaR = the mean of the order statistics L_(ceil h) ... L_(n-1),
the n - ceil(h) largest losses: each is >= VaR, and without ties these are exactly the losses
>= VaR. Taking the tail by position keeps CVaR a continuous function of the data (a tie broken
by float noise cannot change it), monotonic in the level and proportional to the positions.

Parametric VaR: the portfolio's one-day P&L taken as normal with standard deviation
s = sqrt(v' S v) (S the sample covariance, ddof = 1) and mean m = mu . v when ``include_mean``
(default: zero mean, the usual one-day convention; it does not let a past drift shrink the
figure). VaR = z s - m and CVaR = s phi(z) / (1 - a) - m, with z the standard normal quantile of
a and phi its density.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from trademind.core.errors import ValidationError

FloatArray = NDArray[np.float64]
Method = Literal["historical", "parametric"]
STANDARD_LEVELS: tuple[float, float] = (0.95, 0.99)
DEFAULT_MIN_DAYS = 60


class RiskInputError(ValidationError):
    """The inputs of a risk figure are unusable: too little history, NaN/inf, mismatched shapes,
    an unknown symbol, a level out of range. The message says which and why."""


@dataclass(frozen=True, slots=True)
class RiskFigure:
    """VaR and CVaR of one position vector at one confidence level, in account currency."""

    method: Method
    level: float
    var: float
    cvar: float
    days: int


def check_level(level: float) -> float:
    if not (0.5 < level < 1.0) or math.isnan(level):
        raise RiskInputError(f"confidence level must be in (0.5, 1), got {level}")
    return float(level)


@lru_cache(maxsize=64)
def normal_tail_factors(level: float) -> tuple[float, float]:
    """(z, phi(z) / (1 - level)) for the standard normal: the parametric VaR and CVaR factors."""
    check_level(level)
    normal = NormalDist()
    z = normal.inv_cdf(level)
    return z, normal.pdf(z) / (1.0 - level)


def historical_var_cvar(pnl: FloatArray, level: float) -> tuple[float, float]:
    """VaR and CVaR at ``level`` of a series of daily portfolio P&L (gains positive)."""
    return historical_tail(np.sort(-np.asarray(pnl, dtype=np.float64)), level)


def historical_tail(sorted_losses: FloatArray, level: float) -> tuple[float, float]:
    """VaR and CVaR at ``level`` from daily losses already sorted ascending (sort once, ask
    for several levels)."""
    check_level(level)
    losses = sorted_losses
    n = losses.shape[0]
    if n < 2:
        raise RiskInputError(f"historical VaR needs at least 2 days of P&L, got {n}")
    h = (n - 1) * level
    lower = math.floor(h)
    upper = min(lower + 1, n - 1)
    var = float(losses[lower] + (h - lower) * (losses[upper] - losses[lower]))
    # The tail by position, not by comparing values with var: every one of these order
    # statistics is >= var, and near-ties (float noise) cannot move a day in or out of it.
    cvar = float(losses[math.ceil(h) :].mean())
    return var, max(var, cvar)


def parametric_var_cvar(std: float, mean: float, level: float) -> tuple[float, float]:
    """VaR and CVaR at ``level`` of a normal P&L with this standard deviation and mean."""
    z, tail = normal_tail_factors(check_level(level))
    return z * std - mean, tail * std - mean


def _as_matrix(returns: object, symbols: Sequence[str]) -> FloatArray:
    matrix = np.asarray(returns, dtype=np.float64)
    if matrix.ndim != 2:
        raise RiskInputError(f"returns must be a days x symbols matrix, got {matrix.ndim} dims")
    if matrix.shape[1] != len(symbols):
        raise RiskInputError(
            f"returns have {matrix.shape[1]} columns but {len(symbols)} symbols were named"
        )
    if len(set(symbols)) != len(symbols):
        raise RiskInputError("symbols must be unique")
    if np.isinf(matrix).any():
        raise RiskInputError("returns contain infinite values")
    return matrix


def _keep_columns(
    matrix: FloatArray, symbols: Sequence[str], min_days: int
) -> tuple[list[int], dict[str, str]]:
    finite_days = np.isfinite(matrix).sum(axis=0)
    kept: list[int] = []
    excluded: dict[str, str] = {}
    for index, symbol in enumerate(symbols):
        have = int(finite_days[index])
        if have >= min_days:
            kept.append(index)
        else:
            excluded[symbol] = (
                f"{symbol} has returns on {have} of {matrix.shape[0]} days, need {min_days}"
            )
    return kept, excluded


@dataclass(frozen=True, slots=True)
class ReturnsWindow:
    """Validated daily returns of a set of symbols with their per-bar precomputations."""

    symbols: tuple[str, ...]
    returns: FloatArray  # days x len(symbols), no NaN
    means: FloatArray
    covariance: FloatArray
    correlation: FloatArray  # NaN where a symbol's returns have zero variance
    excluded: Mapping[str, str]
    days_dropped: int
    index: Mapping[str, int]

    @classmethod
    def build(
        cls, symbols: Sequence[str], returns: object, *, min_days: int = DEFAULT_MIN_DAYS
    ) -> ReturnsWindow:
        """Validate ``returns`` (days x symbols, oldest first) and precompute; see the module
        docstring for the missing-data policy."""
        if min_days < 2:
            raise RiskInputError(f"min_days must be at least 2, got {min_days}")
        matrix = _as_matrix(returns, symbols)
        kept, excluded = _keep_columns(matrix, symbols, min_days)
        matrix = matrix[:, kept]
        complete = np.isfinite(matrix).all(axis=1)
        rows = matrix[complete]
        if kept and rows.shape[0] < min_days:
            raise RiskInputError(
                f"only {rows.shape[0]} days have returns for every symbol kept "
                f"({len(kept)} symbols), need {min_days}"
            )
        names = tuple(symbols[i] for i in kept)
        covariance = np.atleast_2d(np.cov(rows, rowvar=False, ddof=1)) if kept else np.empty((0, 0))
        std = np.sqrt(np.diag(covariance))
        with np.errstate(divide="ignore", invalid="ignore"):
            correlation = covariance / np.outer(std, std)
        correlation[:, std == 0] = np.nan
        correlation[std == 0, :] = np.nan
        return cls(
            symbols=names,
            returns=np.ascontiguousarray(rows),
            means=rows.mean(axis=0) if kept else np.empty(0),
            covariance=covariance,
            correlation=correlation,
            excluded=dict(excluded),
            days_dropped=int(matrix.shape[0] - rows.shape[0]),
            index={name: i for i, name in enumerate(names)},
        )

    @property
    def days(self) -> int:
        return int(self.returns.shape[0])

    def position_of(self, symbol: str) -> int:
        """Column of ``symbol``; :class:`RiskInputError` with the reason when it has none."""
        found = self.index.get(symbol)
        if found is not None:
            return found
        if symbol in self.excluded:
            raise RiskInputError(f"no usable return history: {self.excluded[symbol]}")
        raise RiskInputError(f"{symbol} is not in the returns window")

    def vector(self, values: Mapping[str, float]) -> FloatArray:
        """Signed position values (account currency) as a vector over the window's symbols."""
        vector = np.zeros(len(self.symbols))
        for symbol, value in values.items():
            if not math.isfinite(value):
                raise RiskInputError(f"position value of {symbol} is not finite: {value}")
            if value != 0.0:
                vector[self.position_of(symbol)] += value
        return vector

    def with_order(self, vector: FloatArray, symbol: str, signed_value: float) -> FloatArray:
        """The position vector after a hypothetical order worth ``signed_value`` (a buy adds,
        a sell subtracts) in ``symbol``; ``vector`` is left unchanged."""
        if not math.isfinite(signed_value):
            raise RiskInputError(f"order value is not finite: {signed_value}")
        after = vector.copy()
        after[self.position_of(symbol)] += signed_value
        return after

    def historical(
        self, vector: FloatArray, levels: Sequence[float] = STANDARD_LEVELS
    ) -> tuple[RiskFigure, ...]:
        """Historical one-day VaR/CVaR of ``vector`` at each level."""
        losses = np.sort(self.returns @ -self._checked(vector))
        return tuple(
            RiskFigure("historical", level, *historical_tail(losses, level), self.days)
            for level in levels
        )

    def parametric(
        self,
        vector: FloatArray,
        levels: Sequence[float] = STANDARD_LEVELS,
        *,
        include_mean: bool = False,
    ) -> tuple[RiskFigure, ...]:
        """Parametric (normal) one-day VaR/CVaR of ``vector`` at each level."""
        checked = self._checked(vector)
        variance = float(checked @ self.covariance @ checked)
        std = math.sqrt(max(variance, 0.0))
        mean = float(self.means @ checked) if include_mean else 0.0
        return tuple(
            RiskFigure("parametric", level, *parametric_var_cvar(std, mean, level), self.days)
            for level in levels
        )

    def _checked(self, vector: FloatArray) -> FloatArray:
        if vector.shape != (len(self.symbols),):
            raise RiskInputError(
                f"position vector has shape {vector.shape}, expected ({len(self.symbols)},)"
            )
        return vector


def post_trade_figures(
    window: ReturnsWindow,
    values: Mapping[str, float],
    symbol: str,
    signed_value: float,
    *,
    levels: Sequence[float] = STANDARD_LEVELS,
    include_mean: bool = False,
) -> tuple[RiskFigure, ...]:
    """Historical then parametric VaR/CVaR at each level of the positions ``values`` after a
    hypothetical order worth ``signed_value`` in ``symbol`` (one-shot; a per-order loop keeps
    the current vector from :meth:`ReturnsWindow.vector` and calls ``with_order``)."""
    after = window.with_order(window.vector(values), symbol, signed_value)
    return window.historical(after, levels) + window.parametric(
        after, levels, include_mean=include_mean
    )
