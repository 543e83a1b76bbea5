"""Slippage models and the volume participation cap."""

from __future__ import annotations

import math

import pytest

from trademind.core.errors import ValidationError
from trademind.fills.slippage import (
    SLIPPAGE_FIXED_BPS,
    AtrSlippage,
    FixedBpsSlippage,
    NoSlippage,
    VolumeCap,
    slipped_price,
    within_bar,
)


def test_fixed_bps_moves_against_the_trader() -> None:
    model = FixedBpsSlippage(10.0)
    assert model.price(100.0, is_buy=True) == pytest.approx(100.10)
    assert model.price(100.0, is_buy=False) == pytest.approx(99.90)


def test_limit_fills_never_cross_the_limit() -> None:
    model = FixedBpsSlippage(50.0)
    assert model.price(99.9, is_buy=True, limit=100.0) == 100.0  # 100.3995 clamped
    assert model.price(100.1, is_buy=False, limit=100.0) == 100.0
    assert model.price(95.0, is_buy=True, limit=100.0) == pytest.approx(95.475)


def test_atr_slippage_is_a_multiple_of_atr() -> None:
    model = AtrSlippage(multiplier=0.5, period=14)
    assert model.price(100.0, is_buy=True, atr=2.0) == pytest.approx(101.0)
    assert model.price(100.0, is_buy=False, atr=2.0) == pytest.approx(99.0)
    with pytest.raises(ValidationError):
        model.price(100.0, is_buy=True, atr=float("nan"))


def test_sells_never_fill_below_zero() -> None:
    assert AtrSlippage(multiplier=10.0).price(1.0, is_buy=False, atr=5.0) == 0.0


def test_within_bar_clamps_a_price_into_the_bar_range() -> None:
    """Issue 9, defect 13: no trade happens outside the bar's [low, high]."""
    assert within_bar(101.0, 99.0, 100.5) == 100.5
    assert within_bar(98.0, 99.0, 100.5) == 99.0
    assert within_bar(100.0, 99.0, 100.5) == 100.0
    assert within_bar(99.0, 99.0, 99.0) == 99.0


@pytest.mark.parametrize(
    ("model", "atr"), [(FixedBpsSlippage(100.0), 0.0), (AtrSlippage(multiplier=0.5), 2.0)]
)
def test_slippage_never_leaves_the_bar(model: FixedBpsSlippage | AtrSlippage, atr: float) -> None:
    """Issue 9, defect 13: a buy slipped past the high fills at the high, a sell slipped past
    the low at the low (backtrader's slip_match without slip_out); inside the range the
    slipped price stands."""
    assert model.price(100.0, is_buy=True, atr=atr, low=99.5, high=100.5) == 100.5
    assert model.price(100.0, is_buy=False, atr=atr, low=99.5, high=100.5) == 99.5
    assert model.price(100.0, is_buy=True, atr=atr, low=90.0, high=110.0) == 101.0
    assert model.price(100.0, is_buy=False, atr=atr, low=90.0, high=110.0) == 99.0


def test_the_numba_rule_clamps_then_respects_the_limit() -> None:
    """Issue 9, defect 13: the scalar rule the engine loop calls, in its documented order:
    slip, clamp into (low, high), then never past the limit."""
    bps = SLIPPAGE_FIXED_BPS  # 100 bps: 100.0 slips to 101.0 or 99.0
    assert slipped_price(bps, 100.0, 100.0, 0.0, True, math.nan, (99.0, 100.4)) == 100.4
    assert slipped_price(bps, 100.0, 100.0, 0.0, True, 100.2, (99.0, 100.4)) == 100.2
    assert slipped_price(bps, 100.0, 100.0, 0.0, False, math.nan, (99.6, 101.0)) == 99.6
    assert slipped_price(bps, 100.0, 100.0, 0.0, False, 99.8, (99.6, 101.0)) == 99.8


def test_a_bar_with_low_above_high_is_refused() -> None:
    with pytest.raises(ValidationError, match="low"):
        FixedBpsSlippage(5.0).price(100.0, is_buy=True, low=101.0, high=99.0)


def test_no_slippage() -> None:
    assert NoSlippage().price(42.0, is_buy=True) == 42.0


def test_volume_cap_limits_each_bar_and_counts_what_was_used() -> None:
    cap = VolumeCap(0.1)
    assert cap.quantity(500.0, bar_volume=1000.0) == 100.0
    assert cap.quantity(50.0, bar_volume=1000.0) == 50.0
    assert cap.quantity(500.0, bar_volume=1000.0, used=80.0) == 20.0
    assert cap.quantity(500.0, bar_volume=1000.0, used=100.0) == 0.0
    assert cap.quantity(500.0, bar_volume=0.0) == 0.0


@pytest.mark.parametrize(
    "build",
    [
        lambda: FixedBpsSlippage(-1.0),
        lambda: AtrSlippage(multiplier=-0.1),
        lambda: AtrSlippage(period=0),
        lambda: VolumeCap(0.0),
        lambda: VolumeCap(1.5),
    ],
)
def test_bad_parameters_are_rejected(build: object) -> None:
    with pytest.raises(ValidationError):
        build()  # type: ignore[operator]
