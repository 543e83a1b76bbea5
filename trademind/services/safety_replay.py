"""Replaying a strategy through ``trade --mode replay --speed max`` in a sandbox database: the
part `safety backtest` (:mod:`~trademind.services.safety_history`, two replays: with and
without the safety layer) and `safety validate` (:mod:`~trademind.services.safety_validation`,
one replay as the account trades) share.

1. :func:`window_bars`: the bars, chosen as ``backtest run``/``trade`` choose them
   (:func:`~trademind.services.backtest_data.prepare_data`: the stored bars, the bundled sample
   when a symbol has none stored) from :func:`~trademind.services.safety_windows.history_start`
   to the span's end; a span they do not cover is an error naming the missing range;
2. :func:`prepare_replay`: those bars and the replay's plan
   (:func:`~trademind.services.safety_windows.replay_plan`: the warm-up before the window);
3. :func:`replay_sessions`: a sandbox database (:mod:`~trademind.services.safety_sandbox`)
   holding copies of the stored bars (and the benchmark symbol's, when stored), one replay per
   requested ``safety.enabled`` value on the user's settings (account ``with-safety`` or
   ``without-safety``), each read back as a :class:`SessionRecord`; the sandbox is removed.
   :func:`replay_runs` is the general form (any accounts, each on its own settings, read back
   as the caller wants): `ab run` replays its two variants with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Final

from trademind.core.errors import ValidationError
from trademind.core.orders import OrderSide
from trademind.data.store import BarStore
from trademind.portfolio.journal import SqlBrokerJournal
from trademind.portfolio.store import LedgerStore
from trademind.safety.state_store import SafetyStateStore
from trademind.services.backtest_data import DataRequest, prepare_data
from trademind.services.safety_history_report import (
    EquityPoint,
    EventFact,
    OrderFact,
    SessionRecord,
)
from trademind.services.safety_sandbox import Sandbox, copy_bars, copy_news, sandbox
from trademind.services.safety_windows import (
    ReplayPlan,
    Span,
    check_coverage,
    history_start,
    midnight,
    missing_range,
    replay_plan,
)
from trademind.services.trade import TradeOptions, TradeRequest, run_trade
from trademind.strategies.registry import get_strategy

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.core.clock import Clock
    from trademind.db.session import Database
    from trademind.strategies.base import Bars

WITH_SAFETY: Final = "with-safety"
WITHOUT_SAFETY: Final = "without-safety"
MAX_EVENTS: Final = 1_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaySetup:
    """What to replay: the strategy (its name), its ``--param`` texts, the symbols, the
    timeframe, the span and the starting cash."""

    strategy: str
    params: Mapping[str, str]
    symbols: tuple[str, ...]
    timeframe: str
    span: Span
    cash: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedReplay:
    """The replay's plan, the first day of the bars copied and the notices so far."""

    plan: ReplayPlan
    since: date | None
    notices: tuple[str, ...]


def prepare_replay(
    database: Database,
    settings: Settings,
    setup: ReplaySetup,
    warmup: int,
    clock: Clock,
) -> PreparedReplay:
    """Steps 1 and 2 of the module docstring (``warmup``: the strategy's warm-up bars)."""
    since = history_start(setup.span, settings.safety.var.lookback_days, warmup)
    bars, notices = window_bars(database, settings, setup, since, clock)
    plan = replay_plan(setup.span, bars, warmup)
    if plan.short_warm_up:
        notices.append(short_warm_up(plan, warmup))
    return PreparedReplay(plan=plan, since=since, notices=tuple(notices))


def window_bars(
    database: Database, settings: Settings, setup: ReplaySetup, since: date | None, clock: Clock
) -> tuple[tuple[Bars, ...], list[str]]:
    """Step 1: the bars from ``since`` to the span's end, covering the span."""
    span, symbols, timeframe = setup.span, setup.symbols, setup.timeframe
    asked = DataRequest(symbols=list(symbols), start=since, end=span.end, timeframe=timeframe)
    try:
        data = prepare_data(database, settings, asked, clock=clock)
    except ValidationError:
        _raise_if_not_covered(database, span, symbols, timeframe, since)
        raise
    check_coverage(span, data.bars, timeframe, since)
    notices = [n for n in data.notices if "stored bars begin" not in n]  # the history's start
    return data.bars, [n for n in notices if "stored bars end" not in n]


def _raise_if_not_covered(
    database: Database, span: Span, symbols: Sequence[str], timeframe: str, since: date | None
) -> None:
    """A window wholly outside the stored bars: the missing range, not "no bars between"."""
    store = BarStore(database)
    for symbol in symbols:
        coverage = store.coverage(symbol, timeframe)
        if coverage is not None:
            outside = (span.end is not None and midnight(span.end) < coverage.first) or (
                span.start is not None and midnight(span.start) > coverage.last
            )
            if outside:
                raise missing_range(span, symbol, timeframe, coverage.first, coverage.last, since)


