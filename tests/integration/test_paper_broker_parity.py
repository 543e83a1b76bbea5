"""Parity: the paper broker, driven bar by bar, fills exactly as ``backtest run``.

For every registered strategy and every execution option (market at the next open, close mode,
limit, stop and stop-limit entries, DAY and GTC, stop-loss, take-profit, trailing stop, each
sizing rule, whole shares, fixed-bps and ATR slippage, per-share and percentage commission,
a volume cap, latency of 1 and 2 bars) on real daily bars (../shared/data; AAPL alone and
AAPL, MSFT, TSLA in one account) and intraday bars (DAY orders over sessions): the round trips
rebuilt from the broker's fills (times, quantities, prices, commissions, P&L), the equity and
cash after every timestamp, the final equity and the order counts equal the engine's
(``run_backtest``, what ``backtest run`` calls) bit for bit.

The cases are the last few hundred bars, and each option set runs with two strategies (one
symbol) and one (three symbols), the strategies taking turns, rather than every pair: the
broker never sees the strategy, only its orders. What keeps that honest is
:func:`test_every_option_is_exercised`: in each matrix every option leaves its trace (a
stop-loss exit, an expired DAY order, a GTC order that rested, partial fills under the volume
cap, whole shares, slippage, fills at all), so no option passes by never acting.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from support.exercised import unexercised
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

BARS = 400
THREE_SYMBOL_BARS = 300
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


def signals_of(strategy_name: str, bars: list[Bars]) -> list[Signals]:
    strategy = next(s for s in all_strategies() if s.name == strategy_name)
    values = resolve(strategy, {})
    return [strategy.signals(one, values) for one in bars]


def check(bars: list[Bars], options: dict[str, Any], strategy_name: str,
          timeframe: str = "1d", restart_at: int | None = None) -> BacktestOutcome:  # fmt: skip
    signals = signals_of(strategy_name, bars)
    config = BacktestConfig(**options)
    outcome = run_backtest(bars, signals, config)
    paper = asyncio.run(
        replay(bars, signals, paper_config(config), timeframe=timeframe, restart_at=restart_at)
    )
    assert_same(outcome, paper, bars)
    assert outcome.counts.orders > 0  # (buy and hold's one order may expire or be refused)
    return outcome


STRATEGIES = [s.name for s in all_strategies()]
TURNS = [name for name in STRATEGIES if name != "meta"]
"""The strategies taking turns. ``meta`` (a vote over the others) runs with every option set
besides, so its arrival left the turns, and what they show each option doing, as they were."""
META_CASES = [("meta", option) for option in OPTIONS]


def taking_turns(first: int, count: int) -> list[tuple[str, str]]:
    """Every option set with ``count`` strategies, the option's index plus ``first`` onwards."""
    return [
        (TURNS[(index + first + k) % len(TURNS)], option)
        for index, option in enumerate(OPTIONS)
        for k in range(count)
    ]


ONE_SYMBOL_CASES = taking_turns(0, 2) + META_CASES
# Three symbols: what only several symbols exercise (shared cash, the order of symbols within
# a timestamp, equity summed over symbols), every option set once with a third strategy.
THREE_SYMBOL_CASES = taking_turns(2, 1) + META_CASES


def one_symbol() -> list[Bars]:
    return [daily("AAPL")]


def three_symbols() -> list[Bars]:
    return [daily(s, THREE_SYMBOL_BARS) for s in ("AAPL", "MSFT", "TSLA")]


@pytest.mark.parametrize(("strategy", "option"), ONE_SYMBOL_CASES)
def test_one_symbol_paper_fills_equal_the_backtest(strategy: str, option: str) -> None:
    check(one_symbol(), OPTIONS[option], strategy)


@pytest.mark.parametrize(("strategy", "option"), THREE_SYMBOL_CASES)
def test_three_symbols_paper_fills_equal_the_backtest(strategy: str, option: str) -> None:
    check(three_symbols(), OPTIONS[option], strategy)


@pytest.mark.parametrize("option", list(OPTIONS))
def test_every_option_is_exercised(option: str) -> None:
    """In each matrix the option's cases, together, show every effect the option has."""
    for bars, cases in ((one_symbol(), ONE_SYMBOL_CASES), (three_symbols(), THREE_SYMBOL_CASES)):
        config = BacktestConfig(**OPTIONS[option])
        outcomes = [
            run_backtest(bars, signals_of(strategy, bars), config)
            for strategy, name in cases
            if name == option
        ]
        missing = unexercised(outcomes)
        assert not missing, f"{option} on {len(bars)} symbol(s) never shows {sorted(missing)}"


def test_the_matrices_cover_every_strategy_and_option() -> None:
    for cases in (ONE_SYMBOL_CASES, THREE_SYMBOL_CASES):
        assert {s for s, _ in cases} == set(STRATEGIES)
        assert {o for _, o in cases} == set(OPTIONS)


INTRADAY: dict[str, dict[str, Any]] = {
    "limit_day": {"order_type": "limit", "limit_offset": 0.0005},
    "stop_day": {"order_type": "stop", "stop_offset": 0.0003},
    "stop_limit_day": {"order_type": "stop_limit", "stop_offset": 0.0002, "limit_offset": 0.0},
    "close_mode_trailing": {"fill_price": "close", "trailing_stop": 0.002},
}


@pytest.mark.parametrize("option", list(INTRADAY))
@pytest.mark.parametrize("strategy", ["rsi_mean_reversion", "ma_crossover"])
def test_intraday_sessions_paper_fills_equal_the_backtest(strategy: str, option: str) -> None:
    outcome = check([intraday()], INTRADAY[option], strategy, timeframe="5m")
    assert outcome.counts.fills > 0


@pytest.mark.parametrize("option", ["all_exits", "volume_cap", "stop_limit_gtc", "latency_2_limit"])
def test_a_broker_rebuilt_from_its_journal_mid_run_still_equals_the_backtest(option: str) -> None:
    bars = three_symbols()
    for restart_at in (1, THREE_SYMBOL_BARS // 2, THREE_SYMBOL_BARS - 1):
        outcome = check(bars, OPTIONS[option], "rsi_mean_reversion", restart_at=restart_at)
        assert outcome.counts.fills > 0


def test_an_option_that_never_acts_is_noticed() -> None:
    """The coverage check can fail: a 90% stop-loss never fires; a limit 50% below the close
    never fills (its DAY orders expire, which is noticed as shown)."""
    bars = one_symbol()
    signals = signals_of("ma_crossover", bars)
    far_stop = run_backtest(bars, signals, BacktestConfig(stop_loss=0.9))
    far_limit = run_backtest(bars, signals, BacktestConfig(order_type="limit", limit_offset=0.5))
    assert unexercised([far_stop]) == {"stop_loss"}
    assert unexercised([far_limit]) == {"fills"}
