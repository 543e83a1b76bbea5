"""Backtest metrics: hand-computed curves, independent cross-checks and the undefined cases."""

from __future__ import annotations

import itertools
import json
import math
import statistics
from datetime import UTC, datetime
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from trademind.backtest.analytics.metrics import (
    TradeStats,
    compute_metrics,
    drawdown_series,
    monthly_returns,
    period_returns,
)
from trademind.backtest.analytics.periods import infer_periods_per_year
from trademind.core.errors import ValidationError

DAY = 86_400 * 10**9
MINUTE = 60 * 10**9
YEAR_NS = int(365.25 * DAY)
METRIC_NAMES = [
    "total_return",
    "cagr",
    "volatility",
    "sharpe",
    "sortino",
    "calmar",
    "max_drawdown",
    "max_drawdown_duration",
    "max_drawdown_duration_days",
    "win_rate",
    "profit_factor",
    "average_win",
    "average_loss",
    "expectancy",
    "exposure",
    "turnover",
    "trade_count",
    "alpha",
    "beta",
    "probabilistic_sharpe",
]


def ns(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()) * 10**9


def business_days(count: int, start: str = "2021-01-04") -> np.ndarray:
    days = pd.bdate_range(start, periods=count, tz="UTC")
    return days.asi8.astype(np.int64)


def metrics(ts: object, equity: object, **overrides: object) -> dict[str, float | int | None]:
    kwargs: dict[str, object] = {
        "benchmark_equity": None,
        "exposure": None,
        "turnover_notional": 0.0,
        "risk_free_rate": 0.0,
    }
    kwargs.update(overrides)
    trades = kwargs.pop("trades", TradeStats.empty())
    assert isinstance(trades, TradeStats)
    return compute_metrics(ts, equity, trades, **kwargs)  # type: ignore[arg-type]


def random_curve(seed: int, size: int = 400) -> np.ndarray:
    steps = np.random.default_rng(seed).normal(0.0005, 0.012, size - 1)
    return 1000.0 * np.concatenate(([1.0], np.cumprod(1.0 + steps)))


# --- drawdown: depth and duration ------------------------------------------------------


def test_drawdown_depth_and_duration_of_a_hand_built_curve() -> None:
    # peak 110 on day 1, trough 99 (-10%) on day 2, back above 110 only on day 6 (3 bars later)
    ts = np.array([0, 1, 2, 5, 6, 7], dtype=np.int64) * DAY
    equity = [100.0, 110.0, 99.0, 105.0, 121.0, 120.0]
    np.testing.assert_allclose(
        drawdown_series(equity), [0.0, 0.0, -0.1, 105 / 110 - 1, 0.0, 120 / 121 - 1], atol=1e-15
    )
    result = metrics(ts, equity)
    assert result["max_drawdown"] == pytest.approx(-0.1, abs=1e-15)
    assert result["max_drawdown_duration"] == 3
    assert result["max_drawdown_duration_days"] == pytest.approx(5.0)


def test_bars_and_days_of_the_longest_spell_are_measured_separately() -> None:
    # spell A: 3 bars over 3 days; spell B: 2 bars over a 10-day gap that never recovers
    ts = np.array([0, 1, 2, 3, 4, 14], dtype=np.int64) * DAY
    equity = [100.0, 90.0, 95.0, 101.0, 99.0, 98.0]
    result = metrics(ts, equity)
    assert result["max_drawdown_duration"] == 3
    assert result["max_drawdown_duration_days"] == pytest.approx(11.0)  # day 3 peak to day 14
    assert result["max_drawdown"] == pytest.approx(-0.1)


def test_a_curve_that_never_recovers_is_under_water_until_the_last_bar() -> None:
    result = metrics(business_days(4), [100.0, 120.0, 90.0, 95.0])
    assert result["max_drawdown"] == pytest.approx(-0.25)
    assert result["max_drawdown_duration"] == 2


