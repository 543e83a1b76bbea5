"""Issue 9, defect 13: no fill lies outside its bar's [low, high], whatever the slippage.

Slippage moves a fill against the trader, then the price is clamped into the range of the bar
the fill happens in (``trademind.fills.slippage.within_bar``): hand-computed bars first, then
every fill of ATR-slipped runs on the real daily bars (../shared/data).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.shared_data import DAILY_SYMBOLS, daily_csv

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.engine.outcome import BacktestOutcome
from trademind.backtest.engine.run import run_backtest
from trademind.fills import (
    AtrSlippage,
    FixedBpsSlippage,
    NoSlippage,
    PercentageCommission,
    ZeroCommission,
)
from trademind.strategies.base import Bars, Signals
from trademind.strategies.registry import get_strategy, resolve

DAY = 86_400 * 10**9
FREE = BacktestConfig(initial_cash=10_000.0, commission=ZeroCommission(), slippage=NoSlippage())
SLIP_1PCT = FREE.replace(slippage=FixedBpsSlippage(100.0))
AVERAGE_RTOL = 1e-14
"""A trade's price is its fills' value over their quantity: within a few ulps of the fill."""


def run(
    rows: Sequence[tuple[float, float, float, float]],
    entries: Sequence[int],
    exits: Sequence[int],
    config: BacktestConfig,
) -> BacktestOutcome:
    table = np.array(rows, dtype=float)
    size = len(table)
    columns = (table[:, k].copy() for k in range(4))
    bars = Bars("X", np.arange(size, dtype=np.int64) * DAY, *columns, np.full(size, 1e9))
    entry = np.zeros(size, dtype=bool)
    exit_ = np.zeros(size, dtype=bool)
    entry[list(entries)] = True
    exit_[list(exits)] = True
    signals = Signals(
        entry, exit_, entry.astype(float), np.zeros(size, np.int16), np.full(size, np.nan)
    )
    return run_backtest([bars], [signals], config)


def test_market_fills_at_the_open_are_clamped_to_the_bar() -> None:
    """1% slippage: the buy at open 100 would pay 101 but the bar's high is 100.4; the sell at
    open 110 would get 108.9 but the bar's low is 109.5."""
    rows = [(100.0,) * 4, (100.0, 100.4, 99.0, 100.0), (105.0,) * 4, (110.0, 111.0, 109.5, 110.0)]
    out = run([*rows, (110.0,) * 4], entries=[0], exits=[2], config=SLIP_1PCT)
    (trade,) = out.trades()
    assert trade.entry_price == pytest.approx(100.4, rel=1e-15)
    assert trade.exit_price == pytest.approx(109.5, rel=1e-15)
    assert trade.slippage == pytest.approx(trade.quantity * (0.4 + 0.5), rel=1e-12)
    assert out.total_slippage == pytest.approx(trade.slippage, rel=1e-12)


def test_close_fills_are_clamped_to_the_bar() -> None:
    """Close mode: a buy at a close that is the bar's high cannot pay more than that high."""
    rows = [(99.0, 100.0, 98.0, 100.0), (100.0, 103.0, 99.0, 101.0), (101.0,) * 4]
    config = SLIP_1PCT.replace(fill_price="close")
    (trade,) = run(rows, entries=[0], exits=[1], config=config).trades()
    assert trade.entry_price == pytest.approx(100.0, rel=1e-15)
    assert trade.exit_price == pytest.approx(101.0 * 0.99, rel=1e-15)  # inside 99..103


def test_a_stop_inside_the_bar_is_clamped_to_its_low() -> None:
    """A 5% stop at 95 reached inside a bar whose low is 94.5: 1% slippage would sell at
    94.05, below anything traded in that bar; the sell fills at the low."""
    rows = [(100.0,) * 4, (100.0, 100.0, 100.0, 100.0), (99.0, 100.0, 94.5, 96.0), (96.0,) * 4]
    config = SLIP_1PCT.replace(stop_loss=0.05)
    (trade,) = run(rows, entries=[0], exits=[], config=config).trades()
    assert trade.exit_reason == "stop-loss 5%"
    assert trade.exit_price == pytest.approx(94.5, rel=1e-15)


def load(path: Path) -> Bars:
    frame = pd.read_csv(path)
    ts = pd.to_datetime(frame["Date"]).dt.tz_localize("UTC").array.asi8
    columns = (frame[c].to_numpy(dtype=float) for c in ("Open", "High", "Low", "Close", "Volume"))
    return Bars(path.stem, ts.copy(), *columns)


def fills_outside(bars: Bars, outcome: BacktestOutcome) -> tuple[int, list[str]]:
    """How many fills were checked, and each one outside its bar's [low, high]."""
    log = outcome.log
    checked, outside = 0, []
    for side, index, price in (
        ("entry", log.entry_index, log.entry_price),
        ("exit", log.exit_index, log.exit_price),
    ):
        for i, p in zip(index[index >= 0], price[index >= 0], strict=True):
            checked += 1
            low, high = bars.low[i], bars.high[i]
            if not low * (1 - AVERAGE_RTOL) <= p <= high * (1 + AVERAGE_RTOL):
                outside.append(f"{bars.symbol} {side} bar {i}: {p!r} outside [{low!r}, {high!r}]")
    return checked, outside


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["ma_crossover", "rsi_mean_reversion"])
@pytest.mark.parametrize(
    "execution",
    [
        {},
        {"fill_price": "close"},
        {"stop_loss": 0.05, "take_profit": 0.10, "trailing_stop": 0.08},
        {"order_type": "limit", "limit_offset": 0.01, "time_in_force": "gtc"},
        {"order_type": "stop", "stop_offset": 0.01, "time_in_force": "gtc"},
    ],
    ids=["next-open", "close", "stops", "limit", "stop"],
)
def test_every_atr_slipped_fill_on_real_bars_lies_within_its_bar(
    strategy: str, execution: dict[str, object]
) -> None:
    """Issue 9, defect 13: half an ATR of slippage on every shared daily series (before the
    fix about half of these fills lay outside their bar)."""
    paths = [daily_csv(symbol) for symbol in DAILY_SYMBOLS]
    config = BacktestConfig(
        initial_cash=100_000.0,
        commission=PercentageCommission(0.001),
        slippage=AtrSlippage(multiplier=0.5, period=14),
    ).replace(**execution)
    rule = get_strategy(strategy)
    total, outside = 0, []
    for path in paths:
        bars = load(path)
        signals = rule.signals(bars, resolve(rule, {}))
        checked, wrong = fills_outside(bars, run_backtest([bars], [signals], config))
        total += checked
        outside += wrong
    assert total >= 50
    assert outside == []
