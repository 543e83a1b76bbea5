"""A paper session: live bars polled on exchange sessions through the same trading loop, paper
broker, ledger and snapshots as a replay.

In order (after the plan: the request checked, the account locked and opened, the stored
warm-up bars read, see :mod:`~trademind.services.trade.paper_plan`):

1. **warm-up**: the strategies are fed the stored bars (and, through the live provider, the
   bars closed since the newest stored one: a failure there is a notice, not an error), bar by
   bar, without trading them: no order, no fill, no snapshot. Only closed session bars count
   (a bar of today's unfinished session that an ingest stored is left out). On a resume the
   venue state comes from the journal as in a replay; the warm-up runs again on what is stored
   and served now, up to the stored progress when the last batch was opened but not closed.
2. **trading**: a :class:`~trademind.runtime.paper_source.PaperSource` polls the provider at
   each bar close of each session (the clock's time, the waiter's waits) and passes on only
   bars newer than the warm-up's and the stored progress's; the loop trades them as a replay
   does (the venue opens each batch, the strategies decide on the closes, the venue closes it,
   a snapshot is booked). So an order decided at a bar's close fills at the next polled bar's
   open, by the backtest's rules.
3. **stopping**: SIGINT or SIGTERM (Ctrl-C), or the stopper handed to ``on_stopper``, ends the
   session after the current step; ``--end DAY`` ends it after that day's close. Then the
   summary, as for a replay, over the bars the session traded.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from trademind.core.bus import EventBus
from trademind.core.errors import TradeMindError
from trademind.core.events import OrderStatusChanged
from trademind.core.market import Bar
from trademind.core.values import decimal_from_float
from trademind.data.providers.yfinance_live import live_yfinance
from trademind.portfolio.journal import SqlBrokerJournal
from trademind.runtime.bar_sources import (
    BarBatch,
    BarSource,
    bar_length,
    bars_from_arrays,
    merge_in_time_order,
)
from trademind.runtime.paper_source import LiveBarProvider, PaperSource
from trademind.runtime.sessions import ExchangeSessions, SessionCalendar, Waiter
from trademind.runtime.strategy_runner import StrategyRunner
from trademind.runtime.trading_loop import TradingLoop
from trademind.services.trade.agent_parts import safety_and_decisions
from trademind.services.trade.decisions import SessionDecisions
from trademind.services.trade.hook import SnapshotHook
from trademind.services.trade.paper_parts import (
    PaperParts,
    StoppableWaiter,
    scheduler_waiter,
    stop_on_signals,
)
from trademind.services.trade.progress import Progress, ProgressJournal, ResumableBroker
from trademind.services.trade.safety_parts import (
    SessionSafety,
    emergency_handler,
    hook_parts,
    stale_check,
)
from trademind.services.trade.session_parts import LiveView, on_snapshot, session_summary
from trademind.services.trade.wiring import (
    PaperBrokerSpec,
    broker_factory,
    session_router,
)
from trademind.strategies.base import Bars

if TYPE_CHECKING:
    from contextlib import AsyncExitStack

    from trademind.config import Settings
    from trademind.core.clock import Clock
    from trademind.core.ports import BrokerJournal, DecisionMaker
    from trademind.db.session import Database
    from trademind.runtime.trading_loop import LoopSummary
    from trademind.services.trade.plan import TradePlan
    from trademind.services.trade.service import TradeOptions
    from trademind.services.trade.types import TradeSummary

logger = logging.getLogger(__name__)
_TICK = timedelta(microseconds=1)
STALE_WARM_UP = timedelta(days=7)
"""A warm-up whose newest bar is older than this gets a notice."""


async def run_paper(  # noqa: PLR0917 - the session's parts, passed straight through
    database: Database,
    settings: Settings,
    plan: TradePlan,
    options: TradeOptions,
    wall: Clock,
    parts: PaperParts,
    *,
    closing: AsyncExitStack,
) -> TradeSummary:
    """Run the paper session of ``plan`` until it is stopped (module docstring); ``closing``
    closes what the agents hold open when the session ends."""
    journal = SqlBrokerJournal(database, wall)
    bus = options.bus or EventBus(clock=wall)
    spec = PaperBrokerSpec(
        config=plan.paper_config, journal=ProgressJournal(journal), publish=bus.publish, clock=wall
    )
    brokers = options.brokers or broker_factory()
    broker = cast("ResumableBroker", brokers.create_broker("paper", spec))
    provider = parts.provider or live_yfinance(clock=wall)
    calendar = parts.calendar or ExchangeSessions()
    warm, notices = await _warm_up_bars(plan, provider, calendar, wall, broker.resumed_from)
    stored_steps = len(journal.store.snapshots(journal.store.account(plan.account)))
    live = LiveView(total=0, step=stored_steps)
    hook = SnapshotHook(journal, plan.account, on_snapshot(plan, live, options.on_step))
    runner = StrategyRunner(plan.setups)
    layer, decider = safety_and_decisions(
        database,
        settings,
        plan,
        journal=journal,
        broker=broker,
        clock=wall,
        wall=wall,
        closing=closing,
        given=options.decision_extras,
        variant=options.variant,
    )
    seen = _warm_up(warm, (runner, decider), hook, bar_length(plan.timeframe), broker.resumed_from)
    bus.subscribe(OrderStatusChanged, live.order_changed)
    recorded = _Recorded()
    layer.subscribe(bus)
    decider.subscribe(bus)
    await layer.seed(broker, journal)
    safety = (layer, spec.journal, journal)
    loop_summary = await _trade(plan, parts, wall, calendar, provider, seen, recorded, (
        broker, bus, runner, hook, decider), safety)  # fmt: skip
    session_bars = _session_bars(plan, warm, recorded.bars)
    plan = replace(
        plan,
        bars=session_bars,
        notices=plan.notices + notices,
        session=replace(plan.session, end=_last_ts(session_bars)),
    )
    return await session_summary(plan, broker, journal, live.step, loop_summary)


async def _trade(  # noqa: PLR0917 - the session's parts, passed straight through
    plan: TradePlan,
    parts: PaperParts,
    wall: Clock,
    calendar: SessionCalendar,
    provider: LiveBarProvider,
    seen: Mapping[str, datetime],
    recorded: _Recorded,
    wired: tuple[ResumableBroker, EventBus, StrategyRunner, SnapshotHook, DecisionMaker],
    safety: tuple[SessionSafety, BrokerJournal, SqlBrokerJournal],
) -> LoopSummary:
    broker, bus, runner, hook, decider = wired
    layer, journal, ledger_journal = safety
    limits = layer.entry_limits(plan.paper_config, ledger_journal)
    stale = stale_check(layer.settings, calendar, wall, plan.timeframe)
    router = session_router(plan.paper_config, broker, bus.publish, layer.gate, limits)
    async with _waiter(parts) as inner:
        waiter = StoppableWaiter(inner)
        source = PaperSource(
            provider,
            symbols=plan.symbols,
            timeframe=plan.timeframe,
            clock=wall,
            calendar=calendar,
            waiter=waiter,
            delay=parts.delay,
            until=plan.session.end,
            seen=seen,
        )

        def stop() -> None:
            source.stop()
            waiter.stop()

        if parts.on_stopper is not None:
            parts.on_stopper(stop)
        loop = TradingLoop(
            mode=plan.mode,
            source=recorded.wrap(source),
            broker=broker,
            router=router,
            strategies=runner,
            bus=bus,
            ledger=layer.hook(hook, hook_parts(plan, router, broker, ledger_journal, stale)),
            decider=decider,
            emergency=emergency_handler(layer.state, router, broker, journal),
        )
        with stop_on_signals(stop, enabled=parts.handle_signals):
            return await loop.run()


@contextlib.asynccontextmanager
async def _waiter(parts: PaperParts) -> AsyncIterator[Waiter]:
    """The injected waiter, or production's scheduler waiter for the session's duration."""
    if parts.waiter is not None:
        yield parts.waiter
        return
    async with scheduler_waiter() as made:
        yield made


class _Recorded:
    """Keeps the bars a source passes on, per symbol."""

    def __init__(self) -> None:
        self.bars: dict[str, list[Bar]] = {}

    def wrap(self, source: BarSource) -> BarSource:
        recorded = self

        class Recording:
            async def batches(self) -> AsyncIterator[BarBatch]:
                async for batch in source.batches():
                    for bar in batch.bars:
                        recorded.bars.setdefault(bar.symbol, []).append(bar)
                    yield batch

        return Recording()


async def _warm_up_bars(
    plan: TradePlan,
    provider: LiveBarProvider,
    calendar: SessionCalendar,
    wall: Clock,
    stopped: Progress | None,
) -> tuple[dict[str, list[Bar]], tuple[str, ...]]:
    """Per symbol, the closed session bars to warm up on: stored, then served since the newest
    stored one; on a resume from an unclosed batch, only those before it."""
    now = wall.now()
    length = bar_length(plan.timeframe)
    warm: dict[str, list[Bar]] = {}
    notices: list[str] = []
    for series in plan.bars:
        bars = _closed_session_bars(bars_from_arrays(series, plan.timeframe), calendar, now, length)
        since = bars[-1].ts + _TICK if bars else now - timedelta(days=1)
        if since < now:
            try:
                served = await provider.closed_bars(series.symbol, plan.timeframe, since, now)
            except TradeMindError as error:
                notices.append(
                    f"{series.symbol}: the bars since the newest stored one could not be fetched "
                    f"({error}): the strategies warm up on the stored bars only"
                )
                served = []
            fresh = [bar for bar in served if bar.ts >= since and bar.symbol == series.symbol]
            bars += _closed_session_bars(fresh, calendar, now, length)
        if stopped is not None and not stopped.closed:
            bars = [bar for bar in bars if bar.ts < stopped.bar_ts]
        warm[series.symbol] = bars
        notices.extend(_warm_up_notices(series.symbol, plan.timeframe, bars, now))
    return warm, tuple(notices)


def _warm_up_notices(symbol: str, timeframe: str, bars: Sequence[Bar], now: datetime) -> list[str]:
    if not bars:
        return [f"{symbol}: no closed session bar to warm up on: the strategies start cold"]
    notices = [
        f"{symbol}: the strategies warmed up on {len(bars)} {timeframe} bars "
        f"({bars[0].ts:%Y-%m-%d} to {bars[-1].ts:%Y-%m-%d}), not traded"
    ]
    if now - bars[-1].ts > STALE_WARM_UP:
        notices.append(
            f"{symbol}: the newest warm-up bar is from {bars[-1].ts:%Y-%m-%d}: the strategies "
            f"decide on stale history (`trademind data ingest --symbols {symbol}` brings it up "
            "to date)"
        )
    return notices


def _closed_session_bars(
    bars: Sequence[Bar], calendar: SessionCalendar, now: datetime, length: timedelta
) -> list[Bar]:
    """The bars of exchange sessions that have closed by ``now`` (daily bars: by their date;
    intraday: inside the session, their end not after ``now``)."""
    if not bars:
        return []
    sessions = {
        s.day: s for s in calendar.sessions(bars[0].ts.date() - timedelta(days=1), now.date())
    }
    kept = []
    for bar in bars:
        session = sessions.get(bar.ts.date())
        if session is None:
            continue
        if length >= timedelta(days=1):
            closed = session.closes <= now
        else:
            inside = session.opens <= bar.ts < session.closes
            closed = inside and min(bar.ts + length, session.closes) <= now
        if closed:
            kept.append(bar)
    return kept


def _warm_up(
    warm: Mapping[str, Sequence[Bar]],
    deciders: tuple[StrategyRunner, SessionDecisions],
    hook: SnapshotHook,
    length: timedelta,
    stopped: Progress | None,
) -> dict[str, datetime]:
    """Feed the strategies and the decision step (the orchestrator's indicator book) the
    warm-up bars in time order (the signals are dropped: nothing trades, nothing is decided);
    the newest bar handled per symbol, which the paper source must not pass on."""
    runner, decider = deciders
    for ts, bars in merge_in_time_order(list(warm.values())):
        for bar in bars:
            runner.on_bar(bar, ts + length)
            decider.warm_up(bar)
        hook.remember({bar.symbol: decimal_from_float(bar.close) for bar in bars})
    seen = {symbol: bars[-1].ts for symbol, bars in warm.items() if bars}
    if stopped is not None and stopped.closed:
        for symbol in warm:
            seen[symbol] = max(seen.get(symbol, stopped.bar_ts), stopped.bar_ts)
    return seen


def _session_bars(
    plan: TradePlan, warm: Mapping[str, Sequence[Bar]], traded: Mapping[str, Sequence[Bar]]
) -> tuple[Bars, ...]:
    """The bars of the session so far (earlier runs' as served again, and this run's)."""
    start = plan.session.start
    length = bar_length(plan.timeframe)
    series = []
    for symbol in plan.symbols:
        bars = [*warm.get(symbol, ()), *traded.get(symbol, ())]
        kept = [bar for bar in bars if start is None or bar.ts + length > start]
        if kept:
            series.append(_arrays(symbol, kept))
    return tuple(series)


def _arrays(symbol: str, bars: Sequence[Bar]) -> Bars:
    def column(values: list[float]) -> np.ndarray:  # type: ignore[type-arg]
        array = np.array(values, dtype=np.float64)
        array.flags.writeable = False
        return array

    ts = np.array([pd.Timestamp(bar.ts).value for bar in bars], dtype=np.int64)
    ts.flags.writeable = False
    return Bars(
        symbol,
        ts,
        column([b.open for b in bars]),
        column([b.high for b in bars]),
        column([b.low for b in bars]),
        column([b.close for b in bars]),
        column([b.volume for b in bars]),
    )


def _last_ts(series: Sequence[Bars]) -> datetime | None:
    if not series:
        return None
    newest = max(int(one.ts[-1]) for one in series)
    return pd.Timestamp(newest, tz="UTC").to_pydatetime()
