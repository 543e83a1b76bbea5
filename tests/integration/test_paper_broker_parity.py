"""Parity: the paper broker, driven bar by bar, fills exactly as ``backtest run``.

For every registered strategy and the execution options (market at the next open, close mode,
limit, stop and stop-limit entries, DAY and GTC, stop-loss, take-profit, trailing stop, each
sizing rule, whole shares, fixed-bps and ATR slippage, per-share and percentage commission,
a volume cap, latency of 1 and 2 bars) on real daily bars (../shared/data; AAPL alone and
AAPL, MSFT, TSLA in one account) and intraday bars (DAY orders over sessions): the round trips
rebuilt from the broker's fills (times, quantities, prices, commissions, P&L), the equity and
cash after every timestamp, the final equity and the order counts equal the engine's
(``run_backtest``, what ``backtest run`` calls) bit for bit.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from support.paper_replay import Replay, counts, replay, round_trips
from support.shared_data import daily_csv, shared_data

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.engine.outcome import BacktestOutcome
from trademind.backtest.engine.run import run_backtest
from trademind.brokers.paper import PaperConfig
from trademind.fills.commission import PercentageCommission, PerShareCommission
from trademind.fills.sizing import CappedKelly, FixedCash, FixedFraction, VolatilityTarget
from trademind.fills.slippage import AtrSlippage, FixedBpsSlippage, NoSlippage, VolumeCap
from trademind.services.backtest_bars import bars_from_frame
from trademind.strategies.base import Bars, Signals
from trademind.strategies.registry import all_strategies, resolve

BARS = 700
THREE_SYMBOL_BARS = 500  # (the suite's time: 110 three-symbol replays)
OPTIONS: dict[str, dict[str, Any]] = {
    "market_next_open": {},
    "close_mode": {"fill_price": "close", "commission": PercentageCommission(0.001)},
    "limit_day": {"order_type": "limit", "limit_offset": 0.01},
    "limit_gtc": {"order_type": "limit", "limit_offset": 0.02, "time_in_force": "gtc"},
    "stop_day": {"order_type": "stop", "stop_offset": 0.01},
    "stop_limit_gtc": {
        "order_type": "stop_limit",
        "stop_offset": 0.005,
        "limit_offset": 0.002,
        "time_in_force": "gtc",
    },
    "stop_loss": {"stop_loss": 0.04},
    "take_profit": {"take_profit": 0.06},
    "trailing_stop": {"trailing_stop": 0.05, "fill_price": "close"},
    "all_exits": {"stop_loss": 0.05, "take_profit": 0.08, "trailing_stop": 0.07},
    "fixed_cash_whole": {"sizing": FixedCash(25_000.0), "fractional_shares": False},
    "fixed_fraction": {"sizing": FixedFraction(0.3), "commission": PercentageCommission(0.002)},
    "volatility_atr": {"sizing": VolatilityTarget(0.01, "atr", 14, 0.5)},
    "volatility_std": {
        "sizing": VolatilityTarget(0.02, "std", 10, 0.8),
        "fractional_shares": False,
    },
    "kelly": {"sizing": CappedKelly(0.55, 1.5, 0.25)},
    "atr_slippage": {"slippage": AtrSlippage(0.1, 14), "stop_loss": 0.03},
    "no_costs": {"slippage": NoSlippage(), "commission": PercentageCommission(0.0)},
    "per_share_bps": {"slippage": FixedBpsSlippage(20.0), "commission": PerShareCommission()},
    "volume_cap": {
        "volume_cap": VolumeCap(2e-6),
        "sizing": FixedFraction(0.5),
        "fractional_shares": False,
        "stop_loss": 0.03,
    },
    "volume_cap_close_limit": {
        "volume_cap": VolumeCap(1e-6),
        "fill_price": "close",
        "order_type": "limit",
        "limit_offset": 0.003,
    },
    "latency_1": {"latency_bars": 1},
    "latency_2_limit": {
        "latency_bars": 2,
        "order_type": "limit",
        "limit_offset": 0.005,
        "take_profit": 0.05,
    },
}


def frame_bars(symbol: str, raw: pd.DataFrame, ts: pd.Series) -> Bars:
    frame = pd.DataFrame({"ts": ts})
    for column in ("open", "high", "low", "close", "volume"):
        frame[column] = raw[column.capitalize()].to_numpy(dtype="float64")
    return bars_from_frame(symbol, frame)


@functools.cache
def daily(symbol: str, count: int = BARS) -> Bars:
    raw = pd.read_csv(daily_csv(symbol)).tail(count).reset_index(drop=True)
    return frame_bars(symbol, raw, pd.to_datetime(raw["Date"]).dt.tz_localize("UTC"))


@functools.cache
def intraday() -> Bars:
    raw = (
        pd.read_csv(shared_data("ohlcv", "intraday", "FUT-2006-5min.csv"))
        .head(900)
        .reset_index(drop=True)
    )
    text = raw["Date"].astype(str) + " " + raw["Time"].astype(str)
    return frame_bars("FUT", raw, pd.to_datetime(text).dt.tz_localize("UTC"))


def paper_config(config: BacktestConfig) -> PaperConfig:
    """The backtest's execution options as a paper account's."""
    return PaperConfig(initial_cash=config.initial_cash, **config.rule_values())


def assert_same(outcome: BacktestOutcome, paper: Replay, bars: list[Bars]) -> None:
    symbols = [one.symbol for one in bars]
    fills = paper.journal.load_fills("paper")
    trips = round_trips(fills, symbols)
    log = outcome.log
    assert len(trips) == len(log.quantity)
    for row, trip in enumerate(trips):
        ts = bars[trip.symbol].ts
        assert trip.symbol == log.symbol[row]
        assert trip.entry_ts == ts[log.entry_index[row]], f"trade {row}: entry time"
        closed = log.exit_index[row] >= 0
        assert trip.exit_ts == (ts[log.exit_index[row]] if closed else -1), f"trade {row}"
        assert trip.entry_quantity == log.quantity[row], f"trade {row}: quantity"
        assert trip.entry_value / trip.entry_quantity == log.entry_price[row], f"trade {row}"
        commission = trip.commission_in + trip.commission_out
        assert commission == log.commission[row], f"trade {row}: commission"
        if closed:
            assert trip.exit_value / trip.exit_quantity == log.exit_price[row], f"trade {row}"
            assert trip.exit_value - trip.entry_value - commission == log.pnl[row]
    np.testing.assert_array_equal(np.array(paper.equity), outcome.equity, err_msg="equity")
    np.testing.assert_array_equal(np.array(paper.cash), outcome.cash, err_msg="cash")
    assert paper.equity[-1] == outcome.final_equity
    assert counts(paper) == outcome.counts.__dict__


def check(bars: list[Bars], options: dict[str, Any], strategy_name: str,
          timeframe: str = "1d", restart_at: int | None = None) -> BacktestOutcome:  # fmt: skip
    strategy = next(s for s in all_strategies() if s.name == strategy_name)
    values = resolve(strategy, {})
    signals: list[Signals] = [strategy.signals(one, values) for one in bars]
    config = BacktestConfig(**options)
    outcome = run_backtest(bars, signals, config)
    paper = asyncio.run(
        replay(bars, signals, paper_config(config), timeframe=timeframe, restart_at=restart_at)
    )
    assert_same(outcome, paper, bars)
    assert outcome.counts.orders > 0  # (buy and hold's one order may expire or be refused)
    return outcome


STRATEGIES = [s.name for s in all_strategies()]


@pytest.mark.slow
@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_one_symbol_paper_fills_equal_the_backtest(strategy: str, option: str) -> None:
    check([daily("AAPL")], OPTIONS[option], strategy)


# Three symbols: every option set once, the strategies taking turns (the one-symbol matrix
# above covers every pair; this covers what only several symbols exercise: shared cash,
# the order of symbols within a timestamp, equity summed over symbols).
THREE_SYMBOL_CASES = [
    (STRATEGIES[index % len(STRATEGIES)], option) for index, option in enumerate(OPTIONS)
]


@pytest.mark.slow
@pytest.mark.parametrize(("strategy", "option"), THREE_SYMBOL_CASES)
def test_three_symbols_paper_fills_equal_the_backtest(strategy: str, option: str) -> None:
    check(
        [daily(s, THREE_SYMBOL_BARS) for s in ("AAPL", "MSFT", "TSLA")], OPTIONS[option], strategy
    )


INTRADAY: dict[str, dict[str, Any]] = {
    "limit_day": {"order_type": "limit", "limit_offset": 0.0005},
    "stop_day": {"order_type": "stop", "stop_offset": 0.0003},
    "stop_limit_day": {"order_type": "stop_limit", "stop_offset": 0.0002, "limit_offset": 0.0},
    "close_mode_trailing": {"fill_price": "close", "trailing_stop": 0.002},
}


@pytest.mark.slow
@pytest.mark.parametrize("option", list(INTRADAY))
@pytest.mark.parametrize("strategy", ["rsi_mean_reversion", "ma_crossover"])
def test_intraday_sessions_paper_fills_equal_the_backtest(strategy: str, option: str) -> None:
    outcome = check([intraday()], INTRADAY[option], strategy, timeframe="5m")
    assert outcome.counts.fills > 0


@pytest.mark.slow
@pytest.mark.parametrize("option", ["all_exits", "volume_cap", "stop_limit_gtc", "latency_2_limit"])
def test_a_broker_rebuilt_from_its_journal_mid_run_still_equals_the_backtest(option: str) -> None:
    bars = [daily(s, THREE_SYMBOL_BARS) for s in ("AAPL", "MSFT", "TSLA")]
    for restart_at in (1, 250, 499):
        outcome = check(bars, OPTIONS[option], "rsi_mean_reversion", restart_at=restart_at)
        assert outcome.counts.fills > 0


def test_most_cases_trade() -> None:
    """The parity cases are not vacuous: ma_crossover trades in each daily option."""
    bars = [daily("AAPL")]
    strategy = next(s for s in all_strategies() if s.name == "ma_crossover")
    signals = [strategy.signals(one, resolve(strategy, {})) for one in bars]
    for name, options in OPTIONS.items():
        assert run_backtest(bars, signals, BacktestConfig(**options)).counts.fills > 0, name