def test_a_curve_without_drawdown_has_zero_depth_and_no_calmar() -> None:
    result = metrics(business_days(4), [100.0, 101.0, 101.0, 103.0])
    assert result["max_drawdown"] == 0.0
    assert result["max_drawdown_duration"] == 0
    assert result["max_drawdown_duration_days"] == 0.0
    assert result["calmar"] is None


# --- returns, CAGR, volatility, Sharpe, Sortino ---------------------------------------------


def test_cagr_of_a_two_year_doubling_is_sqrt2_minus_1() -> None:
    ts = np.linspace(0, 2 * YEAR_NS, 505).astype(np.int64)
    equity = np.linspace(100.0, 200.0, 505)
    result = metrics(ts, equity)
    assert result["total_return"] == pytest.approx(1.0, rel=1e-15)
    assert result["cagr"] == pytest.approx(math.sqrt(2) - 1, rel=1e-12)


def test_cagr_uses_calendar_time_of_real_dates() -> None:
    # 2020-01-01 to 2024-01-01 is 1461 days = 4 Julian years; quadrupling -> sqrt(2) - 1 a year
    ts = np.array([ns("2020-01-01T00:00:00"), ns("2022-06-01T00:00:00"), ns("2024-01-01")])
    result = metrics(ts, [50.0, 80.0, 200.0])
    assert result["cagr"] == pytest.approx(math.sqrt(2) - 1, rel=1e-12)
    max_drawdown = result["max_drawdown"]
    assert max_drawdown == 0.0


def test_calmar_is_cagr_over_the_depth_of_the_max_drawdown() -> None:
    ts = np.linspace(0, YEAR_NS, 4).astype(np.int64)
    result = metrics(ts, [100.0, 80.0, 100.0, 120.0])
    assert result["cagr"] == pytest.approx(0.2)
    assert result["calmar"] == pytest.approx(0.2 / 0.2)


def test_sharpe_sortino_and_volatility_agree_with_an_independent_computation() -> None:
    equity = random_curve(7)
    ts = business_days(equity.size)
    rf = 0.03
    result = metrics(ts, equity, risk_free_rate=rf)

    returns = pd.Series(equity).pct_change().dropna().tolist()
    rf_daily = (1 + rf) ** (1 / 252) - 1
    excess = [r - rf_daily for r in returns]
    expected_vol = statistics.stdev(returns) * math.sqrt(252)
    expected_sharpe = statistics.mean(excess) / statistics.stdev(excess) * math.sqrt(252)
    downside = math.sqrt(sum(min(x, 0.0) ** 2 for x in excess) / len(excess))
    expected_sortino = statistics.mean(excess) / downside * math.sqrt(252)

    assert result["periods_per_year"] == 252.0
    assert result["volatility"] == pytest.approx(expected_vol, rel=1e-10)
    assert result["sharpe"] == pytest.approx(expected_sharpe, rel=1e-10)
    assert result["sortino"] == pytest.approx(expected_sortino, rel=1e-10)


def test_given_periods_per_year_overrides_the_inferred_frequency() -> None:
    equity = random_curve(3)
    ts = business_days(equity.size)
    daily = metrics(ts, equity)
    weekly = metrics(ts, equity, periods_per_year=52.0)
    assert daily["sharpe"] is not None
    assert weekly["sharpe"] == pytest.approx(daily["sharpe"] * math.sqrt(52 / 252), rel=1e-12)


