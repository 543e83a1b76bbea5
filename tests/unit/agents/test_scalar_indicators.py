"""The agents' scalar indicator steppers give bitwise the numba kernels' values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trademind.agents.scalar_indicators import ScalarBollinger, ScalarMacd, ScalarRsi
from trademind.indicators import kernels


def closes(seed: int, flat_from: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    series = np.abs(100.0 + np.cumsum(rng.normal(0.0, 1.5, 600))) + 5.0
    if flat_from is not None:  # a flat stretch: zero variance, RSI of no change
        series[flat_from : flat_from + 60] = series[flat_from]
    return series


def same(ours: list[float], theirs: np.ndarray) -> None:
    assert len(ours) == len(theirs)
    for index, (mine, kernel) in enumerate(zip(ours, theirs, strict=True)):
        if math.isnan(kernel):
            assert math.isnan(mine), index
        else:
            assert mine == float(kernel), index  # bitwise, not approximately


SERIES = [closes(1), closes(2, flat_from=200), closes(3, flat_from=0)]


@pytest.mark.parametrize("values", SERIES)
@pytest.mark.parametrize("period", [2, 14, 30])
def test_rsi_is_the_kernels(values: np.ndarray, period: int) -> None:
    stepper = ScalarRsi(period)
    expected, _ = kernels.rsi_kernel(values, 0, 0, period, np.zeros(2))
    same([stepper.push(float(v)) for v in values], expected)


@pytest.mark.parametrize("values", SERIES)
@pytest.mark.parametrize(("fast", "slow", "signal"), [(12, 26, 9), (3, 10, 2), (5, 6, 4)])
def test_macd_is_the_kernels(values: np.ndarray, fast: int, slow: int, signal: int) -> None:
    stepper = ScalarMacd(fast, slow, signal)
    line, signal_line, histogram, _ = kernels.macd_kernel(
        values, 0, 0, fast, slow, signal, np.zeros(3)
    )
    pushed = [stepper.push(float(v)) for v in values]
    same([p[0] for p in pushed], line)
    same([p[1] for p in pushed], signal_line)
    same([p[2] for p in pushed], histogram)


@pytest.mark.parametrize("values", SERIES)
@pytest.mark.parametrize(("period", "deviations"), [(20, 2.0), (5, 1.5), (2, 3.0)])
def test_bollinger_is_the_kernels(values: np.ndarray, period: int, deviations: float) -> None:
    stepper = ScalarBollinger(period, deviations)
    lower, middle, upper, *_ = kernels.bollinger_kernel(
        values, 0, 0, period, deviations, np.zeros(2)
    )
    pushed = [stepper.push(float(v)) for v in values]
    same([p[0] for p in pushed], lower)
    same([p[1] for p in pushed], middle)
    same([p[2] for p in pushed], upper)
