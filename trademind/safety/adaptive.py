"""Volatility-adaptive breaker thresholds, and the changes of their effective value to log.

effective = base x clip((realised_vol / reference_vol) ** elasticity, min_multiple,
max_multiple). With elasticity 1 a limit widens in volatile markets (a 2% daily loss limit at a
reference volatility of 20% becomes 3% at 30%), so ordinary noise does not trip it; with -1 it
tightens instead (less risk when markets are wild); 0 keeps it fixed. The realised volatility is
annualised (:func:`trademind.safety.exposure.annualised_volatility` of recent daily returns).

:class:`AdaptiveThreshold` remembers the effective value and :meth:`AdaptiveThreshold.update`
returns a :class:`ThresholdChange` whenever the value (rounded to ``decimals`` digits) changed,
the first time included, so the caller logs each change once. A breaker takes the current value
through ``dataclasses.replace(breaker, limit=threshold.effective)`` (or ``halt_at=`` ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from trademind.core.errors import ValidationError


@dataclass(frozen=True, slots=True)
class VolatilityScaling:
    """How a threshold follows realised volatility (module docstring for the formula)."""

    reference_vol: float
    elasticity: float = 1.0
    min_multiple: float = 0.5
    max_multiple: float = 2.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.reference_vol) and self.reference_vol > 0):
            raise ValidationError(
                f"reference volatility must be positive, got {self.reference_vol}"
            )
        if not math.isfinite(self.elasticity):
            raise ValidationError(f"elasticity must be finite, got {self.elasticity}")
        if not (0 < self.min_multiple <= 1 <= self.max_multiple < math.inf):
            raise ValidationError(
                f"multiples must satisfy 0 < min <= 1 <= max, got {self.min_multiple} and "
                f"{self.max_multiple}"
            )

    def multiple(self, realised_vol: float) -> float:
        if not (math.isfinite(realised_vol) and realised_vol >= 0):
            raise ValidationError(
                f"realised volatility must be finite and >= 0, got {realised_vol}"
            )
        ratio = max(realised_vol / self.reference_vol, 1e-12)
        return min(self.max_multiple, max(self.min_multiple, float(ratio**self.elasticity)))

    def effective(self, base: float, realised_vol: float) -> float:
        return base * self.multiple(realised_vol)


@dataclass(frozen=True, slots=True)
class ThresholdChange:
    """The effective value of ``name`` moved from ``previous`` (None: first value) to
    ``effective`` at realised volatility ``realised_vol``."""

    name: str
    base: float
    previous: float | None
    effective: float
    realised_vol: float

    @property
    def message(self) -> str:
        before = "unset" if self.previous is None else f"{self.previous:g}"
        return (
            f"{self.name}: effective threshold {before} -> {self.effective:g} (base "
            f"{self.base:g}, realised volatility {self.realised_vol:.2%})"
        )


class AdaptiveThreshold:
    """A base threshold scaled by realised volatility; reports each change of its value."""

    def __init__(
        self, name: str, base: float, scaling: VolatilityScaling, *, decimals: int = 4
    ) -> None:
        if not (math.isfinite(base) and base > 0):
            raise ValidationError(f"{name}: base threshold must be positive, got {base}")
        self.name = name
        self.base = base
        self.scaling = scaling
        self.decimals = decimals
        self._effective: float | None = None

    @property
    def effective(self) -> float:
        """The current effective value (the base until the first update)."""
        return self.base if self._effective is None else self._effective

    def update(self, realised_vol: float) -> ThresholdChange | None:
        """Recompute from ``realised_vol``; the change, or None when the value is unchanged."""
        value = round(self.scaling.effective(self.base, realised_vol), self.decimals)
        if value == self._effective:
            return None
        change = ThresholdChange(self.name, self.base, self._effective, value, realised_vol)
        self._effective = value
        return change