def test_probabilistic_sharpe_matches_the_formula_with_skewness_and_kurtosis() -> None:
    rng = np.random.default_rng(11)
    steps = np.exp(rng.normal(0.0004, 0.01, 300)) - 1.0  # log-normal: skewed returns
    equity = 100.0 * np.concatenate(([1.0], np.cumprod(1.0 + steps)))
    result = metrics(business_days(equity.size), equity)

    returns = [b / a - 1 for a, b in itertools.pairwise(equity)]
    n = len(returns)
    mean = sum(returns) / n
    m2 = sum((r - mean) ** 2 for r in returns) / n
    skew = sum((r - mean) ** 3 for r in returns) / n / m2**1.5
    kurt = sum((r - mean) ** 4 for r in returns) / n / m2**2
    sr = mean / statistics.stdev(returns)
    z = sr * math.sqrt(n - 1) / math.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr**2)
    assert skew != pytest.approx(0.0, abs=1e-3)
    assert result["probabilistic_sharpe"] == pytest.approx(NormalDist().cdf(z), rel=1e-10)


def test_probabilistic_sharpe_moves_away_from_one_half_with_a_longer_record() -> None:
    noise = np.random.default_rng(5).normal(0.0, 0.01, 59)
    for drift, direction in ((0.001, 1.0), (-0.001, -1.0)):
        steps = 1.0 + noise - noise.mean() + drift  # per-bar Sharpe exactly drift / std
        short = 100.0 * np.concatenate(([1.0], np.cumprod(steps)))
        long = 100.0 * np.concatenate(([1.0], np.cumprod(np.tile(steps, 8))))
        psr_short = metrics(business_days(short.size), short)["probabilistic_sharpe"]
        psr_long = metrics(business_days(long.size), long)["probabilistic_sharpe"]
        assert psr_short is not None
        assert psr_long is not None
        assert direction * (psr_short - 0.5) > 0
        assert direction * (psr_long - psr_short) > 0


# --- alpha and beta ---------------------------------------------------------------------------


def test_a_curve_with_one_and_a_half_times_the_benchmark_returns_has_beta_1_5() -> None:
    bench_returns = np.random.default_rng(2).normal(0.0004, 0.011, 300)
    bench = 100.0 * np.concatenate(([1.0], np.cumprod(1.0 + bench_returns)))
    equity = 100.0 * np.concatenate(([1.0], np.cumprod(1.0 + 1.5 * bench_returns)))
    ts = business_days(bench.size)
    plain = metrics(ts, equity, benchmark_equity=bench)
    assert plain["beta"] == pytest.approx(1.5, rel=1e-10)
    assert plain["alpha"] == pytest.approx(0.0, abs=1e-12)
    # with a risk-free rate, 1.5x leverage borrowed at zero beats CAPM by 0.5 rf per period
    rf = 0.04
    levered = metrics(ts, equity, benchmark_equity=bench, risk_free_rate=rf)
    rf_daily = (1 + rf) ** (1 / 252) - 1
    assert levered["beta"] == pytest.approx(1.5, rel=1e-10)
    assert levered["alpha"] == pytest.approx(0.5 * rf_daily * 252, rel=1e-8)


def test_alpha_is_the_annualised_excess_return_over_beta_times_the_benchmark() -> None:
    bench_returns = np.random.default_rng(4).normal(0.0, 0.01, 250)
    bench = 100.0 * np.concatenate(([1.0], np.cumprod(1.0 + bench_returns)))
    equity = 100.0 * np.concatenate(([1.0], np.cumprod(1.0 + bench_returns + 0.0002)))
    result = metrics(business_days(bench.size), equity, benchmark_equity=bench)
    assert result["beta"] == pytest.approx(1.0, rel=1e-10)
    assert result["alpha"] == pytest.approx(0.0002 * 252, rel=1e-8)


def test_alpha_and_beta_are_undefined_without_a_moving_benchmark() -> None:
    equity = random_curve(1, 50)
    ts = business_days(50)
    assert metrics(ts, equity)["beta"] is None
    flat = metrics(ts, equity, benchmark_equity=np.full(50, 100.0))
    assert flat["alpha"] is None
    assert flat["beta"] is None


# --- trades, exposure, turnover ---------------------------------------------------------------


