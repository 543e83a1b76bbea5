"""Commission models: hand-computed charges, the IBKR minimum and cap, affordable quantities."""

from __future__ import annotations

import math

import pytest

from trademind.core.errors import ValidationError
from trademind.fills.commission import (
    PercentageCommission,
    PerShareCommission,
    ZeroCommission,
    commission_cost,
)


def test_percentage_is_rate_times_value() -> None:
    assert PercentageCommission(0.001).cost(100, 50.0) == pytest.approx(5.0)
    assert PercentageCommission(0.001).cost(0, 50.0) == 0.0


def test_per_share_charges_per_share_between_minimum_and_cap() -> None:
    ibkr = PerShareCommission(per_share=0.005, minimum=1.0, maximum_fraction=0.01)
    assert ibkr.cost(1000, 50.0) == pytest.approx(5.0)  # 1000 * 0.005
    assert ibkr.cost(10, 50.0) == pytest.approx(1.0)  # 0.05 raised to the $1 minimum
    # 1000 shares at $0.20: 5.00 per share, capped at 1% of $200 = $2
    assert ibkr.cost(1000, 0.20) == pytest.approx(2.0)
    # the cap wins over the minimum: 10 shares at $5 = $50 order pays 1% = $0.50, not $1
    assert ibkr.cost(10, 5.0) == pytest.approx(0.5)


def test_per_share_without_cap() -> None:
    uncapped = PerShareCommission(per_share=0.005, minimum=1.0, maximum_fraction=0.0)
    assert uncapped.cost(1000, 0.20) == pytest.approx(5.0)


def test_zero_commission() -> None:
    assert ZeroCommission().cost(1000, 50.0) == 0.0
    assert ZeroCommission().affordable_quantity(1000.0, 50.0) == 20.0


def test_percentage_all_in_quantity_spends_all_cash_and_no_more() -> None:
    model = PercentageCommission(0.001)
    quantity = model.affordable_quantity(10_000.0, 123.45)
    assert quantity == pytest.approx(10_000.0 / (123.45 * 1.001), rel=1e-15)
    assert quantity * 123.45 + model.cost(quantity, 123.45) <= 10_000.0


@pytest.mark.parametrize(
    ("cash", "price", "expected"),
    [
        (100_000.0, 50.0, 100_000.0 / 50.005),  # per-share piece: 1999.96 shares, $10 fee
        (1000.0, 50.0, 999.0 / 50.0),  # minimum piece: the $1 fee leaves $999 for shares
        (100.0, 50.0, 100.0 / (50.0 * 1.01)),  # a $99 order: 1% cap (0.99) beats the minimum
        (100_000.0, 0.1, 100_000.0 / (0.1 * 1.01)),  # cap piece: 1% of the value
    ],
)
def test_per_share_affordable_quantity_solves_each_piece(
    cash: float, price: float, expected: float
) -> None:
    model = PerShareCommission(0.005, 1.0, 0.01)
    quantity = model.affordable_quantity(cash, price)
    assert quantity == pytest.approx(expected, rel=1e-12)
    assert quantity * price + model.cost(quantity, price) <= cash


def test_nothing_is_affordable_without_cash() -> None:
    assert PercentageCommission(0.001).affordable_quantity(0.0, 10.0) == 0.0
    assert PerShareCommission().affordable_quantity(-5.0, 10.0) == 0.0


def test_kernel_takes_cumulative_order_values() -> None:
    """Partial fills: the order pays the minimum once (charge = C(total) - C(so far))."""
    first = commission_cost(2, 0.005, 1.0, 0.01, 10.0, 500.0)
    both = commission_cost(2, 0.005, 1.0, 0.01, 30.0, 1500.0)
    assert first == 1.0
    assert both - first == 0.0  # 30 shares still pay only the $1 minimum


@pytest.mark.parametrize(
    "build",
    [
        lambda: PercentageCommission(-0.001),
        lambda: PercentageCommission(math.nan),
        lambda: PerShareCommission(per_share=-1.0),
        lambda: PerShareCommission(minimum=1000.0),
        lambda: PerShareCommission(maximum_fraction=2.0),
        lambda: PercentageCommission("0.1"),  # type: ignore[arg-type]
    ],
)
def test_bad_parameters_are_rejected(build: object) -> None:
    with pytest.raises(ValidationError):
        build()  # type: ignore[operator]
