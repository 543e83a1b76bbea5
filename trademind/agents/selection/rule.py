"""The selection rule: which strategy did best in which regime, learned from a training window.

**Regime of a bar** (:func:`regime_at`): four labels, each from one feature of
:mod:`~trademind.agents.selection.features` at that bar's close, in this order:

1. trend: ``strong`` when ADX(14) >= :data:`ADX_STRONG` (25), else ``weak``;
2. volatility: ``high`` when the volatility percentile >= :data:`VOL_HIGH` (50%), else ``low``;
3. range: ``trending`` when the efficiency ratio >= :data:`EFFICIENT` (0.30), else ``choppy``;
4. correlation: ``high`` when the 60-bar correlation to the index >= :data:`CORRELATED` (0.5),
   else ``low``; missing when no index was given.

A label is missing (None) when its feature has no value yet (warm-up).

**Learning** (:func:`learn`): each training day's return of each strategy (bar ``t``'s return
``E_t / E_{t-1} - 1``) is filed under the regime of bar ``t - 1`` (what was known when the day
began), in every prefix of the labels: ``()`` (all days), ``(trend,)``, ``(trend, vol)``, ...,
a prefix being used only while none of its labels is missing.

**Choosing** (:meth:`SelectionRule.choose`): the longest prefix of the regime now that holds at
least :data:`MIN_DAYS` training days; in it, the strategy with the highest training Sharpe
ratio (mean / sample standard deviation of its daily returns there, times ``sqrt(252)``; a
strategy whose returns there do not vary scores 0); ties go to the earlier strategy in the given
order. The full regime is tried first, then correlation is dropped, then range, then
volatility, then trend (all training days: the best strategy overall). No randomness: the same
training data always gives the same choice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.core.errors import ValidationError

if TYPE_CHECKING:
    from trademind.agents.selection.features import RegimeFeatures
    from trademind.strategies.base import FloatArray

ADX_STRONG: Final = 25.0
VOL_HIGH: Final = 0.5
EFFICIENT: Final = 0.30
CORRELATED: Final = 0.5
MIN_DAYS: Final = 60
"""Training days a regime needs before its Sharpe ratios choose (about three months)."""
ANNUALISE: Final = math.sqrt(252.0)
DIMENSIONS: Final = ("trend", "volatility", "range", "correlation")
Regime = tuple[str | None, ...]
Key = tuple[str, ...]


def regime_at(features: RegimeFeatures, index: int) -> Regime:
    """The four labels of bar ``index`` (module docstring); None where a feature is missing."""
    correlation = features.index_correlation
    return (
        _label(features.adx[index], ADX_STRONG, "strong", "weak"),
        _label(features.vol_percentile[index], VOL_HIGH, "high", "low"),
        _label(features.efficiency[index], EFFICIENT, "trending", "choppy"),
        None if correlation is None else _label(correlation[index], CORRELATED, "high", "low"),
    )


def _label(value: float, threshold: float, above: str, below: str) -> str | None:
    if not math.isfinite(value):
        return None
    return above if value >= threshold else below


def describe_regime(features: RegimeFeatures, index: int) -> str:
    """``trend strong (ADX 31.2 >= 25), vol pct 40% (low), ...`` for bar ``index``."""
    labels = regime_at(features, index)
    correlation = features.index_correlation
    values = (
        f"ADX {features.adx[index]:.1f}",
        f"vol pct {features.vol_percentile[index]:.0%}",
        f"ER {features.efficiency[index]:.2f}",
        ""
        if features.index_correlation is None
        else f"corr {features.index_correlation[index]:.2f}",
    )
    parts = []
    for name, label, value in zip(DIMENSIONS, labels, values, strict=True):
        if name == "correlation" and correlation is None:
            parts.append("correlation n/a (no index)")
        elif label is None:
            parts.append(f"{name} n/a (warm-up)")
        else:
            parts.append(f"{name} {label} ({value})")
    return ", ".join(parts)


def prefixes(regime: Regime) -> list[Key]:
    """``()`` and every longer prefix of ``regime`` up to its first missing label."""
    keys: list[Key] = [()]
    for label in regime:
        if label is None:
            break
        keys.append((*keys[-1], label))
    return keys


@dataclass(frozen=True)
class Choice:
    """The strategy chosen, the regime prefix it was chosen in and why, in words."""

    strategy: str
    key: Key
    training_sharpe: float
    training_days: int
    reason: str


@dataclass(frozen=True)
class SelectionRule:
    """Per regime prefix: the training days and each strategy's training Sharpe ratio."""

    strategies: tuple[str, ...]
    days: Mapping[Key, int]
    sharpe: Mapping[Key, tuple[float, ...]]
    min_days: int = MIN_DAYS

    def choose(self, regime: Regime, regime_text: str = "") -> Choice:
        """The choice for ``regime`` (module docstring)."""
        keys = prefixes(regime)
        for key in reversed(keys):
            days = self.days.get(key, 0)
            if days >= self.min_days or not key:
                return self._pick(key, days, regime, regime_text)
        raise AssertionError("unreachable: the empty prefix always picks")  # pragma: no cover

    def _pick(self, key: Key, days: int, regime: Regime, regime_text: str) -> Choice:
        scores = self.sharpe.get(key, tuple(0.0 for _ in self.strategies))
        best = int(np.argmax(scores))  # the first of equal maxima: the earlier strategy
        where = _where(key, regime, self.min_days)
        why = f"{self.strategies[best]}: best training Sharpe {scores[best]:.2f} {where}"
        text = f"{regime_text} -> {why}, {days} training days" if regime_text else why
        return Choice(self.strategies[best], key, scores[best], days, text)


