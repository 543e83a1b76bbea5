"""The trading loop the replay benchmark drives, wired from main's pieces in one function.

:func:`build_replay` is the only place that wires: bars -> :class:`ReplaySource` ->
:class:`StrategyRunner` -> :class:`SignalDecisions` -> :class:`ExecutionRouter` ->
:class:`PaperBroker` (journal: :class:`SqlBrokerJournal`, so every order state, fill and the
venue's state are committed to the database as they happen; ``relaxed_commits``: without
waiting for the disk, see ``Database.session``) -> :class:`SnapshotHook` (a
``portfolio_snapshots`` row per bar close, from the journal's ledger). When the trade service
(services/trade) lands, this function is the one to switch to it.

:class:`TimedPaperBroker` and :class:`TimedLoop` only add ``time.perf_counter`` stamps: the
start of every step and the return of every ``place_order`` (what the latency figure needs).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from trademind.brokers.paper import PaperBroker, PaperConfig
from trademind.core.bus import EventBus
from trademind.core.clock import TestClock
from trademind.core.market import TradingMode
from trademind.core.order_state import OrderState
from trademind.core.orders import Order
from trademind.db.session import Database
from trademind.execution.entry_orders import SizingRequest
from trademind.execution.router import ExecutionRouter
from trademind.portfolio.book import LedgerSnapshot
from trademind.portfolio.journal import SqlBrokerJournal
from trademind.runtime.bar_sources import BarBatch, ReplaySource
from trademind.runtime.ledger_hook import StepRecord
from trademind.runtime.strategy_runner import StrategyRunner, StrategySetup
from trademind.runtime.trading_loop import LoopSummary, TradingLoop
from trademind.strategies.base import Bars
from trademind.strategies.registry import get_strategy

ACCOUNT = "bench"


@dataclass
class StepTimes:
    """perf_counter stamps: each step's start, and the last order placed in each step."""

    starts: list[float] = field(default_factory=list)
    last_order: dict[int, float] = field(default_factory=dict)

    def latencies(self) -> list[float]:
        """Seconds from a step's start to its last ``place_order`` return (steps with orders)."""
        return [at - self.starts[step] for step, at in sorted(self.last_order.items())]


class TimedPaperBroker(PaperBroker):
    """A :class:`PaperBroker` that stamps the return of every ``place_order``."""

    times: StepTimes

    async def place_order(self, order: Order) -> OrderState:
        state = await super().place_order(order)
        self.times.last_order[len(self.times.starts) - 1] = time.perf_counter()
        return state


class TimedLoop(TradingLoop):
    """A :class:`TradingLoop` that stamps the start of every step."""

    times: StepTimes

    async def step(self, batch: BarBatch) -> None:
        self.times.starts.append(time.perf_counter())
        await super().step(batch)


class SnapshotHook:
    """The loop's ledger hook: the broker journal already stored the step's fills (and
    applied them to its ledger); this marks the ledger at the closes (a snapshot per bar
    close) and stores the snapshots ``every`` steps in one statement (and at :meth:`flush`).

    Snapshots are derived data (the fills are the truth; a snapshot is the ledger marked at
    stored closes), so they are batched; a crash loses at most the last ``every - 1``
    unflushed ones, which the stored fills and bars can give again."""

    def __init__(self, journal: SqlBrokerJournal, every: int = 100) -> None:
        self._journal = journal
        self._every = every
        self._pending: dict[str, list[LedgerSnapshot]] = {}

    async def record_step(self, step: StepRecord) -> None:
        ledger = self._journal.ledger(step.account)
        pending = self._pending.setdefault(step.account, [])
        pending.append(ledger.mark(step.closed_at, step.marks))
        if len(pending) >= self._every:
            self.flush()

    def flush(self) -> None:
        """Store every pending snapshot."""
        for account, snapshots in self._pending.items():
            store = self._journal.store
            store.save_snapshots(store.account(account), snapshots)
        self._pending.clear()


def all_in_estimate(request: SizingRequest) -> Decimal:
    """The entry's quantity estimate at the decision's close (the broker re-sizes it at the
    fill with the configured sizing rule, as the backtest does)."""
    cash = float(request.account.cash)
    return Decimal(max(1, math.floor(cash / float(request.price))))


@dataclass
class Replay:
    loop: TimedLoop
    broker: TimedPaperBroker
    journal: SqlBrokerJournal
    hook: SnapshotHook
    times: StepTimes

    async def run(self) -> LoopSummary:
        """The whole replay, the last snapshots stored."""
        summary = await self.loop.run()
        self.hook.flush()
        return summary


def build_replay(
    database: Database,
    bars: Mapping[str, Bars],
    *,
    timeframe: str,
    config: PaperConfig,
    params: Mapping[str, int | float | str] | None = None,
    strategy: str = "ma_crossover",
    relaxed_commits: bool = True,
) -> Replay:
    """One replay account on ``database`` over ``bars`` (module docstring)."""
    clock = TestClock()
    bus = EventBus(clock)
    journal = SqlBrokerJournal(database, clock, relaxed_commits=relaxed_commits)
    journal.store.open_account(
        config.account_id,
        mode=TradingMode.REPLAY,
        broker="paper",
        starting_cash=Decimal(repr(config.initial_cash)),
    )
    times = StepTimes()
    broker = TimedPaperBroker(config, journal=journal, publish=bus.publish, clock=clock)
    broker.times = times
    router = ExecutionRouter(broker, sizer=all_in_estimate, publish=bus.publish)
    runner = StrategyRunner([StrategySetup(get_strategy(strategy), params)])
    hook = SnapshotHook(journal)
    loop = TimedLoop(
        mode=TradingMode.REPLAY,
        source=ReplaySource(bars, timeframe=timeframe, clock=clock),
        broker=broker,
        router=router,
        strategies=runner,
        bus=bus,
        ledger=hook,
    )
    loop.times = times
    return Replay(loop=loop, broker=broker, journal=journal, hook=hook, times=times)
