"""The execution rules the engine and the paper broker share: hand-computed cases."""

from __future__ import annotations

import math

import pytest

from trademind.fills.cash import shrink_to_cash
from trademind.fills.commission import COMMISSION_PER_SHARE, COMMISSION_PERCENTAGE
from trademind.fills.parts import entry_part, exit_part
from trademind.fills.policy import (
    CANCEL_ENTRY,
    NOTHING,
    PLACE_ENTRY,
    PLACE_EXIT,
    signal_action,
)
from trademind.fills.protective import (
    EXIT_STOP_LOSS,
    EXIT_TAKE_PROFIT,
    EXIT_TRAILING,
    first_checked_bar,
    protective_exit,
)
from trademind.fills.sizing import SIZING_ALL_IN, SIZING_FIXED_CASH, entry_target

PERCENT = (COMMISSION_PERCENTAGE, 0.001, 0.0, 0.0)
IBKR = (COMMISSION_PER_SHARE, 0.005, 1.0, 0.01)


def test_entry_target_all_in_floors_whole_shares() -> None:
    target = entry_target((SIZING_ALL_IN, 0.0, 0.0, 0.0), PERCENT, False, 99.0, 10_000.0,
                          10_000.0, math.nan)  # fmt: skip
    assert target == 100.0  # 10_000 / (99 * 1.001) = 100.9...


def test_entry_target_rejects_dust_and_keeps_fractions() -> None:
    dust = entry_target((SIZING_ALL_IN, 0.0, 0.0, 0.0), PERCENT, True, 100.0, 1e-10,
                        10_000.0, math.nan)  # fmt: skip
    assert dust == 0.0
    fixed = entry_target((SIZING_FIXED_CASH, 250.0, 0.0, 0.0), PERCENT, True, 100.0,
                         10_000.0, 10_000.0, math.nan)  # fmt: skip
    assert fixed == 2.5


def test_shrink_to_cash_fits_value_plus_commission() -> None:
    quantity, fee = shrink_to_cash(PERCENT, False, 100.0, 10.0, 500.0, (0.0, 0.0, 0.0))
    assert quantity == 49.0  # 49 * 10 * 1.001 = 490.49 <= 500, 50 would cost 500.50
    assert fee == pytest.approx(0.49)
    assert shrink_to_cash(PERCENT, False, 10.0, 10.0, 5.0, (0.0, 0.0, 0.0)) == (0.0, 0.0)


def test_shrink_to_cash_charges_the_minimum_once_per_order() -> None:
    # the order already paid the $1 minimum for 10 shares: 10 more at $10 add nothing
    quantity, fee = shrink_to_cash(IBKR, True, 10.0, 10.0, 1_000.0, (10.0, 100.0, 1.0))
    assert (quantity, fee) == (10.0, 0.0)


def test_parts_cap_volume_and_floor_whole_shares() -> None:
    assert entry_part(100.0, 1_000.0, 0.0, 0.05, False) == 50.0
    assert entry_part(100.0, 1_000.0, 45.5, 0.05, False) == 4.0
    assert exit_part(7.5, 1_000.0, 0.0, 0.0, False) == 7.5  # a fractional position sold whole
    assert exit_part(70.5, 1_000.0, 0.0, 0.05, False) == 50.0


@pytest.mark.parametrize(
    ("bar", "expected"),
    [
        ((89.0, 95.0, 85.0), (89.0, EXIT_STOP_LOSS, math.nan)),  # gap through the stop
        ((121.0, 125.0, 119.0), (121.0, EXIT_TAKE_PROFIT, 120.0)),  # gap through the target
        ((100.0, 125.0, 85.0), (90.0, EXIT_STOP_LOSS, math.nan)),  # both inside: stop first
        ((100.0, 125.0, 95.0), (120.0, EXIT_TAKE_PROFIT, 120.0)),
        ((100.0, 110.0, 95.0), (math.nan, EXIT_STOP_LOSS, math.nan)),
    ],
)
def test_protective_exit_gaps_first_then_stop_before_target(
    bar: tuple[float, float, float], expected: tuple[float, int, float]
) -> None:
    price, kind, limit = protective_exit(100.0, 100.0, (0.1, 0.0, 0.2), *bar)
    assert kind == expected[1]
    for got, want in ((price, expected[0]), (limit, expected[2])):
        assert (math.isnan(got) and math.isnan(want)) or got == want


def test_trailing_stop_wins_only_when_higher() -> None:
    price, kind, _ = protective_exit(100.0, 130.0, (0.1, 0.1, 0.0), 120.0, 121.0, 116.0)
    assert (price, kind) == (117.0, EXIT_TRAILING)
    assert first_checked_bar(5, True) == 5
    assert first_checked_bar(5, False) == 6


def test_signal_policy() -> None:
    assert signal_action(True, False, False, False, False) == PLACE_ENTRY
    assert signal_action(True, False, False, True, False) == NOTHING
    assert signal_action(True, False, True, False, False) == NOTHING
    assert signal_action(False, True, True, True, False) == PLACE_EXIT
    assert signal_action(False, True, True, False, True) == NOTHING
    assert signal_action(False, True, False, True, False) == CANCEL_ENTRY
    assert signal_action(False, True, False, False, False) == NOTHING


def test_one_bar_at_a_time_volatility_equals_the_series_bit_for_bit() -> None:
    import numpy as np

    from trademind.fills.volatility import (
        atr_series,
        atr_step,
        return_std_series,
        return_std_step,
    )

    rng = np.random.default_rng(7)
    close = np.asarray(100.0 * np.cumprod(1.0 + rng.normal(0.0, 0.02, 300)), dtype=np.float64)
    high = close * (1.0 + rng.uniform(0.0, 0.02, 300))
    low = close * (1.0 - rng.uniform(0.0, 0.02, 300))
    for period in (1, 2, 14):
        atr = atr_series(high, low, close, period)
        std = return_std_series(close, period)
        wilder = warm = total = squares = 0.0
        returns: list[float] = []
        for i in range(300):
            previous = close[i - 1] if i else close[0]
            value, wilder, warm = atr_step(i, (high[i], low[i], previous), period, wilder, warm)
            assert value == atr[i]
            old = returns[i - period] if i > period else 0.0
            got, ret, total, squares = return_std_step(
                i, (close[i], previous), old, period, total, squares
            )
            returns.append(ret)
            assert (math.isnan(got) and math.isnan(std[i])) or got == std[i]
