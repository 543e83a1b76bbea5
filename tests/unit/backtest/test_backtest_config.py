"""BacktestConfig validation and its construction from the settings."""

from __future__ import annotations

import pytest

from trademind.backtest.engine.config import BacktestConfig
from trademind.config.sections_market import BacktestSettings
from trademind.core.errors import ValidationError
from trademind.fills import (
    FixedBpsSlippage,
    NoSlippage,
    PercentageCommission,
    PerShareCommission,
    VolumeCap,
    ZeroCommission,
)
from trademind.fills.sizing import FixedFraction


@pytest.mark.parametrize(
    "changes",
    [
        {"initial_cash": 0.0},
        {"initial_cash": float("inf")},
        {"commission": 0.001},
        {"slippage": "5bps"},
        {"sizing": "all"},
        {"order_type": "iceberg"},
        {"time_in_force": "week"},
        {"limit_offset": -0.01},
        {"latency_bars": -1},
        {"latency_seconds": -0.5},
        {"fill_price": "vwap"},
        {"stop_loss": 0.0},
        {"stop_loss": 1.0},
        {"trailing_stop": 1.5},
        {"take_profit": -0.1},
        {"volume_cap": 0.1},
        {"fractional_shares": "yes"},
        {"bar_interval_seconds": 0.0},
        {"unknown_field": 1},
    ],
)
def test_bad_values_are_rejected(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        BacktestConfig().replace(**changes)


def test_valid_config_keeps_its_values() -> None:
    config = BacktestConfig(
        order_type="stop_limit",
        limit_offset=0.01,
        stop_offset=0.02,
        time_in_force="gtc",
        stop_loss=0.05,
        take_profit=0.2,
        trailing_stop=0.1,
        volume_cap=VolumeCap(0.05),
        latency_bars=1,
    )
    assert config.order.type_code == 3
    assert config.latency.bars == 1


def test_from_settings_defaults_are_ibkr_costs() -> None:
    config = BacktestConfig.from_settings(BacktestSettings())
    assert config.initial_cash == 100_000.0
    assert config.commission == PerShareCommission(0.005, 1.0, 0.01)
    assert config.slippage == FixedBpsSlippage(5.0)
    assert config.fill_price == "next_open"
    assert config.fractional_shares is True


def test_from_settings_maps_every_model() -> None:
    settings = BacktestSettings(
        initial_cash=5000.0,
        commission_model="percentage",
        commission_rate=0.002,
        slippage_bps=0.0,
        fill_price="close",
        latency_ms=250,
        fractional_shares=False,
    )
    config = BacktestConfig.from_settings(settings, sizing=FixedFraction(0.5), stop_loss=0.1)
    assert config.commission == PercentageCommission(0.002)
    assert config.slippage == NoSlippage()
    assert config.fill_price == "close"
    assert config.latency_seconds == 0.25
    assert config.fractional_shares is False
    assert config.sizing == FixedFraction(0.5)
    assert config.stop_loss == 0.1
    none = BacktestConfig.from_settings(BacktestSettings(commission_model="none"))
    assert none.commission == ZeroCommission()


def test_from_settings_rejects_bad_overrides() -> None:
    with pytest.raises(ValidationError):
        BacktestConfig.from_settings(BacktestSettings(), stop_loss=2.0)
