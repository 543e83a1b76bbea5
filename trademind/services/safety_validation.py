"""`trademind safety validate`: may this strategy, with these parameters, trade on paper?

It measures the strategy as the account would trade it (docs/safety.md, "Validating a
strategy"):

1. the request is checked (strategy, parameters, simulations, dates: usage errors first);
2. the window: ``--start``/``--end``, by default the :data:`DEFAULT_YEARS` years up to the last
   stored bar of the symbols (the bundled sample's when none is stored; a shorter history: from
   its first bar) (:func:`validation_span`);
3. one replay (``trade --mode replay --speed max``) of the strategy in a sandbox database, with
   ``safety.enabled`` as the settings have it (:mod:`~trademind.services.safety_replay`, shared
   with `safety backtest`; the warm-up before the window);
4. its figures and checks (:mod:`~trademind.services.safety_validation_checks`);
5. the validation is stored (``strategy_validations``); the paper-mode gate reads the latest one
   of the strategy with the same parameters (:func:`params_key`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from trademind.backtest.analytics.montecarlo import MAX_RUNS
from trademind.core.errors import UsageError
from trademind.data.providers.sample import SampleProvider
from trademind.data.schema import check_timeframe, normalise_symbols
from trademind.data.store import BarStore
from trademind.db.strategy_validations import ValidationRecord, ValidationRepository
from trademind.services.backtest_data import DataRequest, prepare_data
from trademind.services.backtest_service import strategy_params
from trademind.services.json_ready import json_fields
from trademind.services.safety_history_report import Window
from trademind.services.safety_replay import ReplaySetup, prepare_replay, replay_sessions
from trademind.services.safety_validation_checks import Check, Figures, judge, measure
from trademind.services.safety_windows import Span, resolve_span
from trademind.services.trade.validation_gate import params_key
from trademind.strategies.registry import get_strategy, resolve

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.core.clock import Clock
    from trademind.db.session import Database
    from trademind.strategies.base import Bars, ParamValue

DEFAULT_SIMULATIONS: Final = 1000
DEFAULT_YEARS: Final = 3


@dataclass(frozen=True)
class ValidateRequest:
    strategy: str
    symbols: tuple[str, ...] = ()
    params: Mapping[str, str] = field(default_factory=dict)
    simulations: int = DEFAULT_SIMULATIONS
    seed: int = 0
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationView:
    id: int
    strategy: str
    params: dict[str, ParamValue]
    params_hash: str
    symbols: tuple[str, ...]
    validated_at: datetime
    passed: bool
    measurement: str
    checks: tuple[Check, ...]
    figures: Figures
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return json_fields(self)


def check_request(request: ValidateRequest) -> str:
    """Usage errors before any I/O; the strategy's name."""
    if not 1 <= request.simulations <= MAX_RUNS:
        raise UsageError(
            f"--simulations must be between 1 and {MAX_RUNS}, got {request.simulations}"
        )
    resolve_span(None, request.start, request.end)  # an end before the start
    return get_strategy(request.strategy).name


def default_symbols(database: Database, timeframe: str) -> tuple[str, ...]:
    """Every symbol stored at ``timeframe``; none stored: the bundled sample's."""
    stored = [symbol for symbol, frame in BarStore(database).symbols() if frame == timeframe]
    return tuple(stored) if stored else tuple(SampleProvider().available_symbols())


def _day(ns: int) -> date:
    return datetime.fromtimestamp(ns / 1e9, UTC).date()


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def default_start(series: Sequence[Bars], end: date | None) -> date:
    """:data:`DEFAULT_YEARS` years before ``end`` (else the last bar), not before the latest
    first bar of the symbols."""
    last = end or max(_day(int(one.ts[-1])) for one in series)
    first = max(_day(int(one.ts[0])) for one in series)
    return max(years_before(last, DEFAULT_YEARS), first)


def validation_span(  # noqa: PLR0917 - the request's parts, resolved
    database: Database,
    settings: Settings,
    request: ValidateRequest,
    symbols: tuple[str, ...],
    timeframe: str,
    clock: Clock,
) -> tuple[Span, list[str]]:
    """Step 2: the window, and the notices of loading the bars to find it."""
    if request.start is not None:
        return Span(name=None, start=request.start, end=request.end), []
    asked = DataRequest(symbols=list(symbols), end=request.end, timeframe=timeframe)
    data = prepare_data(database, settings, asked, clock=clock)
    start = default_start(data.bars, request.end)
    return Span(name=None, start=start, end=request.end), list(data.notices)


def validate(
    database: Database, settings: Settings, request: ValidateRequest, *, clock: Clock
) -> ValidationView:
    """Steps 1 to 5 of the module docstring."""
    name = check_request(request)
    params = resolve(name, strategy_params(settings, name, request.params))
    timeframe = check_timeframe(settings.data.default_timeframe)
    symbols = (
        tuple(normalise_symbols(list(request.symbols)))
        if request.symbols
        else default_symbols(database, timeframe)
    )
    span, loaded = validation_span(database, settings, request, symbols, timeframe, clock)
    setup = ReplaySetup(
        strategy=name,
        params=request.params,
        symbols=symbols,
        timeframe=timeframe,
        span=span,
        cash=settings.backtest.initial_cash,
    )
    prepared = prepare_replay(database, settings, setup, get_strategy(name).warmup(params), clock)
    enabled = settings.safety.enabled
    (record,) = replay_sessions(database, settings, setup, prepared, (enabled,), clock)
    window = Window(start=prepared.plan.report_start, end=prepared.plan.report_end)
    figures = measure(record, window, request.simulations, request.seed)
    checks = judge(figures, settings.safety)
    notices = tuple(dict.fromkeys((*loaded, *prepared.notices)))
    return _store(database, name, dict(params), symbols, figures, checks, notices, clock)


def _store(  # noqa: PLR0917 - the validation's parts
    database: Database,
    name: str,
    params: dict[str, ParamValue],
    symbols: tuple[str, ...],
    figures: Figures,
    checks: tuple[Check, ...],
    notices: tuple[str, ...],
    clock: Clock,
) -> ValidationView:
    """Step 5: the row, and the view of it."""
    passed = all(check.verdict != "fail" for check in checks)
    record = ValidationRecord(
        strategy=name,
        params_hash=params_key(name, params),
        params=params,
        symbols=symbols,
        validated_at=clock.now(),
        passed=passed,
        reasons=tuple(json_fields(check) for check in checks),
        figures=json_fields(figures),
    )
    stored = ValidationRepository(database).add(record)
    return ValidationView(
        id=stored,
        strategy=name,
        params=params,
        params_hash=record.params_hash,
        symbols=symbols,
        validated_at=record.validated_at,
        passed=passed,
        measurement=figures.measurement,
        checks=checks,
        figures=figures,
        notices=notices,
    )


def window_text(figures: Figures) -> str:
    """``2021-01-02 to 2023-12-29`` (the window's last day included)."""
    last = figures.window_end - timedelta(days=1)
    return f"{figures.window_start:%Y-%m-%d} to {last:%Y-%m-%d}"


__all__ = ["ValidateRequest", "ValidationView", "params_key", "validate"]
