"""Correlation with held positions, beta and beta-adjusted size, volatility, heat."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trademind.safety.exposure import (
    HeldCorrelations,
    StopRisk,
    annualised_volatility,
    beta,
    beta_adjusted_value,
    correlation_with_held,
    heat,
    heat_after,
    heat_of_arrays,
    window_volatility,
)
from trademind.safety.risk_math import ReturnsWindow, RiskInputError


@pytest.fixture
def window() -> ReturnsWindow:
    rng = np.random.default_rng(11)
    market = rng.normal(0.0, 0.01, 250)
    noise = rng.normal(0.0, 0.01, (250, 2))
    returns = np.column_stack(
        [market, 1.5 * market + 0.2 * noise[:, 0], -0.5 * market + noise[:, 1], noise[:, 0]]
    )
    return ReturnsWindow.build(["SPY", "HIGHB", "HEDGE", "IDIO"], returns, min_days=100)


def test_correlation_with_held_positions(window: ReturnsWindow) -> None:
    rho = np.corrcoef(window.returns, rowvar=False)
    report = correlation_with_held(
        window, "SPY", {"HIGHB": 3_000.0, "HEDGE": -1_000.0, "SPY": 500.0, "IDIO": 0.0}
    )
    assert report.most_correlated == "HIGHB"
    assert report.max_abs == pytest.approx(abs(rho[0, 1]))
    # value-weighted: (3000 rho_SPY,HIGHB + 1000 rho_SPY,HEDGE) / 4000; SPY itself and flat IDIO
    # are left out.
    assert report.weighted == pytest.approx((3000 * rho[0, 1] + 1000 * rho[0, 2]) / 4000)
    assert report.max_abs > 0.9


def test_correlation_without_held_positions_is_zero(window: ReturnsWindow) -> None:
    report = correlation_with_held(window, "SPY", {"SPY": 100.0})
    assert (report.max_abs, report.most_correlated, report.weighted) == (0.0, None, 0.0)


def test_correlation_with_a_constant_symbol_is_refused() -> None:
    returns = np.column_stack([np.linspace(-0.01, 0.01, 10), np.zeros(10)])
    window = ReturnsWindow.build(["A", "FLAT"], returns, min_days=5)
    with pytest.raises(RiskInputError, match="undefined with FLAT: zero variance"):
        correlation_with_held(window, "A", {"FLAT": 1.0})


def test_beta_against_the_benchmark(window: ReturnsWindow) -> None:
    spy, high = window.returns[:, 0], window.returns[:, 1]
    expected = np.cov(high, spy)[0, 1] / spy.var(ddof=1)
    assert beta(window, "HIGHB", "SPY") == pytest.approx(expected)
    assert beta(window, "SPY", "SPY") == pytest.approx(1.0)
    assert beta(window, "HEDGE", "SPY") < 0


def test_beta_adjusted_value_keeps_the_beta_exposure() -> None:
    sized = beta_adjusted_value(10_000.0, 2.0)
    assert (sized.value, sized.floored) == (5_000.0, False)
    assert beta_adjusted_value(10_000.0, -0.5).value == 20_000.0
    tiny = beta_adjusted_value(10_000.0, 0.01, floor=0.25)
    assert (tiny.value, tiny.floored, tiny.beta) == (40_000.0, True, 0.01)
    with pytest.raises(RiskInputError, match="floor"):
        beta_adjusted_value(1.0, 1.0, floor=0.0)
    with pytest.raises(RiskInputError, match="finite"):
        beta_adjusted_value(1.0, math.nan)


def test_annualised_volatility(window: ReturnsWindow) -> None:
    daily = [0.01, -0.01, 0.02, -0.02]
    assert annualised_volatility(daily) == pytest.approx(np.std(daily, ddof=1) * math.sqrt(252))
    assert annualised_volatility(daily, periods_per_year=12) == pytest.approx(
        np.std(daily, ddof=1) * math.sqrt(12)
    )
    assert window_volatility(window, "IDIO") == pytest.approx(
        annualised_volatility(window.returns[:, 3])
    )
    with pytest.raises(RiskInputError, match="at least 2"):
        annualised_volatility([0.01])
    with pytest.raises(RiskInputError, match="NaN"):
        annualised_volatility([0.01, math.nan, 0.0])


def test_heat_sums_the_risk_to_each_stop_over_equity() -> None:
    positions = [
        StopRisk("LONG", 100, 50.0, 45.0),  # 5 x 100 = 500
        StopRisk("SHORT", -20, 200.0, 210.0),  # 10 x 20 = 200
        StopRisk("LOCKED", 10, 100.0, 105.0),  # stop above a long's price: a locked-in gain
    ]
    report = heat(positions, equity=10_000.0)
    assert report.total_risk == pytest.approx(700.0)
    assert report.heat == pytest.approx(0.07)
    assert report.by_symbol == {"LONG": 500.0, "SHORT": 200.0, "LOCKED": 0.0}
    arrays = [np.array(x, dtype=float) for x in ([100, -20, 10], [50, 200, 100], [45, 210, 105])]
    assert heat_of_arrays(*arrays, equity=10_000.0) == pytest.approx(0.07)


@pytest.mark.parametrize(
    ("position", "equity", "message"),
    [
        (StopRisk("A", 1, 10.0, 9.0), 0.0, "positive equity"),
        (StopRisk("A", 1, math.nan, 9.0), 1.0, "bad position or stop for A"),
        (StopRisk("A", 1, 10.0, -1.0), 1.0, "bad position or stop for A"),
    ],
)
def test_heat_refuses_bad_input(position: StopRisk, equity: float, message: str) -> None:
    with pytest.raises(RiskInputError, match=message):
        heat([position], equity)


def test_held_correlations_built_once_answer_for_each_candidate(window: ReturnsWindow) -> None:
    held = {"HIGHB": 3_000.0, "HEDGE": -1_000.0, "IDIO": 500.0}
    prepared = HeldCorrelations.build(window, held)
    for candidate in ("SPY", "HIGHB", "IDIO"):
        assert prepared.of(candidate) == correlation_with_held(window, candidate, held)
    highb = prepared.of("HIGHB")  # itself left out: SPY is not held, so HEDGE or IDIO
    rho = np.corrcoef(window.returns, rowvar=False)
    assert highb.most_correlated == ("HEDGE" if abs(rho[1, 2]) > abs(rho[1, 3]) else "IDIO")
    assert highb.weighted == pytest.approx((1000 * rho[1, 2] + 500 * rho[1, 3]) / 1500)


def test_heat_after_an_order_replaces_the_symbols_position() -> None:
    held = [StopRisk("LONG", 100, 50.0, 45.0), StopRisk("SHORT", -20, 200.0, 210.0)]
    current = heat(held, equity=10_000.0)
    bigger = StopRisk("LONG", 300, 50.0, 45.0)
    assert heat_after(current, bigger, 10_000.0) == pytest.approx(
        heat([bigger, held[1]], 10_000.0).heat
    )
    new = StopRisk("NEW", 10, 100.0, 90.0)
    assert heat_after(current, new, 10_000.0) == pytest.approx(0.08)
    with pytest.raises(RiskInputError, match="bad position or stop for NEW"):
        heat_after(current, StopRisk("NEW", 10, 100.0, math.inf), 10_000.0)