def test_trade_statistics_of_hand_made_trades() -> None:
    trades = TradeStats(
        pnl=np.array([100.0, -50.0, 30.0, 0.0, -20.0]),
        return_fraction=np.array([0.10, -0.05, 0.03, 0.0, -0.02]),
        bars_held=np.array([5, 3, 2, 1, 4]),
    )
    result = metrics(business_days(3), [1000.0, 1010.0, 1060.0], trades=trades)
    assert result["trade_count"] == 5
    assert result["win_rate"] == pytest.approx(2 / 5)
    assert result["profit_factor"] == pytest.approx(130 / 70)
    assert result["average_win"] == pytest.approx(65.0)
    assert result["average_loss"] == pytest.approx(-35.0)
    assert result["expectancy"] == pytest.approx(12.0)
    assert result["average_win_return"] == pytest.approx(0.065)
    assert result["average_loss_return"] == pytest.approx(-0.035)
    assert result["expectancy_return"] == pytest.approx(0.012)
    assert result["average_bars_held"] == pytest.approx(3.0)


def test_only_winning_trades_leave_the_loss_side_undefined() -> None:
    trades = TradeStats(
        pnl=np.array([10.0, 5.0]),
        return_fraction=np.array([0.01, 0.005]),
        bars_held=np.array([1, 2]),
    )
    result = metrics(business_days(2), [100.0, 115.0], trades=trades)
    assert result["win_rate"] == 1.0
    assert result["profit_factor"] is None
    assert result["average_loss"] is None
    assert result["average_win"] == pytest.approx(7.5)


def test_only_losing_trades_have_a_profit_factor_of_zero() -> None:
    trades = TradeStats(
        pnl=np.array([-10.0]), return_fraction=np.array([-0.1]), bars_held=np.array([3])
    )
    result = metrics(business_days(2), [100.0, 90.0], trades=trades)
    assert result["profit_factor"] == 0.0
    assert result["win_rate"] == 0.0
    assert result["average_win"] is None


def test_exposure_is_the_mean_invested_fraction_and_turnover_is_per_mean_equity() -> None:
    result = metrics(
        business_days(4),
        [100.0, 110.0, 90.0, 100.0],
        exposure=[0.0, 1.0, 1.0, 0.5],
        turnover_notional=300.0,
    )
    assert result["exposure"] == pytest.approx(0.625)
    assert result["turnover"] == pytest.approx(3.0)
    assert metrics(business_days(2), [1.0, 1.0])["exposure"] is None


# --- undefined values: None, never NaN, inf or a made-up 0 ---------------------------------


def test_a_run_without_trades_or_movement_reports_none_where_undefined() -> None:
    result = metrics(business_days(30), np.full(30, 5000.0))
    assert set(METRIC_NAMES) <= set(result)
    assert result["trade_count"] == 0
    assert result["total_return"] == 0.0
    assert result["volatility"] == 0.0
    for name in [
        "sharpe",
        "sortino",
        "probabilistic_sharpe",
        "calmar",
        "win_rate",
        "profit_factor",
        "average_win",
        "average_loss",
        "expectancy",
        "alpha",
        "beta",
    ]:
        assert result[name] is None, name


def test_a_constant_growth_curve_has_no_sharpe_despite_float_noise() -> None:
    equity = 100.0 * 1.001 ** np.arange(40)
    result = metrics(business_days(40), equity)
    assert result["sharpe"] is None
    assert result["sortino"] is None
    assert result["cagr"] is not None
    assert result["cagr"] > 0


@pytest.mark.parametrize(
    ("ts", "equity"),
    [
        ([0], [100.0]),
        ([0, DAY], [100.0, 100.0]),
        ([0, DAY], [100.0, 0.0]),
        ([0, DAY, 2 * DAY], [100.0, 0.0, 0.0]),
        ([0, MINUTE, 2 * MINUTE], [100.0, 1e9, 1e12]),
    ],
)
def test_degenerate_curves_give_json_numbers_or_none(ts: list[int], equity: list[float]) -> None:
    result = metrics(np.array(ts, dtype=np.int64), equity, exposure=np.zeros(len(ts)))
    json.dumps(result, allow_nan=False)  # raises on NaN or infinity
    for name, value in result.items():
        assert value is None or isinstance(value, (int, float)), name
        assert not isinstance(value, np.generic), name


