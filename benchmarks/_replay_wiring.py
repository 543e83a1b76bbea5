"""The replay the benchmark drives: the trade service itself (``trademind trade``'s code).

:func:`build_replay` stores the bars in the database (set-up) and returns a :class:`Replay`
whose :meth:`Replay.run` is :func:`trademind.services.trade.trade` on them: the session is
planned (bars read back from the database, the account opened, the session stored), then the
loop runs: ReplaySource -> BarClosed per bar on the bus -> StrategyRunner -> SignalDecisions ->
ExecutionRouter -> the resumable paper broker -> SqlBrokerJournal, a snapshot per bar close,
and the session's summary is built. The only thing the benchmark adds is :class:`TimedBroker`,
registered as the session's ``paper`` broker through ``TradeOptions.brokers``: the trade
service's own :class:`~trademind.services.trade.progress.ResumableBroker` that stamps
``time.perf_counter`` as each step begins (the loop's first call of a step is ``open_bars``:
the bar close handed to the loop) and as each ``place_order`` returns.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from trademind.backtest.engine.config import BacktestConfig
from trademind.config import Settings
from trademind.core.clock import LiveClock
from trademind.core.market import Bar
from trademind.core.order_state import OrderState
from trademind.core.orders import Order
from trademind.data.store import BarStore
from trademind.db.session import Database
from trademind.execution.factory import BrokerFactory
from trademind.services.trade import TradeOptions, TradeRequest, TradeSummary
from trademind.services.trade.progress import ResumableBroker
from trademind.services.trade.service import trade
from trademind.services.trade.wiring import PaperBrokerSpec
from trademind.strategies.base import Bars

ACCOUNT = "bench"
SOURCE = "benchmark"


@dataclass
class StepTimes:
    """perf_counter stamps: each step's start, and the last order placed in each step."""

    starts: list[float] = field(default_factory=list)
    last_order: dict[int, float] = field(default_factory=dict)
    committed: list[float] = field(default_factory=list)

    def latencies(self) -> list[float]:
        """Seconds from a step's start to its last ``place_order`` return (steps with orders)."""
        return [at - self.starts[step] for step, at in sorted(self.last_order.items())]

    def commit_latencies(self) -> list[float]:
        """Seconds from a step's start to the commit of its transaction (the live view's call,
        which follows the commit), for steps with orders: meaningful with one step per
        transaction (a paced session)."""
        return [self.committed[step] - self.starts[step] for step in sorted(self.last_order)]

    def step_committed(self, _view: object) -> None:
        self.committed.append(time.perf_counter())


class NoWait:
    """A sleeper that returns at once: a paced session (one step per transaction, as in paper
    mode) without the waiting."""

    async def sleep(self, seconds: float) -> None:
        return None


class TimedBroker(ResumableBroker):
    """The trade service's paper broker, stamping each step's start and each order placed."""

    times: StepTimes

    async def open_bars(self, bars: Sequence[Bar]) -> None:
        self.times.starts.append(time.perf_counter())
        await super().open_bars(bars)

    async def place_order(self, order: Order) -> OrderState:
        state = await super().place_order(order)
        self.times.last_order[len(self.times.starts) - 1] = time.perf_counter()
        return state


def timed_brokers(times: StepTimes) -> BrokerFactory:
    def make(spec: PaperBrokerSpec) -> TimedBroker:
        broker = TimedBroker(
            spec.config, journal=spec.journal, publish=spec.publish, clock=spec.clock
        )
        broker.times = times
        return broker

    factory = BrokerFactory()
    factory.register("paper", make)
    return factory


def store_bars(database: Database, bars: Mapping[str, Bars], timeframe: str) -> None:
    """The bars in the database's ``market_data`` (what the trade service reads)."""
    store = BarStore(database)
    now = datetime.now(UTC)
    for symbol, one in bars.items():
        frame = pd.DataFrame(
            {
                "ts": pd.to_datetime(one.ts, utc=True),
                "open": one.open,
                "high": one.high,
                "low": one.low,
                "close": one.close,
                "volume": one.volume,
            }
        )
        store.upsert_bars(symbol, timeframe, SOURCE, frame, now=now)


def _day(ns: int) -> date:
    return pd.Timestamp(ns, tz="UTC").date()


@dataclass
class Replay:
    database: Database
    settings: Settings
    request: TradeRequest
    options: TradeOptions
    times: StepTimes

    async def run(self) -> TradeSummary:
        """The whole session, through the trade service."""
        return await trade(self.database, self.settings, self.request, self.options)


def build_replay(
    database: Database,
    bars: Mapping[str, Bars],
    *,
    timeframe: str,
    config: BacktestConfig,
    params: Mapping[str, int | float | str] | None = None,
    strategy: str = "ma_crossover",
    paced: bool = False,
    orchestrated: bool = False,
    sentiment: bool = False,
) -> Replay:
    """One replay session on ``database`` over ``bars`` (module docstring); the bars are
    stored first (set-up). ``paced``: at ``1x`` without waiting (:class:`NoWait`), so every
    step is its own transaction, committed before the next bar, as in paper mode.
    ``orchestrated``: the whole decision step of issue 11: ``orchestrator.enabled`` (the agents
    vote, the risk agent reviews) and ``safety.enabled`` (risk sizing, the pre-trade rules, the
    breakers); otherwise both off: the plain pipeline of ``trademind trade`` (each signal its
    own decision, only the trading state checked), which fills exactly as the backtest.
    ``sentiment``: with ``orchestrated``, the news sentiment agent votes too (the LLM agent of
    issue 12; no news is stored, so it abstains at every bar close); off by default, as issue
    11's target is the decision step without the LLM agent."""
    store_bars(database, bars, timeframe)
    locks = Path(tempfile.mkdtemp(prefix="trademind-bench-locks-"))
    settings = Settings.model_validate(
        {
            "app": {"data_dir": str(locks)},
            "orchestrator": {"enabled": orchestrated},
            "safety": {"enabled": orchestrated},
            "sentiment": {"enabled": sentiment},
        }
    )
    first = min(int(one.ts[0]) for one in bars.values())
    last = max(int(one.ts[-1]) for one in bars.values())
    request = TradeRequest(
        mode="replay",
        symbols=tuple(bars),
        strategy=strategy,
        params={key: str(value) for key, value in (params or {}).items()},
        start=_day(first),
        end=_day(last),
        timeframe=timeframe,
        account=ACCOUNT,
        speed="1x" if paced else "max",
    )
    times = StepTimes()
    options = TradeOptions(
        clock=LiveClock(),
        data_dir=locks,
        config=config,
        brokers=timed_brokers(times),
        sleeper=NoWait() if paced else None,
        on_step=times.step_committed,
    )
    return Replay(database, settings, request, options, times)
