"""Position sizing rules, alone and inside the engine."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.engine.run import run_backtest
from trademind.core.errors import ValidationError
from trademind.fills import NoSlippage, PercentageCommission, ZeroCommission
from trademind.fills.sizing import (
    AllIn,
    CappedKelly,
    FixedCash,
    FixedFraction,
    VolatilityTarget,
)
from trademind.fills.volatility import atr_series, return_std_series
from trademind.strategies.base import Bars, Signals

DAY = 86_400 * 10**9


def test_rules_alone() -> None:
    # price 50, equity 20k, 10k affordable, volatility 2 dollars per share
    assert AllIn().quantity(50.0, 20_000.0, 10_000.0 / 50.0) == 200.0
    assert FixedCash(1000.0).quantity(50.0, 20_000.0, 200.0) == 20.0
    assert FixedFraction(0.1).quantity(50.0, 20_000.0, 200.0) == 40.0
    assert VolatilityTarget(0.01).quantity(50.0, 20_000.0, 200.0, 2.0) == 100.0  # 200 / 2
    assert VolatilityTarget(0.01, max_fraction=0.1).quantity(50.0, 20_000.0, 200.0, 2.0) == 40.0
    assert VolatilityTarget(0.01).quantity(50.0, 20_000.0, 200.0, math.nan) == 0.0
    # Kelly: 0.55 - 0.45 / 1.5 = 0.25 of equity
    assert CappedKelly(0.55, 1.5, cap=0.5).fraction == pytest.approx(0.25)
    assert CappedKelly(0.55, 1.5, cap=0.5).quantity(50.0, 20_000.0, 200.0) == pytest.approx(100.0)
    assert CappedKelly(0.55, 1.5, cap=0.1).quantity(50.0, 20_000.0, 200.0) == pytest.approx(40.0)
    assert CappedKelly(0.3, 1.0).quantity(50.0, 20_000.0, 200.0) == 0.0  # negative edge
    # never more than the cash affords
    assert FixedFraction(1.0).quantity(50.0, 20_000.0, 200.0) == 200.0


@pytest.mark.parametrize(
    "build",
    [
        lambda: FixedCash(0.0),
        lambda: FixedFraction(1.5),
        lambda: VolatilityTarget(0.0),
        lambda: VolatilityTarget(0.01, source="range"),  # type: ignore[arg-type]
        lambda: VolatilityTarget(0.01, period=1),
        lambda: CappedKelly(win_rate=1.0),
        lambda: CappedKelly(payoff_ratio=0.0),
    ],
)
def test_bad_rules_are_rejected(build: object) -> None:
    with pytest.raises(ValidationError):
        build()  # type: ignore[operator]


def ramp_bars(size: int = 40) -> Bars:
    close = np.linspace(50.0, 60.0, size)
    return Bars(
        "X",
        np.arange(size, dtype=np.int64) * DAY,
        close.copy(),
        close + 1.0,
        close - 1.0,
        close.copy(),
        np.full(size, 1e9),
    )


def entry_at(size: int, bar: int) -> Signals:
    entries = np.zeros(size, dtype=bool)
    entries[bar] = True
    return Signals(
        entries,
        np.zeros(size, dtype=bool),
        entries.astype(float),
        np.zeros(size, np.int16),
        np.full(size, np.nan),
    )


FREE = BacktestConfig(initial_cash=10_000.0, commission=ZeroCommission(), slippage=NoSlippage())


def test_fixed_fraction_in_the_engine_uses_equity_at_the_fill() -> None:
    bars = ramp_bars()
    out = run_backtest([bars], [entry_at(len(bars), 20)], FREE.replace(sizing=FixedFraction(0.25)))
    assert out.log.quantity[0] == pytest.approx(2500.0 / bars.open[21])


def test_volatility_target_in_the_engine_uses_atr_at_the_signal_bar() -> None:
    bars = ramp_bars()
    sizing = VolatilityTarget(0.01, source="atr", period=14)
    out = run_backtest([bars], [entry_at(len(bars), 20)], FREE.replace(sizing=sizing))
    atr = atr_series(bars.high, bars.low, bars.close, 14)
    assert atr[20] == pytest.approx(2.0)  # every true range is high - low = 2
    assert out.log.quantity[0] == pytest.approx(100.0 / 2.0)  # 1% of 10k per ATR dollar


def test_volatility_target_with_std_source() -> None:
    bars = ramp_bars()
    sizing = VolatilityTarget(0.001, source="std", period=5, max_fraction=1.0)
    config = FREE.replace(sizing=sizing, commission=PercentageCommission(0.001))
    out = run_backtest([bars], [entry_at(len(bars), 20)], config)
    volatility = return_std_series(bars.close, 5)
    returns = bars.close[16:21] / bars.close[15:20] - 1.0
    assert volatility[20] == pytest.approx(returns.std() * bars.close[20], rel=1e-6)
    expected = min(10.0 / volatility[20], 10_000.0 / (bars.open[21] * 1.001))
    assert out.log.quantity[0] == pytest.approx(expected)


def test_capped_kelly_in_the_engine() -> None:
    bars = ramp_bars()
    out = run_backtest(
        [bars], [entry_at(len(bars), 5)], FREE.replace(sizing=CappedKelly(0.55, 1.5, 0.2))
    )
    assert out.log.quantity[0] == pytest.approx(2000.0 / bars.open[6])


def test_whole_shares_round_down() -> None:
    bars = ramp_bars()
    config = FREE.replace(sizing=FixedCash(1000.0), fractional_shares=False)
    out = run_backtest([bars], [entry_at(len(bars), 5)], config)
    assert out.log.quantity[0] == math.floor(1000.0 / bars.open[6])


def test_kelly_without_edge_rejects_the_entry() -> None:
    bars = ramp_bars()
    out = run_backtest([bars], [entry_at(len(bars), 5)], FREE.replace(sizing=CappedKelly(0.3, 1.0)))
    assert len(out.log) == 0
    assert out.counts.rejected == 1


def test_atr_warmup_is_the_mean_true_range_so_far() -> None:
    high = np.array([11.0, 12.0, 12.5])
    low = np.array([9.0, 10.0, 11.5])
    close = np.array([10.0, 11.0, 12.0])
    atr = atr_series(high, low, close, 14)
    assert atr.tolist() == pytest.approx([2.0, 2.0, (2.0 + 2.0 + 1.5) / 3])


def test_volatility_target_in_close_mode_sizes_from_the_signal_bar() -> None:
    bars = ramp_bars()
    config = FREE.replace(sizing=VolatilityTarget(0.01, period=14), fill_price="close")
    out = run_backtest([bars], [entry_at(len(bars), 20)], config)
    assert out.log.entry_index[0] == 20
    assert out.log.quantity[0] == pytest.approx(100.0 / 2.0)