def test_a_total_loss_is_minus_100_percent_and_later_returns_are_undefined() -> None:
    result = metrics(business_days(3), [100.0, 0.0, 0.0])
    assert result["total_return"] == -1.0
    assert result["cagr"] == -1.0
    assert result["max_drawdown"] == -1.0
    assert result["sharpe"] is None
    assert period_returns([100.0, 0.0, 0.0]) is None


@pytest.mark.parametrize(
    ("ts", "equity", "message"),
    [
        ([0, DAY], [100.0], "expected"),
        ([DAY, 0], [100.0, 100.0], "strictly increasing"),
        ([0, DAY], [100.0, float("nan")], "NaN"),
        ([0, DAY], [0.0, 100.0], "initial equity"),
        ([0.5, 1.5], [1.0, 2.0], "int64"),
    ],
)
def test_bad_curves_are_rejected(ts: list[float], equity: list[float], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        metrics(np.array(ts), equity)


def test_trade_arrays_of_different_lengths_are_rejected() -> None:
    with pytest.raises(ValidationError, match="differ in length"):
        TradeStats(pnl=np.ones(2), return_fraction=np.ones(1), bars_held=np.ones(2, np.int64))


# --- bar frequency ---------------------------------------------------------------------------


def test_periods_per_year_is_inferred_from_the_bar_spacing() -> None:
    assert infer_periods_per_year(business_days(30)) == 252.0
    sessions = [ns("2024-03-04T14:30:00") + d * DAY for d in range(5)]
    one_minute = np.concatenate([s + np.arange(390) * MINUTE for s in sessions])
    five_minute = np.concatenate([s + np.arange(78) * 5 * MINUTE for s in sessions])
    assert infer_periods_per_year(one_minute) == 390 * 252
    assert infer_periods_per_year(five_minute) == 78 * 252
    half_day = ns("2024-03-11T14:30:00") + np.arange(210) * MINUTE  # early close: 210 bars
    assert infer_periods_per_year(np.concatenate((one_minute, half_day))) == 390 * 252
    assert infer_periods_per_year(np.arange(20, dtype=np.int64) * 7 * DAY) == 52.0
    months = pd.date_range("2020-01-31", periods=24, freq="ME", tz="UTC").asi8
    assert infer_periods_per_year(months) == 12.0


# --- monthly returns ---------------------------------------------------------------------


def test_monthly_returns_table_with_a_gap_month() -> None:
    ts = [ns(d) for d in ("2020-12-30", "2020-12-31", "2021-01-15", "2021-01-29", "2021-03-01")]
    table = monthly_returns(np.array(ts, dtype=np.int64), [100.0, 110.0, 99.0, 121.0, 133.1])
    assert table.years == (2020, 2021)
    assert table.values.shape == (2, 12)
    assert table.values[0, 11] == pytest.approx(0.1)
    assert table.values[1, 0] == pytest.approx(0.1)
    assert np.isnan(table.values[1, 1])  # February has no bars
    assert table.values[1, 2] == pytest.approx(0.1)
    assert np.isnan(table.values[0, :11]).all()
    assert np.isnan(table.values[1, 3:]).all()
    np.testing.assert_allclose(table.year_totals, [0.1, 0.21])


def test_monthly_returns_compound_to_the_total_return() -> None:
    equity = random_curve(9, 700)
    ts = business_days(equity.size, "2019-05-14")
    table = monthly_returns(ts, equity)
    assert np.prod(table.year_totals + 1.0) - 1.0 == pytest.approx(equity[-1] / equity[0] - 1)
