"""Parity through the whole loop (issue 10, item 13): a replay through the trade service (the
trading loop, the execution router, the paper broker, the SQLite ledger) fills as ``backtest
run`` does on the same bars and settings.

For every registered strategy and every execution option at least once (limit, stop and
stop-limit entries, DAY and GTC, stop-loss, take-profit, trailing stop, each sizing rule, whole
shares, latency, fills at the close, a volume cap) on two symbols of the bundled sample
(about 230 daily bars each; each option set with one strategy, chosen so that the option
acts: its exits fire, its DAY orders expire, its GTC orders rest, its cap splits fills, as
:mod:`support.exercised` checks in every case): the round trips rebuilt from the stored fills
(entry and exit times, quantity, average prices, commission), the order and fill counts, the
equity of every portfolio snapshot and the final equity equal the engine's (``run_backtest``,
what ``backtest run`` calls). Fills are stored with 8 decimals, so prices, quantities and
commissions compare at 1e-9 relative; the final equity comes from the venue and compares at
1e-9 relative too.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from support.exercised import unexercised
from support.paper_replay import Trip, round_trips

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.engine.outcome import BacktestOutcome
from trademind.backtest.engine.run import run_backtest
from trademind.bootstrap import build_database as open_database
from trademind.config import Settings, load_config
from trademind.core.clock import LiveClock
from trademind.core.orders import Fill, OrderSide
from trademind.db.session import Database
from trademind.fills.commission import PercentageCommission, PerShareCommission
from trademind.fills.sizing import CappedKelly, FixedCash, FixedFraction, VolatilityTarget
from trademind.fills.slippage import AtrSlippage, NoSlippage, VolumeCap
from trademind.portfolio.store import LedgerStore
from trademind.services.backtest_data import DataRequest, prepare_data
from trademind.services.trade import TradeOptions, TradeRequest, TradeSummary, run_trade
from trademind.strategies.base import Bars
from trademind.strategies.registry import all_strategies, resolve

SYMBOLS = ("AAPL", "MSFT")
START, END = date(2019, 5, 1), date(2020, 3, 31)
RELATIVE = 1e-9

OPTIONS: dict[str, dict[str, Any]] = {
    "market": {},
    "close_mode": {"fill_price": "close", "commission": PercentageCommission(0.001)},
    "limit_day": {"order_type": "limit", "limit_offset": 0.01},
    "stop_limit_gtc": {
        "order_type": "stop_limit",
        "stop_offset": 0.005,
        "limit_offset": 0.002,
        "time_in_force": "gtc",
    },
    "stop_day": {"order_type": "stop", "stop_offset": 0.01},
    "exits": {"stop_loss": 0.04, "take_profit": 0.06, "trailing_stop": 0.05},
    "trailing_close": {"trailing_stop": 0.03, "fill_price": "close"},
    "fixed_cash_whole": {"sizing": FixedCash(25_000.0), "fractional_shares": False},
    "fraction": {"sizing": FixedFraction(0.3), "commission": PerShareCommission()},
    "volatility": {"sizing": VolatilityTarget(0.01, "atr", 14, 0.5), "stop_loss": 0.03},
    "kelly": {"sizing": CappedKelly(0.55, 1.5, 0.25), "slippage": AtrSlippage(0.1, 14)},
    "latency_2_limit": {"latency_bars": 2, "order_type": "limit", "limit_offset": 0.005},
    "volume_cap": {
        "volume_cap": VolumeCap(2e-6),
        "sizing": FixedFraction(0.5),
        "slippage": NoSlippage(),
    },
}
STRATEGIES = [s.name for s in all_strategies()]
STRATEGY_OF: dict[str, str] = {
    "market": "buy_and_hold",
    "close_mode": "ma_crossover",
    "limit_day": "bollinger_reversion",
    "stop_limit_gtc": "rsi_mean_reversion",
    "stop_day": "macd_momentum",
    "exits": "bollinger_reversion",
    "trailing_close": "meta",
    "fixed_cash_whole": "ma_crossover",
    "fraction": "meta",
    "volatility": "buy_and_hold",
    "kelly": "rsi_mean_reversion",
    "latency_2_limit": "macd_momentum",
    "volume_cap": "ma_crossover",
}
"""The strategy each option set runs with: every strategy two or three times (``meta``, the
weighted vote of three others, with its defaults), and one under
which the option acts on these bars (asserted in each case)."""
CASES = [(strategy, option) for option, strategy in STRATEGY_OF.items()]


class World:
    """One SQLite database with the sample bars of :data:`SYMBOLS`, shared by the cases."""

    def __init__(self, root: Path) -> None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("TRADEMIND__APP__DATA_DIR", str(root / "data"))
            # the backtest has no safety layer: parity is the plain pipeline's (the state gate
            # still runs, and lets every order through an active account)
            patch.setenv("TRADEMIND__SAFETY__ENABLED", "false")
            patch.chdir(root)
            self.settings: Settings = load_config(None).settings
        self.database: Database = open_database(self.settings)
        request = DataRequest(symbols=list(SYMBOLS), start=START, end=END)
        self.bars: tuple[Bars, ...] = prepare_data(
            self.database, self.settings, request, clock=LiveClock()
        ).bars
        self.root = root
        self.replays: dict[tuple[str, str], TradeSummary] = {}

    def replay(self, strategy: str, option: str) -> TradeSummary:
        """The session of one case, run once per module (the tamper test reuses a case's)."""
        if (strategy, option) not in self.replays:
            config = self.config(option)
            self.replays[strategy, option] = replay(self, strategy, config, f"{strategy}-{option}")
        return self.replays[strategy, option]

    def config(self, option: str) -> BacktestConfig:
        return BacktestConfig.from_settings(self.settings.backtest, **OPTIONS[option])


MEMORY_DISK = Path("/dev/shm")
"""Where the shared database lives when the machine has it: what this test checks is the
numbers, not durability, and a disk's fsync at each of the ~1000 commits of a replay (the
ledger commits every state change before acting on it) would make the suite minutes slower."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    if MEMORY_DISK.is_dir() and os.access(MEMORY_DISK, os.W_OK):
        with tempfile.TemporaryDirectory(dir=MEMORY_DISK, prefix="trademind-parity-") as root:
            made = World(Path(root))
            yield made
            made.database.dispose()
        return
    made = World(tmp_path_factory.mktemp("replay-parity"))
    yield made
    made.database.dispose()


def replay(world: World, strategy: str, config: BacktestConfig, account: str) -> TradeSummary:
    request = TradeRequest(
        mode="replay", symbols=SYMBOLS, strategy=strategy, start=START, end=END, account=account
    )
    options = TradeOptions(data_dir=world.root / "locks", config=config)
    return run_trade(world.database, world.settings, request, options)


def backtest(world: World, strategy: str, config: BacktestConfig) -> BacktestOutcome:
    chosen = next(s for s in all_strategies() if s.name == strategy)
    params = resolve(chosen, {})
    signals = [chosen.signals(one, params) for one in world.bars]
    return run_backtest(world.bars, signals, config)


def close(a: float, b: float, what: str) -> None:
    assert a == pytest.approx(b, rel=RELATIVE, abs=1e-8), what


def stored_fills(summary: TradeSummary) -> list[Fill]:
    return [
        Fill(
            order_id=f.order_id,
            symbol=f.symbol,
            side=OrderSide(f.side),
            quantity=f.quantity,
            price=f.price,
            ts=f.time,
            commission=f.commission,
        )
        for f in summary.fills
    ]


def assert_same_trips(trips: list[Trip], outcome: BacktestOutcome, bars: tuple[Bars, ...]) -> None:
    log = outcome.log
    assert len(trips) == len(log.quantity)
    for row, trip in enumerate(trips):
        ts = bars[trip.symbol].ts
        assert trip.symbol == log.symbol[row], f"trade {row}: symbol"
        assert trip.entry_ts == ts[log.entry_index[row]], f"trade {row}: entry time"
        closed = log.exit_index[row] >= 0
        assert trip.exit_ts == (ts[log.exit_index[row]] if closed else -1), f"trade {row}: exit"
        close(trip.entry_quantity, log.quantity[row], f"trade {row}: quantity")
        close(trip.entry_value / trip.entry_quantity, log.entry_price[row], f"trade {row}: entry")
        commission = trip.commission_in + trip.commission_out
        close(commission, log.commission[row], f"trade {row}: commission")
        if closed:
            exit_price = trip.exit_value / trip.exit_quantity
            close(exit_price, log.exit_price[row], f"trade {row}: exit price")


def snapshot_equity(world: World, account: str) -> np.ndarray:  # type: ignore[type-arg]
    store = LedgerStore(world.database, LiveClock())
    points = store.snapshots(store.account(account))
    return np.array([float(p.equity) for p in points])


@pytest.mark.parametrize(("strategy", "option"), CASES, ids=[f"{s}-{o}" for s, o in CASES])
def test_a_replay_through_the_loop_fills_as_the_backtest(
    world: World, strategy: str, option: str
) -> None:
    account = f"{strategy}-{option}"
    summary = world.replay(strategy, option)
    outcome = backtest(world, strategy, world.config(option))

    assert not unexercised([outcome]), "a case whose options never act proves nothing"
    assert_parity(world, summary, outcome, account)


def assert_parity(
    world: World, summary: TradeSummary, outcome: BacktestOutcome, account: str
) -> None:
    """The replay's stored fills, counts, final and snapshot equity equal the backtest's."""
    trips = round_trips(stored_fills(summary), list(SYMBOLS))
    assert_same_trips(trips, outcome, world.bars)
    assert summary.counts.fills == outcome.counts.fills
    assert summary.counts.orders == outcome.counts.orders
    close(float(summary.final_equity), outcome.final_equity, "final equity")
    equity = snapshot_equity(world, account)
    np.testing.assert_allclose(equity, outcome.equity, rtol=RELATIVE, err_msg="snapshot equity")
    assert summary.metrics["trade_count"] == outcome_trades(outcome)


def outcome_trades(outcome: BacktestOutcome) -> int:
    return int(np.sum(outcome.log.exit_index >= 0))


META_VARIANT = {
    "votes": "signal",
    "weight_bollinger_reversion": "2",
    "weight_buy_and_hold": "0.5",
    "buy_threshold": "0.3",
}
"""The meta strategy with parameters given as ``--param`` texts: the other vote rule, a
component weighted differently, the benchmark as a component."""


def test_a_meta_variant_given_as_parameters_fills_as_the_backtest(world: World) -> None:
    account = "meta-variant"
    config = world.config("market")
    request = TradeRequest(
        mode="replay", symbols=SYMBOLS, strategy="meta", params=META_VARIANT, start=START,
        end=END, account=account,
    )  # fmt: skip
    summary = run_trade(
        world.database,
        world.settings,
        request,
        TradeOptions(data_dir=world.root / "locks", config=config),
    )
    meta = next(s for s in all_strategies() if s.name == "meta")
    params = resolve(meta, META_VARIANT)
    assert params != resolve(meta, {})
    outcome = run_backtest(world.bars, [meta.signals(one, params) for one in world.bars], config)
    assert outcome_trades(outcome) >= 3
    assert_parity(world, summary, outcome, account)


def test_the_cases_cover_every_strategy_and_option() -> None:
    assert {s for s, _ in CASES} == set(STRATEGIES)
    assert {o for _, o in CASES} == set(OPTIONS)


def test_a_changed_fill_would_fail_the_comparison(world: World) -> None:
    """The comparison is not a rubber stamp: one cent on a fill price is noticed."""
    summary = world.replay("ma_crossover", "close_mode")
    outcome = backtest(world, "ma_crossover", world.config("close_mode"))
    fills = stored_fills(summary)
    first = fills[0]
    fills[0] = Fill(
        order_id=first.order_id,
        symbol=first.symbol,
        side=first.side,
        quantity=first.quantity,
        price=first.price + Decimal("0.01"),
        ts=first.ts,
        commission=first.commission,
    )
    with pytest.raises(AssertionError, match="entry"):
        assert_same_trips(round_trips(fills, list(SYMBOLS)), outcome, world.bars)
