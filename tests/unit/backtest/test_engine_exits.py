"""Stop-loss, take-profit and trailing stop inside bars, gaps included, with their reasons."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.engine.outcome import RoundTrip
from trademind.backtest.engine.run import run_backtest
from trademind.fills import NoSlippage, ZeroCommission
from trademind.strategies.base import Bars, Signals

DAY = 86_400 * 10**9
FREE = BacktestConfig(initial_cash=10_000.0, commission=ZeroCommission(), slippage=NoSlippage())


def trade_of(
    rows: Sequence[tuple[float, float, float, float]],
    config: BacktestConfig,
    exits: Sequence[int] = (),
) -> RoundTrip:
    table = np.array(rows, dtype=float)
    size = len(table)
    bars = Bars(
        "X",
        np.arange(size, dtype=np.int64) * DAY,
        *(table[:, k].copy() for k in range(4)),
        np.full(size, 1e9),
    )
    entries = np.zeros(size, dtype=bool)
    entries[0] = True
    exit_ = np.zeros(size, dtype=bool)
    exit_[list(exits)] = True
    reasons = ("", "fast above slow", "fast below slow")
    code = np.where(entries, 1, np.where(exit_, 2, 0)).astype(np.int16)
    signals = Signals(entries, exit_, entries.astype(float), code, np.full(size, np.nan), reasons)
    (trade,) = run_backtest([bars], [signals], config).trades()
    return trade


ENTRY = [(100.0, 100.0, 100.0, 100.0), (100.0, 101.0, 99.0, 100.0)]  # fills at 100 at bar 1


@pytest.mark.parametrize(
    ("bar", "price"),
    [
        ((99.0, 100.0, 94.0, 96.0), 95.0),  # reaches 95 inside the bar: at the stop
        ((90.0, 92.0, 89.0, 91.0), 90.0),  # gaps below the stop: at the open
    ],
)
def test_stop_loss(bar: tuple[float, float, float, float], price: float) -> None:
    trade = trade_of([*ENTRY, bar, bar], FREE.replace(stop_loss=0.05))
    assert trade.exit_price == price
    assert trade.exit_reason == "stop-loss 5%"
    assert trade.bars_held == 1
    assert trade.entry_reason == "fast above slow"


@pytest.mark.parametrize(
    ("bar", "price"),
    [
        ((101.0, 112.0, 100.5, 111.0), 110.0),  # reaches the target inside the bar
        ((115.0, 116.0, 114.0, 115.0), 115.0),  # gaps above the target: the better open
    ],
)
def test_take_profit(bar: tuple[float, float, float, float], price: float) -> None:
    trade = trade_of([*ENTRY, bar, bar], FREE.replace(take_profit=0.10))
    assert trade.exit_price == pytest.approx(price, rel=1e-15)
    assert trade.exit_reason == "take-profit 10%"


def test_stop_and_target_in_one_bar_assume_the_stop_first() -> None:
    config = FREE.replace(stop_loss=0.05, take_profit=0.10)
    trade = trade_of([*ENTRY, (100.0, 112.0, 94.0, 105.0), (105.0,) * 4], config)
    assert trade.exit_price == 95.0
    assert trade.exit_reason == "stop-loss 5%"


def test_stop_can_trigger_in_the_entry_bar_after_the_open() -> None:
    trade = trade_of(
        [ENTRY[0], (100.0, 101.0, 94.0, 96.0), (96.0,) * 4], FREE.replace(stop_loss=0.05)
    )
    assert trade.exit_price == 95.0
    assert trade.bars_held == 0


def test_trailing_stop_follows_the_highest_high() -> None:
    rows = [
        (100.0, 100.0, 100.0, 100.0),
        (100.0, 105.0, 99.0, 104.0),  # entry at 100; peak 105 after this bar
        (104.0, 110.0, 101.0, 109.0),  # level 99.75 not hit; peak 110
        (108.0, 108.5, 104.0, 105.0),  # level 104.5 hit inside the bar
        (105.0,) * 4,
    ]
    trade = trade_of(rows, FREE.replace(trailing_stop=0.05))
    assert trade.exit_price == pytest.approx(104.5)
    assert trade.exit_reason == "trailing-stop 5%"
    assert trade.bars_held == 2


def test_the_higher_of_stop_loss_and_trailing_level_applies() -> None:
    rows = [(100.0,) * 4, (100.0, 101.0, 99.0, 100.0), (100.0, 100.0, 97.0, 98.0), (98.0,) * 4]
    config = FREE.replace(stop_loss=0.02, trailing_stop=0.03)  # 98 vs 101 * 0.97 = 97.97
    trade = trade_of(rows, config)
    assert trade.exit_price == 98.0
    assert trade.exit_reason == "stop-loss 2%"


def test_signal_exit_reason_comes_from_the_signals() -> None:
    trade = trade_of([*ENTRY, (100.0,) * 4, (100.0,) * 4], FREE, exits=[2])
    assert trade.exit_reason == "fast below slow"
    assert trade.exit_price == 100.0


TRAIL_ROWS = [
    (100.0,) * 4,  # signal; a 1% buy limit at 99
    (100.0, 110.0, 98.0, 105.0),  # the limit fills at 99 inside the bar; the bar's high is 110
    (103.0, 104.0, 95.0, 100.0),  # a reference of 110 would exit at this open (103 <= 104.5)
    (100.0, 100.0, 98.0, 99.0),  # reference 104 (bar 2's high): level 98.8 reached inside
    (99.0,) * 4,
]


def test_trailing_reference_after_a_limit_fill_inside_a_bar_starts_at_the_fill_price() -> None:
    """Issue 9, defect 13 (documented in docs/backtesting.md): after a limit fill inside bar
    ``i`` the trailing reference is the fill price (99), not bar ``i``'s high (110), which may
    have come before the fill; the highs count from the next bar on."""
    config = FREE.replace(order_type="limit", limit_offset=0.01, trailing_stop=0.05)
    trade = trade_of(TRAIL_ROWS, config)
    assert trade.entry_price == 99.0
    assert trade.exit_price == pytest.approx(104.0 * 0.95, rel=1e-15)
    assert trade.bars_held == 2
    assert trade.exit_reason == "trailing-stop 5%"


def test_trailing_reference_after_a_fill_at_the_open_takes_that_bar_s_high() -> None:
    """The contrast: a market fill at bar ``i``'s open comes before the whole bar, so bar
    ``i``'s high (110) is the reference after it, and the next open (103) is below 104.5."""
    trade = trade_of(TRAIL_ROWS, FREE.replace(trailing_stop=0.05))
    assert trade.entry_price == 100.0
    assert trade.exit_price == 103.0
    assert trade.bars_held == 1
