"""The selection walk-forward's runs: held positions, window entries, portfolios, chaining."""

from __future__ import annotations

import numpy as np

from trademind.backtest.engine.config import BacktestConfig
from trademind.services.strategy_selection_runs import (
    Curve,
    chain,
    held,
    portfolio,
    window_curve,
)
from trademind.strategies import rules
from trademind.strategies.base import Bars, Signals

DAY = 86_400 * 1_000_000_000


def signals(entries: list[int], exits: list[int], size: int) -> Signals:
    entry = np.zeros(size, dtype=bool)
    entry[entries] = True
    exit_ = np.zeros(size, dtype=bool)
    exit_[exits] = True
    ones, nothing = np.ones(size), np.full(size, np.nan)
    return rules.assemble(entry, exit_, ones, ones, nothing, nothing, ("in", "out"))


def rising_bars(size: int) -> Bars:
    close = 100.0 * 1.01 ** np.arange(size)
    ts = np.arange(size, dtype=np.int64) * DAY
    return Bars("XYZ", ts, close, close, close, close, np.full(size, 1e6))


def test_held_is_long_from_an_entry_until_the_next_exit() -> None:
    flags = held(signals([2, 7], [5], 10))
    assert flags.tolist() == [False, False, True, True, True, False, False, True, True, True]


def test_a_strategy_long_when_the_window_opens_buys_at_its_first_bar() -> None:
    bars = rising_bars(60)
    config = BacktestConfig()
    window = (int(bars.ts[30]), int(bars.ts[59]) + 1)
    holding = window_curve(bars, signals([0], [], 60), config, window)
    flat = window_curve(bars, signals([0], [20], 60), config, window)
    assert holding is not None
    assert flat is not None
    assert holding.equity[-1] > holding.equity[0] * 1.2  # in the market for the rise
    assert flat.equity[-1] == flat.equity[0]  # it exited before the window: never buys
    assert window_curve(bars, signals([0], [], 60), config, (0, 1)) is None  # one bar: no run


def test_the_portfolio_splits_capital_equally_and_holds_it() -> None:
    one = Curve(np.array([0, 1, 2]), np.array([100.0, 110.0, 121.0]))
    two = Curve(np.array([1, 2]), np.array([50.0, 25.0]))  # starts a bar later
    result = portfolio([one, two], np.array([0, 1, 2]))
    np.testing.assert_allclose(result, [(1.0 + 1.0) / 2, (1.1 + 1.0) / 2, (1.21 + 0.5) / 2])


def test_windows_chain_from_where_the_previous_ended() -> None:
    chained = chain([np.array([1.0, 1.1]), np.array([1.0, 0.5, 1.0])])
    np.testing.assert_allclose(chained, [1.0, 1.1, 1.1, 0.55, 1.1])
