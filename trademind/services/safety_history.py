"""`trademind safety backtest`: replay a strategy with and without the safety layer and report
what the safety layer did (docs/safety.md, "Safety on history").

:func:`safety_backtest`, in order (nothing in the user's ledger is written):

1. the request is checked (window, dates, strategy, parameters, symbols, cash: usage errors,
   exit 2, before any I/O);
2. the bars are chosen as ``backtest run``/``trade`` choose them
   (:func:`~trademind.services.backtest_data.prepare_data`: the stored bars, the bundled sample
   when a symbol has none stored) from :func:`~trademind.services.safety_windows.history_start`
   to the window's end; a window they do not cover is an error naming the missing range;
3. a sandbox database is made (:mod:`~trademind.services.safety_sandbox`) and the stored bars
   (and the benchmark symbol's, when stored) are copied into it;
4. two replays (``trade --mode replay --speed max``) run in it on the user's settings, one with
   ``safety.enabled`` true (account ``with-safety``), one with it false (``without-safety``),
   from :func:`~trademind.services.safety_windows.replay_plan`'s start to the window's end;
5. their snapshots, orders, fills and trading state changes are compared over the window
   (:mod:`~trademind.services.safety_history_report`); the sandbox is removed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from trademind.core.errors import UsageError, ValidationError
from trademind.data.schema import check_timeframe, normalise_symbols
from trademind.data.store import BarStore
from trademind.portfolio.journal import SqlBrokerJournal
from trademind.portfolio.store import LedgerStore
from trademind.safety.state_store import SafetyStateStore
from trademind.services.backtest_data import DataRequest, prepare_data
from trademind.services.backtest_service import strategy_params
from trademind.services.json_ready import json_fields
from trademind.services.safety_history_report import (
    Comparison,
    EquityPoint,
    EventFact,
    OrderFact,
    SessionRecord,
    Window,
    build_comparison,
)
from trademind.services.safety_sandbox import Sandbox, copy_bars, sandbox
from trademind.services.safety_windows import (
    ReplayPlan,
    Span,
    check_coverage,
    history_start,
    midnight,
    missing_range,
    replay_plan,
    resolve_span,
)
from trademind.services.trade import TradeOptions, TradeRequest, run_trade
from trademind.strategies.registry import get_strategy

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.core.clock import Clock
    from trademind.db.session import Database
    from trademind.strategies.base import Bars, ParamValue

WITH_SAFETY: Final = "with-safety"
WITHOUT_SAFETY: Final = "without-safety"
MAX_EVENTS: Final = 1_000_000
CASH_MAX: Final = 1e12


@dataclass(frozen=True)
class SafetyBacktestRequest:
    """One ``safety backtest`` command line (``params``: ``--param`` texts)."""

    strategy: str
    symbols: tuple[str, ...]
    window: str | None = None
    start: date | None = None
    end: date | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    cash: float | None = None
    timeframe: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyBacktestReport:
    """Both replays compared over the window (see the module docstrings)."""

    strategy: str
    params: dict[str, ParamValue]
    symbols: tuple[str, ...]
    timeframe: str
    window: str | None
    start: datetime
    end: datetime
    replay_start: datetime
    initial_cash: float
    comparison: Comparison
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return json_fields(self)


def check_request(request: SafetyBacktestRequest) -> tuple[Span, str, tuple[str, ...]]:
    """Step 1: the span, the strategy's name and the symbols (usage errors)."""
    span = resolve_span(request.window, request.start, request.end)
    name = get_strategy(request.strategy).name
    if not request.symbols:
        raise UsageError("name the symbols to replay: --symbols AAPL,MSFT")
    symbols = tuple(normalise_symbols(list(request.symbols)))
    cash = request.cash
    if cash is not None and not (math.isfinite(cash) and 0 < cash <= CASH_MAX):
        raise UsageError(f"--cash must be a positive amount, got {cash!r}")
    return span, name, symbols


