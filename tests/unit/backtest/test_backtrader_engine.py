"""The backtrader reference engine on hand-computed bars: next-open fills, all-in, commission."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.reference.backtrader_engine import run_backtrader
from trademind.core.errors import ValidationError
from trademind.fills.commission import PercentageCommission, PerShareCommission, ZeroCommission
from trademind.fills.sizing import FixedFraction
from trademind.fills.slippage import AtrSlippage, FixedBpsSlippage, NoSlippage
from trademind.strategies.base import Bars, Signals

pytest.importorskip("backtrader")

DAY_NS = 86_400 * 10**9
OPEN = [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]
CLOSE = [10.5, 11.5, 12.5, 13.5, 14.5, 15.5]


def make_bars(symbol: str = "XYZ") -> Bars:
    count = len(OPEN)
    ts = np.arange(count, dtype=np.int64) * DAY_NS + 1_700_000_000 * 10**9
    close = np.array(CLOSE)
    return Bars(symbol, ts, np.array(OPEN), close + 1.0, np.array(OPEN) - 1.0, close, np.ones(6))


def make_signals(entries: list[int], exits: list[int], count: int = 6) -> Signals:
    entry = np.zeros(count, dtype=bool)
    exit_ = np.zeros(count, dtype=bool)
    entry[entries] = True
    exit_[exits] = True
    return Signals(entry, exit_, np.zeros(count), np.zeros(count, np.int16), np.full(count, np.nan))


def config(commission: object = None, **changes: object) -> BacktestConfig:
    base = BacktestConfig(
        initial_cash=1000.0,
        commission=commission or PercentageCommission(0.01),  # type: ignore[arg-type]
        slippage=NoSlippage(),
    )
    return base.replace(**changes)


def test_fills_at_the_next_open_with_all_in_size_and_commission_on_both_legs() -> None:
    # entry at the close of bar 0 -> buy at the open of bar 1 (11.0); the entry at bar 1 is
    # ignored (already long); exit at the close of bar 2 -> sell at the open of bar 3 (13.0);
    # entry at bar 4 -> buy at the open of bar 5 (15.0); the exit at bar 5 (the last) never fills.
    outcome = run_backtrader([make_bars()], [make_signals([0, 1, 4], [2, 5])], config())
    log = outcome.log
    assert list(log.entry_index) == [1, 5]
    assert list(log.entry_signal) == [0, 4]
    assert list(log.exit_index) == [3, -1]
    assert list(log.exit_signal) == [2, -1]
    # by hand: qty = 1000 / (11 * 1.01) = 90.00900090009001
    assert log.quantity[0] == pytest.approx(90.00900090009001, rel=1e-12)
    assert (log.entry_price[0], log.exit_price[0]) == (11.0, 13.0)
    # commission 1% of 990.0990099 + 1% of 1170.117012 = 9.900990099 + 11.70117012
    assert log.commission[0] == pytest.approx(21.60216021602160, rel=1e-12)
    # pnl = qty * (13 - 11) - both commissions = 180.01800180018 - 21.6021602160216
    assert log.pnl[0] == pytest.approx(158.4158415841584, rel=1e-12)
    cash = 1000.0 + 158.4158415841584
    second = cash / (15.0 * 1.01)
    assert log.quantity[1] == pytest.approx(second, rel=1e-12)
    assert math.isnan(log.exit_price[1])
    # the open trade: valued at the last close, net of its entry commission
    assert log.pnl[1] == pytest.approx(second * 15.5 - cash, rel=1e-12)
    # equity after each bar: cash + position at that close
    qty = 90.00900090009001
    expected = [1000.0, qty * 11.5, qty * 12.5, cash, cash, second * 15.5]
    np.testing.assert_allclose(outcome.equity, expected, rtol=1e-12)
    assert outcome.cash[-1] == pytest.approx(0.0, abs=1e-9)
    assert outcome.final_equity == pytest.approx(second * 15.5, rel=1e-12)
    counts = outcome.counts
    assert (counts.orders, counts.fills, counts.open_at_end, counts.rejected) == (4, 3, 1, 0)
    trades = outcome.trades()
    assert trades[0].exit_time is not None
    assert trades[1].is_open


def test_a_signal_on_the_last_bar_never_fills() -> None:
    outcome = run_backtrader([make_bars()], [make_signals([5], [])], config())
    assert len(outcome.log) == 0
    assert outcome.final_equity == 1000.0
    assert outcome.counts.open_at_end == 1


def test_two_symbols_share_the_cash_in_the_order_given() -> None:
    # AAA buys all-in at bar 1 and sells at bar 3; BBB's entry at bar 2 finds no cash at the
    # open of bar 3 ... unless AAA's sale there comes first: it does (AAA is given first).
    outcome = run_backtrader(
        [make_bars("AAA"), make_bars("BBB")],
        [make_signals([0], [2]), make_signals([2], [])],
        config(ZeroCommission()),
    )
    rows = list(
        zip(outcome.log.symbol, outcome.log.entry_index, outcome.log.exit_index, strict=True)
    )
    assert rows == [(0, 1, 3), (1, 3, -1)]
    # AAA: 1000/11 shares 11 -> 13; BBB: all of that at 13, valued at 15.5
    assert outcome.final_equity == pytest.approx(1000.0 / 11.0 * 13.0 / 13.0 * 15.5, rel=1e-12)


def test_fixed_bps_slippage_and_per_share_commission() -> None:
    outcome = run_backtrader(
        [make_bars()],
        [make_signals([0], [2])],
        config(PerShareCommission(0.5, 2.0, 0.0), slippage=FixedBpsSlippage(100.0)),
    )
    log = outcome.log
    buy, sell = 11.0 * 1.01, 13.0 * 0.99
    quantity = (1000.0) / (buy + 0.5)  # all-in: value + 0.5 per share = cash
    assert log.entry_price[0] == pytest.approx(buy, rel=1e-12)
    assert log.exit_price[0] == pytest.approx(sell, rel=1e-12)
    assert log.quantity[0] == pytest.approx(quantity, rel=1e-12)
    assert log.commission[0] == pytest.approx(2 * 0.5 * quantity, rel=1e-12)
    assert log.slippage[0] == pytest.approx(quantity * (0.11 + 0.13), rel=1e-9)


def test_settings_backtrader_cannot_reproduce_are_refused() -> None:
    bars, signals = [make_bars()], [make_signals([0], [])]
    for changes in (
        {"stop_loss": 0.05},
        {"order_type": "limit"},
        {"latency_bars": 1},
        {"fill_price": "close"},
        {"slippage": AtrSlippage()},
    ):
        with pytest.raises(ValidationError, match="backtrader engine does not support"):
            run_backtrader(bars, signals, config(**changes))


def test_signals_of_another_length_are_rejected() -> None:
    with pytest.raises(ValidationError, match="6 booleans"):
        run_backtrader([make_bars()], [make_signals([0], [], count=5)], config())


def test_symbols_on_different_calendars_fill_on_their_own_next_bar() -> None:
    # AAA trades every day 0..5; BBB only on days 1, 3, 5 (its bars 0, 1, 2). BBB's entry at
    # its bar 0 (day 1) fills at its bar 1 (day 3), never at AAA's day 2.
    aaa = make_bars("AAA")
    days = np.array([1, 3, 5])
    bbb = Bars(
        "BBB",
        aaa.ts[days],
        np.array([20.0, 22.0, 24.0]),
        np.array([21.0, 23.0, 25.0]),
        np.array([19.0, 21.0, 23.0]),
        np.array([20.5, 22.5, 24.5]),
        np.ones(3),
    )
    from trademind.backtest.engine.run import run_backtest

    bars = [aaa, bbb]
    signals = [make_signals([0], [2]), make_signals([0], [], count=3)]
    cfg = config(ZeroCommission()).replace(sizing=FixedFraction(0.5))
    with pytest.raises(ValidationError, match="only all-in"):
        run_backtrader(bars, signals, cfg)
    cfg = config(ZeroCommission())
    native, reference = run_backtest(bars, signals, cfg), run_backtrader(bars, signals, cfg)
    log = reference.log
    rows = list(zip(log.symbol, log.entry_index, log.exit_index, strict=True))
    # AAA buys all-in at day 1 (11.0) and sells at the open of day 3 (13.0), before BBB (given
    # second) buys there with all of it at 22.0: valued at BBB's last close 24.5
    assert rows == [(0, 1, 3), (1, 1, -1)]
    assert reference.final_equity == pytest.approx(1000.0 / 11.0 * 13.0 / 22.0 * 24.5, rel=1e-12)
    np.testing.assert_array_equal(native.log.entry_index, reference.log.entry_index)
    np.testing.assert_array_equal(reference.ts, native.ts)
    np.testing.assert_allclose(reference.equity, native.equity, rtol=1e-12)
    assert reference.counts == native.counts
