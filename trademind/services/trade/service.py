"""``trademind trade``: build and run one account's trading session (replay of stored bars
through the live trading loop, with the paper broker and the ledger in the database).

:func:`run_trade` (sync) / :func:`trade` (async) take a :class:`TradeRequest` and answer a
:class:`TradeSummary`. In order, and nothing in the ledger changes before step 4:

1. the request is checked (mode, speed, strategy, parameters, cost, sizing and order texts:
   usage errors before any I/O); live mode refuses, naming the IBKR issue;
2. the account's :class:`~trademind.runtime.account_lock.AccountLock` is taken (a second
   process gets :class:`~trademind.core.errors.AccountBusyError` naming the holder's pid);
3. a new session refuses an account that exists already; ``resume`` refuses an unknown
   account (naming the known ones) and completes the request from the stored session;
4. the bars are read (the bundled sample when nothing is stored, as ``backtest run``), the
   account is opened (created with its mode and cash) and the session stored;
5. the loop runs (:class:`~trademind.runtime.trading_loop.TradingLoop`): a
   :class:`~trademind.runtime.bar_sources.ReplaySource`, the strategies bar by bar, the
   :class:`~trademind.execution.router.ExecutionRouter`, a resumable paper broker on the
   database journal and a :class:`~trademind.services.trade.hook.SnapshotHook`, the steps
   committed in blocks (:mod:`~trademind.services.trade.blocks`; a replay's commits are
   relaxed: see docs/trading.md), the router asking the account's trading state before every
   order and the loop acting on an emergency stop
   (:mod:`~trademind.services.trade.safety_parts`).

On a resume the venue state and orders come from the journal, the strategies are warmed up on
the bars already processed (signals are causal, so they come out the same), and the loop goes
on from where the stored progress says it stopped (:mod:`~trademind.services.trade.progress`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from trademind.core.bus import EventBus
from trademind.core.clock import Clock, LiveClock
from trademind.core.errors import ValidationError
from trademind.core.events import OrderStatusChanged
from trademind.core.market import Bar, TradingMode
from trademind.core.values import decimal_from_float
from trademind.portfolio.journal import SqlBrokerJournal
from trademind.portfolio.store import LedgerStore
from trademind.runtime.account_lock import AccountLock
from trademind.runtime.bar_sources import (
    ReplaySource,
    bar_length,
    bars_from_arrays,
    merge_in_time_order,
)
from trademind.runtime.pacing import AsyncioSleeper, Sleeper
from trademind.runtime.strategy_runner import StrategyRunner
from trademind.runtime.trading_loop import TradingLoop
from trademind.services.trade.agent_parts import safety_and_decisions
from trademind.services.trade.blocks import MAX_STEPS, StepBlocks
from trademind.services.trade.decisions import (
    DecisionExtras,
    SessionDecisions,
)
from trademind.services.trade.hook import SnapshotHook
from trademind.services.trade.plan import (
    TradePlan,
    build_plan,
    default_account,
    normalised,
    parse_mode,
)
from trademind.services.trade.progress import Progress, ProgressJournal, ResumableBroker
from trademind.services.trade.safety_parts import (
    emergency_handler,
    hook_parts,
)
from trademind.services.trade.session import (
    SESSION_STATE,
    StoredSession,
    read_session,
    resumed_request,
)
from trademind.services.trade.session_parts import (
    LiveView,
    OnStep,
    on_snapshot,
    session_summary,
)
from trademind.services.trade.types import (
    TradeRequest,
    TradeSummary,
)
from trademind.services.trade.wiring import (
    PaperBrokerSpec,
    ReplayClock,
    broker_factory,
    session_router,
)

if TYPE_CHECKING:
    from trademind.backtest.engine.config import BacktestConfig
    from trademind.config import Settings
    from trademind.db.session import Database
    from trademind.execution.factory import BrokerFactory
    from trademind.services.trade.paper_parts import PaperParts


@dataclass(frozen=True, kw_only=True)
class TradeOptions:
    """What a caller may inject: ``clock`` (the wall clock: account creation and last use;
    default the live clock), ``data_dir`` (lock files; default ``app.data_dir``), ``sleeper``
    (waiting between bars at ``1x``/``60x``), ``on_step`` (sees every bar close: the live view),
    ``config`` (an engine config replacing the one the options build: tests, benchmarks) and
    ``bus`` (the event bus the session publishes on, so a caller can subscribe to its
    ``BarClosed``, ``OrderStatusChanged``, ``OrderFilled``... events; default a new one),
    ``brokers`` (the broker factory the session builds its ``paper`` broker with, from a
    :class:`~trademind.services.trade.wiring.PaperBrokerSpec`; default
    :func:`~trademind.services.trade.wiring.broker_factory`: a benchmark registers a
    :class:`~trademind.services.trade.progress.ResumableBroker` that times its calls) and
    ``paper`` (a paper session's parts: the live bar provider, the session calendar, the
    waiter, the poll delay; default production's: yfinance, NYSE, APScheduler) and
    ``decision_extras`` (vetoers and extra agents added to the orchestrator when
    ``orchestrator.enabled``: :class:`~trademind.services.trade.decisions.DecisionExtras`) and
    ``variant`` (the A/B variant the session trades, `trade --variants` and `ab run`: a plain
    session tags its decisions with it; an orchestrated one tags them with
    ``orchestrator.variant``, which a variant's settings set to its name)."""

    clock: Clock | None = None
    data_dir: Path | None = None
    sleeper: Sleeper | None = None
    on_step: OnStep | None = None
    config: BacktestConfig | None = None
    bus: EventBus | None = None
    paper: PaperParts | None = None
    brokers: BrokerFactory | None = None
    decision_extras: DecisionExtras | None = None
    variant: str | None = None


def run_trade(
    database: Database,
    settings: Settings,
    request: TradeRequest,
    options: TradeOptions | None = None,
) -> TradeSummary:
    """Run (or resume) one session to its end and summarise it (module docstring)."""
    return asyncio.run(trade(database, settings, request, options))


async def trade(
    database: Database,
    settings: Settings,
    request: TradeRequest,
    options: TradeOptions | None = None,
) -> TradeSummary:
    """:func:`run_trade` inside a running event loop."""
    options = options or TradeOptions()
    request = normalised(request)
    account = request.account or default_account(parse_mode(request.mode))
    wall = options.clock or LiveClock()
    with AccountLock(options.data_dir or Path(settings.app.data_dir), account):
        plan = _plan(database, settings, replace(request, account=account), options, wall)
        async with AsyncExitStack() as closing:  # the agents' clients, closed at the end
            return await _run(database, settings, plan, options, wall, closing=closing)


def _plan(
    database: Database,
    settings: Settings,
    request: TradeRequest,
    options: TradeOptions,
    wall: Clock,
) -> TradePlan:
    """Steps 3 and 4 of the module docstring, up to the account being opened."""
    account = str(request.account)
    store = LedgerStore(database, wall)
    stored: StoredSession | None = None
    if request.resume:
        store.account(account)  # an unknown account: an error naming the known ones
        document = SqlBrokerJournal(database, wall).load_state(account, SESSION_STATE)
        if document is None:
            raise ValidationError(
                f"account {account!r} has no trading session to resume (trade made none on it)"
            )
        stored = read_session(document)
        request = resumed_request(stored.request, request, account)
    elif _has_session(database, wall, store, account):
        raise ValidationError(
            f"account {account!r} already has a trading history: add --resume to continue it, "
            "or name a new --account"
        )
    plan = build_plan(
        database,
        settings,
        request,
        account=account,
        clock=wall,
        stored=stored,
        config=options.config,
    )
    cash = decimal_from_float(plan.paper_config.initial_cash)
    info = store.open_account(account, mode=plan.mode, broker="paper", starting_cash=cash)
    if stored is None and info.starting_cash != cash:  # left by a start killed before step 4
        raise ValidationError(
            f"account {account!r} was opened with {info.starting_cash} of cash by a session "
            "that stopped before it began: trade it with that --cash, or name a new --account"
        )
    if stored is None:
        SqlBrokerJournal(database, wall).save_state(account, SESSION_STATE, plan.session.document())
    return plan


def _has_session(database: Database, wall: Clock, store: LedgerStore, account: str) -> bool:
    """Whether ``account`` exists with a stored session. An account without one was opened by
    a start that stopped (was killed) before storing its session: it traded nothing, and a new
    session may take it."""
    if not any(known.name == account for known in store.accounts()):
        return False
    return SqlBrokerJournal(database, wall).load_state(account, SESSION_STATE) is not None


async def _run(
    database: Database,
    settings: Settings,
    plan: TradePlan,
    options: TradeOptions,
    wall: Clock,
    *,
    closing: AsyncExitStack,
) -> TradeSummary:
    if plan.mode is TradingMode.PAPER:  # live bars: trademind.services.trade.paper
        from trademind.services.trade.paper import run_paper
        from trademind.services.trade.paper_parts import PaperParts

        parts = options.paper or PaperParts()
        return await run_paper(database, settings, plan, options, wall, parts, closing=closing)
    first = plan.session.start or wall.now()
    clock = ReplayClock(first, wall)
    journal = SqlBrokerJournal(database, clock, relaxed_commits=plan.mode is TradingMode.REPLAY)
    progress = ProgressJournal(journal)
    bus = options.bus or EventBus(clock=clock)
    spec = PaperBrokerSpec(
        config=plan.paper_config, journal=progress, publish=bus.publish, clock=clock
    )
    brokers = options.brokers or broker_factory()
    broker = cast("ResumableBroker", brokers.create_broker("paper", spec))
    groups = merge_in_time_order([bars_from_arrays(one, plan.timeframe) for one in plan.bars])
    live = LiveView(total=len(groups))
    runner = StrategyRunner(plan.setups)
    hook = SnapshotHook(journal, plan.account, on_snapshot(plan, live, options.on_step))
    safety, decider = safety_and_decisions(
        database,
        settings,
        plan,
        journal=journal,
        broker=broker,
        clock=clock,
        wall=wall,
        closing=closing,
        given=options.decision_extras,
        variant=options.variant,
    )
    start = _warm_up(groups, broker.resumed_from, (runner, decider), hook, plan.timeframe, clock)
    live.step = start
    loop_summary = None
    remaining = groups[start:]
    if remaining:
        bus.subscribe(OrderStatusChanged, live.order_changed)
        safety.subscribe(bus)
        decider.subscribe(bus)
        await safety.seed(broker, journal)
        limits = safety.entry_limits(plan.paper_config, journal)
        router = session_router(plan.paper_config, broker, bus.publish, safety.gate, limits)
        source = ReplaySource(
            _by_symbol(remaining),
            timeframe=plan.timeframe,
            clock=clock,
            speed=plan.speed,
            sleeper=None if plan.speed.is_max else (options.sleeper or AsyncioSleeper()),
        )
        block = MAX_STEPS if plan.speed.is_max else 1
        blocks = StepBlocks(broker, hook, clock.monotonic, max_steps=block)
        loop = TradingLoop(
            mode=plan.mode,
            source=source,
            broker=broker,
            router=router,
            strategies=runner,
            bus=bus,
            ledger=safety.hook(hook, hook_parts(plan, router, broker, journal)),
            decider=decider,
            step_scope=blocks.step,
            emergency=emergency_handler(safety.state, router, broker, progress),
        )
        try:
            loop_summary = await loop.run()
        finally:
            blocks.close()
    return await session_summary(plan, broker, journal, len(groups), loop_summary)


def _warm_up(  # noqa: PLR0917
    groups: Sequence[tuple[datetime, list[Bar]]],
    stopped: Progress | None,
    deciders: tuple[StrategyRunner, SessionDecisions],
    hook: SnapshotHook,
    timeframe: str,
    clock: ReplayClock,
) -> int:
    """Feed the strategies and the decision step (the orchestrator's indicator book) the
    batches a previous run processed; the index to go on from.

    A batch the venue closed is done (its snapshot is written when the crash came before it);
    one it only opened is replayed by the loop (the broker does not open it twice)."""
    if stopped is None:
        return 0
    length = bar_length(timeframe)
    runner, decider = deciders
    for index, (ts, bars) in enumerate(groups):
        if ts > stopped.bar_ts or (ts == stopped.bar_ts and not stopped.closed):
            return index
        closed_at = ts + length
        clock.set_time(closed_at)
        for bar in bars:
            runner.on_bar(bar, closed_at)
            decider.warm_up(bar)
        marks = {bar.symbol: decimal_from_float(bar.close) for bar in bars}
        if ts == stopped.bar_ts:
            hook.snapshot_if_missing(closed_at, marks)
            return index + 1
        hook.remember(marks)
    return len(groups)


def _by_symbol(groups: Sequence[tuple[datetime, list[Bar]]]) -> dict[str, list[Bar]]:
    series: dict[str, list[Bar]] = {}
    for _ts, bars in groups:
        for bar in bars:
            series.setdefault(bar.symbol, []).append(bar)
    return series