def safety_backtest(
    database: Database, settings: Settings, request: SafetyBacktestRequest, *, clock: Clock
) -> SafetyBacktestReport:
    """Steps 1 to 5 of the module docstring."""
    span, name, symbols = check_request(request)
    params = strategy_params(settings, name, request.params)
    timeframe = check_timeframe(request.timeframe or settings.data.default_timeframe)
    warmup = get_strategy(name).warmup(params)
    since = history_start(span, settings.safety.var.lookback_days, warmup)
    bars, notices = _window_bars(database, settings, span, symbols, timeframe, since, clock)
    plan = replay_plan(span, bars, warmup)
    notices += [_short_warm_up(plan, warmup)] if plan.short_warm_up else []
    cash = request.cash if request.cash is not None else settings.backtest.initial_cash
    with sandbox() as box:
        benchmark = settings.safety.benchmark_symbol
        copied = (*symbols, *([benchmark] if benchmark is not None else []))
        copy_bars(database, box.database, copied, timeframe, midnight(since) if since else None)
        trade = TradeRequest(
            mode="replay",
            symbols=symbols,
            strategy=name,
            params=dict(request.params),
            start=plan.replay_start.date(),
            end=(plan.report_end.date() if span.end is None else span.end),
            timeframe=timeframe,
            cash=cash,
        )
        on, off = (_session(box, settings, trade, enabled, clock) for enabled in (True, False))
    window = Window(start=plan.report_start, end=plan.report_end)
    comparison = build_comparison(on, off, window)
    if comparison.events_before_window:
        notices.append(
            f"{comparison.events_before_window} trading state change(s) came during the "
            "warm-up, before the window (not reported)"
        )
    return SafetyBacktestReport(
        strategy=name,
        params=dict(params),
        symbols=symbols,
        timeframe=timeframe,
        window=span.name,
        start=plan.report_start,
        end=plan.report_end,
        replay_start=plan.replay_start,
        initial_cash=float(cash),
        comparison=comparison,
        notices=tuple(notices),
    )


def _window_bars(  # noqa: PLR0917 - the request's parts, resolved
    database: Database,
    settings: Settings,
    span: Span,
    symbols: Sequence[str],
    timeframe: str,
    since: date | None,
    clock: Clock,
) -> tuple[tuple[Bars, ...], list[str]]:
    """Step 2: the bars from ``since`` to the span's end, covering the span."""
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


def _short_warm_up(plan: ReplayPlan, warmup: int) -> str:
    return (
        f"{', '.join(plan.short_warm_up)}: fewer than the strategy's {warmup} warm-up bars are "
        "stored before the window, so its first signal comes later than the window's start"
    )


def _session(
    box: Sandbox, settings: Settings, request: TradeRequest, enabled: bool, clock: Clock
) -> SessionRecord:
    """Step 4 for one run: the replay in the sandbox, read back."""
    account = WITH_SAFETY if enabled else WITHOUT_SAFETY
    chosen = settings.model_copy(
        update={
            "safety": settings.safety.model_copy(update={"enabled": enabled}),
            "database": settings.database.model_copy(update={"url": box.url}),
            "app": settings.app.model_copy(update={"data_dir": box.folder}),
        }
    )
    trade = replace(request, account=account)
    run_trade(box.database, chosen, trade, TradeOptions(clock=clock, data_dir=box.folder))
    return _record(box.database, account, enabled, clock)


def _record(database: Database, account: str, enabled: bool, clock: Clock) -> SessionRecord:
    """What the replay of ``account`` left in the sandbox ledger."""
    info = LedgerStore(database, clock).account(account)
    journal = SqlBrokerJournal(database, clock)
    points = LedgerStore(database, clock).snapshots(info)
    changes = SafetyStateStore(database, clock).events(info.id, limit=MAX_EVENTS)
    return SessionRecord(
        safety=enabled,
        initial_cash=float(info.starting_cash),
        points=tuple(EquityPoint(p.ts, float(p.equity)) for p in points),
        orders=tuple(
            OrderFact(
                at=s.submitted_at, symbol=s.order.symbol, status=s.status.value, reason=s.reason
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
    )
