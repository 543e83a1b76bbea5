"""`trademind safety backtest`: replay a strategy with and without the safety layer and report
what the safety layer did (docs/safety.md, "Safety on history").

:func:`safety_backtest`, in order (nothing in the user's ledger is written):

1. the request is checked (window, dates, strategy, parameters, symbols, cash: usage errors,
   exit 2, before any I/O);
2. the bars are chosen and the replay planned (warm-up before the window), and
3. a sandbox database is made and the stored bars copied into it, as
   :mod:`~trademind.services.safety_replay` does for `safety validate` too;
4. two replays (``trade --mode replay --speed max``) run in it on the user's settings, one with
   ``safety.enabled`` true (account ``with-safety``), one with it false (``without-safety``),
   from :func:`~trademind.services.safety_windows.replay_plan`'s start to the window's end;
5. their snapshots, orders, fills and trading state changes are compared over the window
   (:mod:`~trademind.services.safety_history_report`); the sandbox is removed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from trademind.core.errors import UsageError
from trademind.data.schema import check_timeframe, normalise_symbols
from trademind.services.backtest_service import strategy_params
from trademind.services.json_ready import json_fields
from trademind.services.safety_history_report import Comparison, Window, build_comparison
from trademind.services.safety_replay import ReplaySetup, prepare_replay, replay_sessions
from trademind.services.safety_windows import Span, resolve_span
from trademind.strategies.registry import get_strategy

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.core.clock import Clock
    from trademind.db.session import Database
    from trademind.strategies.base import ParamValue

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
    cash = request.cash if request.cash is not None else settings.backtest.initial_cash
    setup = ReplaySetup(
        strategy=name,
        params=request.params,
        symbols=symbols,
        timeframe=check_timeframe(request.timeframe or settings.data.default_timeframe),
        span=span,
        cash=cash,
    )
    prepared = prepare_replay(database, settings, setup, get_strategy(name).warmup(params), clock)
    plan, notices = prepared.plan, list(prepared.notices)
    on, off = replay_sessions(database, settings, setup, prepared, (True, False), clock)
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
        timeframe=setup.timeframe,
        window=span.name,
        start=plan.report_start,
        end=plan.report_end,
        replay_start=plan.replay_start,
        initial_cash=float(cash),
        comparison=comparison,
        notices=tuple(notices),
    )
