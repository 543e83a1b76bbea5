"""Volatility-adaptive thresholds and the reporting of their changes."""

from __future__ import annotations

import dataclasses

import pytest

from trademind.core.errors import ValidationError
from trademind.safety.adaptive import AdaptiveThreshold, VolatilityScaling
from trademind.safety.breakers import DailyLossBreaker


def test_the_threshold_scales_with_volatility_within_its_bounds() -> None:
    widen = VolatilityScaling(reference_vol=0.20)
    assert widen.effective(0.02, 0.30) == pytest.approx(0.03)
    assert widen.effective(0.02, 0.05) == pytest.approx(0.01)  # floor 0.5x
    assert widen.effective(0.02, 1.00) == pytest.approx(0.04)  # cap 2x
    tighten = VolatilityScaling(reference_vol=0.20, elasticity=-1.0)
    assert tighten.effective(0.02, 0.40) == pytest.approx(0.01)
    assert tighten.effective(0.02, 0.0) == pytest.approx(0.04)  # zero vol: the cap
    assert VolatilityScaling(0.2, elasticity=0.0).effective(0.02, 0.9) == pytest.approx(0.02)


def test_changes_are_reported_once_each() -> None:
    threshold = AdaptiveThreshold("daily_loss", 0.02, VolatilityScaling(0.20))
    assert threshold.effective == 0.02
    first = threshold.update(0.20)
    assert first is not None
    assert (first.previous, first.effective) == (None, 0.02)
    assert threshold.update(0.200001) is None  # rounds to the same 4 decimals
    change = threshold.update(0.30)
    assert change is not None
    assert change.message == (
        "daily_loss: effective threshold 0.02 -> 0.03 (base 0.02, realised volatility 30.00%)"
    )
    assert threshold.update(0.30) is None
    breaker = dataclasses.replace(DailyLossBreaker(limit=0.02), limit=threshold.effective)
    assert breaker.evaluate(100.0, 97.5) is None  # 2.5% < 3%


@pytest.mark.parametrize(
    "kwargs",
    [
        {"reference_vol": 0.0},
        {"reference_vol": 0.2, "min_multiple": 1.5},
        {"reference_vol": 0.2, "max_multiple": 0.9},
        {"reference_vol": 0.2, "elasticity": float("nan")},
    ],
)
def test_bad_scaling_is_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        VolatilityScaling(**kwargs)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValidationError, match="realised volatility"):
        VolatilityScaling(0.2).multiple(float("nan"))
    with pytest.raises(ValidationError, match="base threshold"):
        AdaptiveThreshold("x", 0.0, VolatilityScaling(0.2))
