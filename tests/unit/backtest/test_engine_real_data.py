"""The engine on real AAPL daily bars (../shared/data) against an independent Python loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.shared_data import daily_csv

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.engine.run import run_backtest
from trademind.fills import NoSlippage, PercentageCommission
from trademind.strategies.base import Bars, Signals

RATE = 0.001
CASH = 100_000.0


@pytest.fixture(scope="module")
def aapl() -> Bars:
    frame = pd.read_csv(daily_csv("AAPL"))  # skips without ../shared/data (fails in CI)
    ts = pd.to_datetime(frame["Date"]).dt.tz_localize("UTC").array.asi8
    columns = (frame[c].to_numpy(dtype=float) for c in ("Open", "High", "Low", "Close", "Volume"))
    return Bars("AAPL", ts.copy(), *columns)


def close_vs_mean(bars: Bars, length: int = 20) -> Signals:
    """Entry when the close crosses above its ``length``-bar mean, exit when below (by hand)."""
    close = bars.close
    mean = np.full(len(close), np.nan)
    mean[length - 1 :] = np.convolve(close, np.ones(length) / length, mode="valid")
    above = close > mean
    known = ~np.isnan(mean)
    entries = np.zeros(len(close), dtype=bool)
    exits = np.zeros(len(close), dtype=bool)
    entries[1:] = above[1:] & ~above[:-1] & known[:-1]
    exits[1:] = ~above[1:] & above[:-1] & known[1:]
    reason = np.where(entries, 1, np.where(exits, 2, 0)).astype(np.int16)
    reasons = ("", "close {value:.2f} above its 20-day mean", "close below its 20-day mean")
    return Signals(
        entries, exits, entries.astype(float), reason, np.where(entries, close, np.nan), reasons
    )


def reference(
    bars: Bars, signals: Signals
) -> tuple[list[tuple[int, int, float, float]], list[float]]:
    """Next-open market orders, all-in with a percentage commission, in plain Python."""
    cash, held, pending = CASH, 0.0, ""
    trades: list[tuple[int, int, float, float]] = []
    equity: list[float] = []
    entry, entry_cost = 0, 0.0
    for t in range(len(bars)):
        price = float(bars.open[t])
        if pending == "buy":
            held = cash / (price * (1 + RATE))
            entry, entry_cost = t, held * price * (1 + RATE)
            cash -= entry_cost
        elif pending == "sell":
            proceeds = held * price * (1 - RATE)
            cash += proceeds
            trades.append((entry, t, held, proceeds - entry_cost))
            held = 0.0
        pending = ""
        if signals.exits[t] and held > 0:
            pending = "sell"
        elif signals.entries[t] and held == 0:
            pending = "buy"
        equity.append(cash + held * float(bars.close[t]))
    if held > 0:
        trades.append((entry, -1, held, held * float(bars.close[-1]) - entry_cost))
    return trades, equity


def test_matches_an_independent_loop_on_aapl(aapl: Bars) -> None:
    signals = close_vs_mean(aapl)
    config = BacktestConfig(
        initial_cash=CASH, commission=PercentageCommission(RATE), slippage=NoSlippage()
    )
    out = run_backtest([aapl], [signals], config)
    expected, equity = reference(aapl, signals)
    assert len(expected) > 50
    assert len(out.log) == len(expected)
    assert out.log.entry_index.tolist() == [t[0] for t in expected]
    assert out.log.exit_index.tolist() == [t[1] for t in expected]
    np.testing.assert_allclose(out.log.quantity, [t[2] for t in expected], rtol=1e-12)
    np.testing.assert_allclose(out.log.pnl, [t[3] for t in expected], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(out.equity, equity, rtol=1e-9)
    assert out.final_equity == pytest.approx(CASH + float(out.log.pnl.sum()), rel=1e-12)
    first = out.trades()[0]
    assert first.entry_reason.startswith("close ")
    assert first.entry_reason.endswith("above its 20-day mean")
    assert first.entry_reason == signals.describe(int(out.log.entry_signal[0]))
    assert first.exit_reason == "close below its 20-day mean"
    assert first.entry_time == pd.Timestamp(aapl.ts[first_entry(out)], tz="UTC").to_pydatetime()


def first_entry(out: object) -> int:
    return int(out.log.entry_index[0])  # type: ignore[attr-defined]


def test_real_data_with_every_cost_and_protection_reconciles(aapl: Bars) -> None:
    from trademind.fills import AtrSlippage, PerShareCommission, VolumeCap
    from trademind.fills.sizing import FixedFraction

    config = BacktestConfig(
        initial_cash=CASH,
        commission=PerShareCommission(),
        slippage=AtrSlippage(0.05, 14),
        sizing=FixedFraction(0.5),
        order_type="limit",
        limit_offset=0.002,
        time_in_force="gtc",
        stop_loss=0.05,
        trailing_stop=0.08,
        volume_cap=VolumeCap(2e-6),  # 100 to 1,000 shares a day: many partial fills
    )
    out = run_backtest([aapl], [close_vs_mean(aapl)], config)
    assert len(out.log) > 20
    assert out.counts.partial_fills > 0
    assert {int(k) for k in out.log.exit_kind} >= {0, 1}
    assert out.final_equity == pytest.approx(CASH + float(out.log.pnl.sum()), rel=1e-9)
    assert out.total_commission == pytest.approx(float(out.log.commission.sum()), rel=1e-9)
    assert np.all(out.cash >= 0.0)