def _named(key: Key) -> str:
    return ", ".join(f"{name} {label}" for name, label in zip(DIMENSIONS, key, strict=False))


def _where(key: Key, regime: Regime, min_days: int) -> str:
    """Which training days chose: ``in regime trend strong, volatility low`` or ``overall``,
    with why a finer regime was not used."""
    full = prefixes(regime)[-1]
    where = f"in regime {_named(key)}" if key else "overall"
    if key != full:
        return f"{where} (regime {_named(full)} had fewer than {min_days} training days)"
    if len(full) < len(regime):
        return f"{where} ({DIMENSIONS[len(full)]} missing: no finer regime)"
    return where


@dataclass(frozen=True, eq=False)
class TrainingDays:
    """One symbol's training days: each strategy's daily returns and each day's regime (the
    regime of the bar before the day)."""

    returns: Mapping[str, FloatArray]
    regimes: Sequence[Regime]


def learn(
    training: Sequence[TrainingDays], strategies: Sequence[str], min_days: int = MIN_DAYS
) -> SelectionRule:
    """The rule learned from every symbol's training days together (module docstring)."""
    if not strategies:
        raise ValidationError("strategy selection needs at least one strategy")
    sums: dict[Key, list[list[float]]] = {}
    for symbol in training:
        columns = np.vstack([symbol.returns[name] for name in strategies])
        if columns.shape[1] != len(symbol.regimes):
            raise ValidationError("training returns and regimes differ in length")
        for day, regime in enumerate(symbol.regimes):
            for key in prefixes(regime):
                sums.setdefault(key, []).append(columns[:, day].tolist())
    days = {key: len(rows) for key, rows in sums.items()}
    sharpe = {key: _sharpes(np.asarray(rows)) for key, rows in sums.items()}
    return SelectionRule(tuple(strategies), days, sharpe, min_days)


def _sharpes(rows: FloatArray) -> tuple[float, ...]:
    """Annualised Sharpe ratio of each column of ``rows`` (days x strategies)."""
    if rows.shape[0] < 2:
        return tuple(0.0 for _ in range(rows.shape[1]))
    mean = rows.mean(axis=0)
    std = rows.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(std > 1e-12, mean / std * ANNUALISE, 0.0)
    return tuple(float(value) for value in ratio)
