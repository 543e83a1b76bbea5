"""Slippage models and the volume participation cap."""

from __future__ import annotations

import pytest

from trademind.core.errors import ValidationError
from trademind.fills.slippage import AtrSlippage, FixedBpsSlippage, NoSlippage, VolumeCap


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