def short_warm_up(plan: ReplayPlan, warmup: int) -> str:
    return (
        f"{', '.join(plan.short_warm_up)}: fewer than the strategy's {warmup} warm-up bars are "
        "stored before the window, so its first signal comes later than the window's start"
    )


def replay_sessions(  # noqa: PLR0917 - the replay's inputs
    database: Database,
    settings: Settings,
    setup: ReplaySetup,
    prepared: PreparedReplay,
    safety: Sequence[bool],
    clock: Clock,
) -> tuple[SessionRecord, ...]:
    """Step 3: one replay per value of ``safety`` (``safety.enabled``), in that order."""
    runs = [
        SandboxRun(
            account=WITH_SAFETY if enabled else WITHOUT_SAFETY,
            settings=settings.model_copy(
                update={"safety": settings.safety.model_copy(update={"enabled": enabled})}
            ),
        )
        for enabled in safety
    ]
    return replay_runs(
        database,
        settings,
        setup,
        prepared,
        runs,
        clock,
        lambda box, run: read_record(box.database, run.account, run.settings.safety.enabled, clock),
    )


@dataclass(frozen=True, slots=True)
class SandboxRun:
    """One replay in the sandbox: its account, the settings it trades on and the A/B variant
    its decisions are tagged with (None: none)."""

    account: str
    settings: Settings
    variant: str | None = None


def replay_runs[T](  # noqa: PLR0917 - the replay's inputs
    database: Database,
    settings: Settings,
    setup: ReplaySetup,
    prepared: PreparedReplay,
    runs: Sequence[SandboxRun],
    clock: Clock,
    read: Callable[[Sandbox, SandboxRun], T],
    on_ready: Callable[[Sandbox], None] | None = None,
) -> tuple[T, ...]:
    """One sandbox holding copies of the stored bars of the symbols (and of ``settings``'
    benchmark symbol) and of their stored news (``on_ready`` may add more before the first
    replay); each of ``runs`` replays the same bars in it, in order, and is read back by
    ``read`` right after it ran. The sandbox is removed."""
    get_strategy(setup.strategy)  # an unknown name fails before the sandbox is made
    plan, span = prepared.plan, setup.span
    since = midnight(prepared.since) if prepared.since else None
    with sandbox() as box:
        benchmark = settings.safety.benchmark_symbol
        copied = (*setup.symbols, *([benchmark] if benchmark else []))
        copy_bars(database, box.database, copied, setup.timeframe, since)
        copy_news(database, box.database, setup.symbols)
        if on_ready is not None:
            on_ready(box)
        trade = TradeRequest(
            mode="replay",
            symbols=setup.symbols,
            strategy=setup.strategy,
            params=dict(setup.params),
            start=plan.replay_start.date(),
            end=(plan.report_end.date() if span.end is None else span.end),
            timeframe=setup.timeframe,
            cash=setup.cash,
        )
        results: list[T] = []
        for run in runs:
            _session(box, run, trade, clock)
            results.append(read(box, run))
        return tuple(results)


def _session(box: Sandbox, run: SandboxRun, request: TradeRequest, clock: Clock) -> None:
    """One replay in the sandbox, on ``run``'s settings pointed at the sandbox."""
    settings = run.settings
    chosen = settings.model_copy(
        update={
            "database": settings.database.model_copy(update={"url": box.url}),
            "app": settings.app.model_copy(update={"data_dir": box.folder}),
        }
    )
    trade = replace(request, account=run.account)
    options = TradeOptions(clock=clock, data_dir=box.folder, variant=run.variant)
    run_trade(box.database, chosen, trade, options)


def read_record(database: Database, account: str, enabled: bool, clock: Clock) -> SessionRecord:
    """What the replay of ``account`` left in the sandbox ledger."""
    store = LedgerStore(database, clock)
    info = store.account(account)
    journal = SqlBrokerJournal(database, clock)
    changes = SafetyStateStore(database, clock).events(info.id, limit=MAX_EVENTS)
    return SessionRecord(
        safety=enabled,
        initial_cash=float(info.starting_cash),
        points=tuple(EquityPoint(p.ts, float(p.equity)) for p in store.snapshots(info)),
        orders=tuple(
            OrderFact(
                at=s.submitted_at,
                symbol=s.order.symbol,
                status=s.status.value,
                reason=s.reason,
                entry=s.order.side is OrderSide.BUY,
            )
            for s in journal.load_orders(account)
        ),
        fill_times=tuple(fill.ts for fill in journal.load_fills(account)),
        events=tuple(
            EventFact(
                at=c.at,
                event=c.event.value,
                actor=c.actor,
                from_state=c.from_state.value,
                to_state=c.to_state.value,
                reason=c.reason,
                details=dict(c.details),
            )
            for c in reversed(changes)
        ),
        round_trip_exits=tuple(trip.exit_time for trip in journal.ledger(account).round_trips),
    )
