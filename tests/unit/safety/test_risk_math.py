"""VaR and CVaR: hand-computed cases, numpy references, input validation and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from trademind.core.errors import ValidationError
from trademind.safety.risk_math import (
    ReturnsWindow,
    RiskInputError,
    historical_var_cvar,
    normal_tail_factors,
    parametric_var_cvar,
    post_trade_figures,
)

TEN_DAYS = [-0.05, -0.02, 0.0, 0.01, 0.03, -0.04, 0.02, -0.01, 0.04, 0.05]
# Standard normal: z and phi(z) / (1 - a), from tables.
Z95, ES95 = 1.6448536269514722, 2.0627128075074257
Z99, ES99 = 2.3263478740408408, 2.6652142203457833


def _window(returns: object, symbols: list[str], min_days: int = 5) -> ReturnsWindow:
    return ReturnsWindow.build(symbols, returns, min_days=min_days)


def test_historical_by_hand() -> None:
    # 100 held: losses sorted -5 -4 -3 -2 -1 0 1 2 4 5.
    pnl = 100 * np.array(TEN_DAYS)
    # a = 0.95: h = 9 x 0.95 = 8.55 -> 4 + 0.55 x (5 - 4); tail {5}.
    assert historical_var_cvar(pnl, 0.95) == pytest.approx((4.55, 5.0))
    # a = 0.8: h = 7.2 -> 2 + 0.2 x (4 - 2); tail {4, 5}.
    assert historical_var_cvar(pnl, 0.8) == pytest.approx((2.4, 4.5))


def test_cvar_takes_the_tail_by_position_so_ties_do_not_dilute_it() -> None:
    # 21 days, one loss of 1: sorted losses 0 x 20, 1; h = 20 x 0.95 = 19 -> VaR = L_19 = 0.
    # The tail is L_19, L_20 (mean 0.5), not every day with a loss >= 0 (mean 1/21).
    pnl = np.array([-1.0] + [0.0] * 20)
    assert historical_var_cvar(pnl, 0.95) == pytest.approx((0.0, 0.5))
    # float noise on the tied days leaves the figures (near) unchanged
    noisy = pnl + np.array([0.0] + [1e-17 * (-1) ** i for i in range(20)])
    assert historical_var_cvar(noisy, 0.95) == pytest.approx((0.0, 0.5), abs=1e-15)


def test_historical_matches_numpy_linear_quantile() -> None:
    rng = np.random.default_rng(7)
    pnl = rng.normal(0, 1000, 250)
    losses = -pnl
    for level in (0.95, 0.99, 0.975):
        var, cvar = historical_var_cvar(pnl, level)
        assert var == pytest.approx(np.quantile(losses, level, method="linear"), rel=1e-12)
        tail = np.sort(losses)[math.ceil(249 * level) :]
        assert cvar == pytest.approx(tail.mean(), rel=1e-12)
        assert cvar == pytest.approx(losses[losses >= var].mean(), rel=1e-12)  # no ties here


def test_normal_factors_match_tables() -> None:
    assert normal_tail_factors(0.95) == pytest.approx((Z95, ES95), rel=1e-9)
    assert normal_tail_factors(0.99) == pytest.approx((Z99, ES99), rel=1e-9)


def test_parametric_by_hand() -> None:
    # s = 1000, zero mean: VaR = z s, CVaR = phi(z) / (1 - a) s; a mean of 10 lowers both by 10.
    assert parametric_var_cvar(1000.0, 0.0, 0.99) == pytest.approx((Z99 * 1000, ES99 * 1000))
    assert parametric_var_cvar(1000.0, 10.0, 0.95) == pytest.approx(
        (Z95 * 1000 - 10, ES95 * 1000 - 10)
    )


def test_window_parametric_equals_the_sample_std_of_portfolio_pnl() -> None:
    rng = np.random.default_rng(3)
    returns = rng.normal(0.001, 0.02, (250, 3))
    window = _window(returns, ["A", "B", "C"])
    values = {"A": 10_000.0, "B": -4_000.0, "C": 2_500.0}
    vector = window.vector(values)
    pnl = returns @ np.array([10_000.0, -4_000.0, 2_500.0])
    std = pnl.std(ddof=1)
    p95, p99 = window.parametric(vector)
    assert (p95.var, p99.var) == pytest.approx((Z95 * std, Z99 * std), rel=1e-10)
    assert (p95.cvar, p99.cvar) == pytest.approx((ES95 * std, ES99 * std), rel=1e-10)
    (with_mean,) = window.parametric(vector, (0.95,), include_mean=True)
    assert with_mean.var == pytest.approx(Z95 * std - pnl.mean(), rel=1e-10)
    h95, h99 = window.historical(vector)
    assert h95.var == pytest.approx(np.quantile(-pnl, 0.95), rel=1e-12)
    assert h99.var == pytest.approx(np.quantile(-pnl, 0.99), rel=1e-12)
    assert (h95.method, h95.level, h95.days) == ("historical", 0.95, 250)
    np.testing.assert_allclose(window.covariance, np.cov(returns, rowvar=False), rtol=1e-12)
    np.testing.assert_allclose(window.correlation, np.corrcoef(returns, rowvar=False), rtol=1e-12)


def test_post_trade_vector_adds_the_order_and_leaves_the_original() -> None:
    window = _window(np.column_stack([TEN_DAYS, TEN_DAYS[::-1]]), ["A", "B"])
    before = window.vector({"A": 100.0})
    after = window.with_order(before, "B", 100.0)
    assert before.tolist() == [100.0, 0.0]
    assert after.tolist() == [100.0, 100.0]
    # B's returns mirror A's: the pair's losses are smaller than A's alone at 95%.
    assert window.historical(after, (0.95,))[0].var < window.historical(before, (0.95,))[0].var
    sold = window.with_order(before, "A", -100.0)
    assert window.historical(sold, (0.95,))[0].var == 0.0


def test_post_trade_figures_in_one_call() -> None:
    window = _window(np.column_stack([TEN_DAYS, TEN_DAYS[::-1]]), ["A", "B"])
    figures = post_trade_figures(window, {"A": 50.0}, "A", 50.0)
    after = window.vector({"A": 100.0})
    assert figures == window.historical(after) + window.parametric(after)
    assert [(f.method, f.level) for f in figures] == [
        ("historical", 0.95),
        ("historical", 0.99),
        ("parametric", 0.95),
        ("parametric", 0.99),
    ]
    assert figures[0].var == pytest.approx(4.55)


def test_missing_history_excludes_the_symbol_and_names_it_when_used() -> None:
    returns = np.random.default_rng(1).normal(0, 0.01, (30, 2))
    returns[:25, 1] = np.nan  # B: 5 of 30 days
    window = _window(returns, ["A", "B"], min_days=20)
    assert window.symbols == ("A",)
    assert window.days_dropped == 0
    assert "B has returns on 5 of 30 days, need 20" in window.excluded["B"]
    with pytest.raises(RiskInputError, match="no usable return history: B has returns on 5"):
        window.vector({"A": 1.0, "B": 1.0})
    with pytest.raises(RiskInputError, match="C is not in the returns window"):
        window.with_order(window.vector({"A": 1.0}), "C", 5.0)
    assert window.vector({"A": 1.0, "B": 0.0}).tolist() == [1.0]  # a flat B is no exposure


def test_scattered_missing_days_are_dropped_and_counted() -> None:
    returns = np.random.default_rng(2).normal(0, 0.01, (30, 2))
    returns[3, 0] = np.nan
    returns[10, 1] = np.nan
    window = _window(returns, ["A", "B"], min_days=20)
    assert window.days == 28
    assert window.days_dropped == 2
    np.testing.assert_allclose(window.returns, np.delete(returns, [3, 10], axis=0))


def test_too_few_complete_days_is_refused() -> None:
    returns = np.random.default_rng(2).normal(0, 0.01, (30, 2))
    returns[:8, 0] = np.nan
    returns[8:16, 1] = np.nan  # each has 22 >= 20 days, together only 14 complete days
    with pytest.raises(RiskInputError, match="only 14 days have returns for every symbol"):
        _window(returns, ["A", "B"], min_days=20)


@pytest.mark.parametrize(
    ("returns", "symbols", "message"),
    [
        (np.zeros(10), ["A"], "days x symbols matrix"),
        (np.zeros((10, 2)), ["A"], "2 columns but 1 symbols"),
        (np.zeros((10, 2)), ["A", "A"], "unique"),
        (np.array([[0.1], [np.inf]] * 5), ["A"], "infinite"),
    ],
)
def test_bad_matrices_are_refused(returns: object, symbols: list[str], message: str) -> None:
    with pytest.raises(RiskInputError, match=message):
        _window(returns, symbols)


def test_errors_belong_to_the_hierarchy_and_levels_are_checked() -> None:
    assert issubclass(RiskInputError, ValidationError)
    window = _window(np.array(TEN_DAYS)[:, None], ["A"])
    vector = window.vector({"A": 1.0})
    for level in (0.5, 1.0, 1.2, math.nan):
        with pytest.raises(RiskInputError, match="confidence level"):
            window.historical(vector, (level,))
    with pytest.raises(RiskInputError, match="not finite"):
        window.vector({"A": math.nan})
    with pytest.raises(RiskInputError, match="shape"):
        window.parametric(np.zeros(3))


def test_a_constant_symbol_has_undefined_correlation_but_a_risk_of_zero() -> None:
    returns = np.column_stack([TEN_DAYS, np.zeros(10)])
    window = _window(returns, ["A", "CASHLIKE"])
    assert math.isnan(window.correlation[0, 1])
    assert window.parametric(window.vector({"CASHLIKE": 50.0}))[0].var == 0.0


matrices = arrays(
    np.float64,
    st.tuples(st.integers(10, 60), st.integers(1, 4)),
    elements=st.floats(-0.2, 0.2, allow_nan=False, allow_subnormal=False),
)
values = st.lists(
    st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False), min_size=4, max_size=4
)


def _figures(
    returns: np.ndarray, raw: list[float], levels: tuple[float, ...]
) -> list[tuple[float, float]]:
    symbols = [f"S{i}" for i in range(returns.shape[1])]
    window = _window(returns, symbols, min_days=2)
    vector = np.array(raw[: returns.shape[1]])
    out = [(f.var, f.cvar) for f in window.historical(vector, levels)]
    return out + [(f.var, f.cvar) for f in window.parametric(vector, levels)]


def _tolerance(returns: np.ndarray, raw: list[float]) -> float:
    return 1e-9 * (1.0 + float(np.abs(returns).sum(axis=1).max()) * max(map(abs, raw)))


@settings(max_examples=150, deadline=None)
@given(matrices, values, st.floats(0.51, 0.98), st.floats(0.001, 0.019))
def test_var_and_cvar_grow_with_the_level_and_cvar_is_at_least_var(
    returns: np.ndarray, raw: list[float], low: float, step: float
) -> None:
    tol = _tolerance(returns, raw)
    lows = _figures(returns, raw, (low,))
    highs = _figures(returns, raw, (low + step,))
    for (var_lo, cvar_lo), (var_hi, cvar_hi) in zip(lows, highs, strict=True):
        assert var_lo <= var_hi + tol
        assert cvar_lo <= cvar_hi + tol
        assert cvar_lo >= var_lo - tol
        assert cvar_hi >= var_hi - tol


@settings(max_examples=150, deadline=None)
@given(matrices, values, st.floats(0.01, 100.0))
def test_scaling_positions_by_k_scales_var_and_cvar_by_k(
    returns: np.ndarray, raw: list[float], k: float
) -> None:
    tol = _tolerance(returns, raw) * (1 + k)
    base = _figures(returns, raw, (0.95, 0.99))
    scaled = _figures(returns, [k * x for x in raw], (0.95, 0.99))
    for (var, cvar), (var_k, cvar_k) in zip(base, scaled, strict=True):
        assert var_k == pytest.approx(k * var, abs=tol * 10, rel=1e-9)
        assert cvar_k == pytest.approx(k * cvar, abs=tol * 10, rel=1e-9)
