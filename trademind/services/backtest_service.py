"""Backtest use cases: run one strategy, store the run, read stored runs back.

:func:`run` prepares the bars (:mod:`trademind.services.backtest_data`: symbols, window, the bundled
sample when nothing is stored), resolves the parameters (the configured ``strategies.<name>`` values
overlaid with ``--param name=value``, each checked against the declaration), builds the engine
config from the ``backtest`` settings with ``--slippage`` and ``--commission``
(:mod:`trademind.services.backtest_options.costs`), runs the native engine or backtrader, and stores
every run in ``backtest_runs`` (a run whose engine raises is stored as ``failed`` with its error,
then the error goes on to the caller). Everything is checked before anything runs: what the command
line got wrong (an unknown strategy, engine or parameter, a parameter value out of range or of the
wrong type, a malformed ``--param``/cost/sizing/order text) is a
:class:`~trademind.core.errors.UsageError` (exit 2); what the request could not be carried out with
(a symbol without data, a window outside the data, too little history for the warm-up, parameters in
the configuration file that do not fit together) is a
:class:`~trademind.core.errors.ValidationError` (exit 1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, Literal

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.research.runner import RunResult, RunSpec, compute_signals, measure
from trademind.config import Settings
from trademind.core.clock import Clock
from trademind.core.errors import UsageError, ValidationError
from trademind.db.backtest_runs import BacktestRunRepository, RunRecord
from trademind.services.backtest_data import DataRequest, PreparedData, prepare_data
from trademind.services.backtest_options.costs import parse_commission, parse_slippage
from trademind.services.backtest_options.execution import parse_execution
from trademind.services.backtest_queries import RunRow, run_row, summaries
from trademind.services.backtest_records import (
    completed_record,
    failed_record,
    run_config,
    run_view,
)
from trademind.services.backtest_views import RunView
from trademind.services.json_ready import to_json
from trademind.strategies.registry import configured_params, get_strategy, resolve

if TYPE_CHECKING:
    from datetime import datetime

    from trademind.backtest.engine.outcome import BacktestOutcome
    from trademind.db.session import Database
    from trademind.strategies.base import Bars, ParamValue, Signals

Engine = Literal["native", "backtrader"]
ENGINES: Final = ("native", "backtrader")
Progress = Callable[[int, int, str], None]
"""Called as ``progress(done, total, what)`` as the work goes on."""
Publish = Callable[[RunRecord, PreparedData], None]
"""Called with a completed run's record (id set) and its data before the run is committed
(``--report`` writes the report there)."""
EngineRun = Callable[["Sequence[Bars]", "Sequence[Signals]", "BacktestConfig"], "BacktestOutcome"]
"""An engine's entry point: bars, signals and config in, the outcome out."""


class RequestError(UsageError):
    """A request the command line can refuse by itself, before any data is read (a usage
    error: exit 2), e.g. a sweep whose every combination the strategy rejects."""


@dataclass(frozen=True)
class RunRequest:
    """One backtest as asked on the command line."""

    strategy: str
    data: DataRequest
    params: Mapping[str, str] = field(default_factory=dict)
    slippage: str | None = None
    commission: str | None = None
    engine: str = "native"
    name: str | None = None
    execution: Mapping[str, str | None] = field(default_factory=dict)
    """Sizing, exits and entry order texts by :data:`~trademind.services.backtest_options.execution.
    EXECUTION_KEYS` (``--sizing fraction:10%`` is ``{"sizing": "fraction:10%"}``)."""


@dataclass(frozen=True, eq=False, slots=True, kw_only=True)
class RunReport:
    """A stored run: its id, the record, the engine's result and the data it ran on."""

    run_id: int
    record: RunRecord
    result: RunResult
    data: PreparedData

    @property
    def view(self) -> RunView:
        return run_view(self.record)

    def to_json(self) -> dict[str, Any]:
        return to_json(self.view)  # type: ignore[no-any-return]


def parse_assignments(texts: Sequence[str], option: str = "--param") -> dict[str, str]:
    """``["fast=10", "slow=30"]`` as ``{"fast": "10", "slow": "30"}``; a text without ``=``
    or a name given twice is a UsageError naming it."""
    given: dict[str, str] = {}
    for text in texts:
        name, has_value, value = text.partition("=")
        name = name.strip().replace("-", "_")
        if not has_value or not name or not value.strip():
            raise UsageError(f"{option} {text!r}: expected name=value, e.g. {option} fast=10")
        if name in given:
            raise UsageError(f"{option}: {name} is given twice")
        given[name] = value.strip()
    return given


def strategy_params(
    settings: Settings, strategy: str, overrides: Mapping[str, object] | None = None
) -> dict[str, ParamValue]:
    """The configured ``strategies.<name>`` values overlaid with ``overrides`` (from the
    command line), validated: configured values that do not fit together are a ValidationError
    (the file is broken, exit 1); overrides that are unknown, out of range or do not fit the
    others are a UsageError (exit 2)."""
    name = get_strategy(strategy).name
    configured = configured_params(settings, name)
    if not overrides:
        return configured
    try:
        return resolve(name, {**configured, **dict(overrides)})
    except ValidationError as exc:
        raise UsageError(str(exc)) from None


def engine_config(
    settings: Settings,
    *,
    slippage: str | None = None,
    commission: str | None = None,
    execution: Mapping[str, str | None] | None = None,
) -> BacktestConfig:
    """The ``backtest`` settings with the ``--slippage``/``--commission`` texts and the
    sizing, exit and order texts of ``execution`` applied."""
    overrides: dict[str, Any] = {**parse_execution(execution or {})}
    if slippage is not None:
        overrides["slippage"] = parse_slippage(slippage)
    if commission is not None:
        overrides["commission"] = parse_commission(commission)
    return BacktestConfig.from_settings(settings.backtest, **overrides)


def check_engine(engine: str) -> Engine:
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}: use native or backtrader")
    return "backtrader" if engine == "backtrader" else "native"


def run_spec(settings: Settings, request: RunRequest) -> RunSpec:
    """The resolved spec of ``request`` (strategy, parameters, engine config)."""
    params = strategy_params(settings, request.strategy, request.params)
    config = engine_config(
        settings,
        slippage=request.slippage,
        commission=request.commission,
        execution=request.execution,
    )
    name = get_strategy(request.strategy).name
    return RunSpec(name, params, config, settings.backtest.risk_free_rate)


def _engine_function(engine: Engine, config: BacktestConfig) -> EngineRun:
    """The engine's entry point; backtrader's refusals and absence are raised here, before
    anything runs."""
    if engine == "native":
        from trademind.backtest.engine.run import run_backtest

        return run_backtest
    from trademind.backtest.reference.backtrader_engine import (
        check_supported,
        import_backtrader,
        run_backtrader,
    )

    check_supported(config)  # what backtrader cannot reproduce is refused first, installed or not
    import_backtrader()
    return run_backtrader


def _store(
    database: Database,
    record: RunRecord,
    data: PreparedData,
    publish: Publish | None = None,
) -> int:
    """Store ``record``; ``publish`` (given the record with its id) runs inside the same
    transaction, so when it fails the run is not stored either."""
    with database.session() as session:
        run_id = BacktestRunRepository(session).add(record)
        if publish is not None:
            publish(replace(record, id=run_id), data)
        return run_id


def execute(
    database: Database,
    data: PreparedData,
    spec: RunSpec,
    *,
    engine: Engine = "native",
    name: str | None = None,
    notices: Sequence[str] = (),
    engine_run: EngineRun | None = None,
    publish: Publish | None = None,
    clock: Clock,
) -> RunReport:
    """Run ``spec`` on ``data`` with ``engine`` and store the run (failed runs too), stamped
    with ``clock``'s time when it started and finished.

    ``engine_run`` replaces the engine's entry point (a test's stand-in engine); ``publish``
    sees a completed run before it is committed: when it raises, nothing is stored."""
    started_at: datetime = clock.now()
    spec = spec.resolved()
    engine_run = engine_run or _engine_function(engine, spec.config)
    signals = compute_signals(data.bars, spec)  # too little history: an error, nothing stored
    try:
        result = measure(data.bars, engine_run(data.bars, signals, spec.config), spec)
    except Exception as exc:
        config = run_config(
            spec.config, data, engine=engine, risk_free_rate=spec.risk_free_rate, notices=notices
        )
        failed = failed_record(
            spec.strategy,
            spec.params,
            config,
            data,
            error=exc,
            name=name,
            started_at=started_at,
            finished_at=clock.now(),
        )
        _store(database, failed, data)
        raise
    if len(result.outcome.log) == 0:
        notices = [*notices, "the strategy made no trades in this period"]
    record = completed_record(
        result,
        data,
        engine=engine,
        notices=notices,
        name=name,
        started_at=started_at,
        finished_at=clock.now(),
    )
    run_id = _store(database, record, data, publish)
    return RunReport(run_id=run_id, record=replace(record, id=run_id), result=result, data=data)


def run(
    database: Database,
    settings: Settings,
    request: RunRequest,
    *,
    progress: Progress | None = None,
    publish: Publish | None = None,
    clock: Clock,
) -> RunReport:
    """Prepare the data, run the backtest and store it (see the module docstring);
    ``publish`` as in :func:`execute`."""
    engine = check_engine(request.engine)
    spec = run_spec(settings, request)  # bad strategy, parameter or cost text: before any I/O
    step = progress or (lambda done, total, what: None)
    step(0, 3, "loading bars")
    data = prepare_data(database, settings, request.data, clock=clock)
    step(1, 3, f"running {spec.strategy} ({engine})")
    report = execute(
        database,
        data,
        spec,
        engine=engine,
        name=request.name,
        notices=data.notices,
        publish=publish,
        clock=clock,
    )
    step(3, 3, "done")
    return report


def get_run(database: Database, run_id: int) -> RunRecord:
    """The stored run ``run_id`` (a ValidationError naming it when there is none)."""
    with database.session() as session:
        return BacktestRunRepository(session).get(run_id)


def run_details(database: Database, run_id: int, *, curve: bool = False) -> RunView:
    """A stored run (``backtest results``, ``export --format json``)."""
    return run_view(get_run(database, run_id), curve=curve)


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategyPerformance:
    """What the stored backtests of one strategy say (``strategies performance``)."""

    strategy: str
    runs: int
    """Completed runs."""
    failed_runs: int
    best_sharpe: float | None
    best_sharpe_run_id: int | None
    mean_sharpe: float | None
    mean_total_return: float | None
    last_run: RunRow | None
    """The newest completed run."""


def strategy_performance(database: Database, strategy: str) -> StrategyPerformance:
    """Run counts, best and mean Sharpe ratio, mean total return and the latest run of the
    stored backtests of ``strategy``."""
    name = get_strategy(strategy).name
    rows = [run_row(row) for row in summaries(database, limit=None, strategy=name)]
    completed = [row for row in rows if row.status == "completed"]
    rated = [row for row in completed if row.sharpe is not None]
    best = max(rated, key=lambda row: float(row.sharpe or 0.0), default=None)
    returns = [float(row.total_return) for row in completed if row.total_return is not None]
    return StrategyPerformance(
        strategy=name,
        runs=len(completed),
        failed_runs=len(rows) - len(completed),
        best_sharpe=None if best is None else best.sharpe,
        best_sharpe_run_id=None if best is None else best.id,
        mean_sharpe=_mean([float(row.sharpe or 0.0) for row in rated]),
        mean_total_return=_mean(returns),
        last_run=completed[0] if completed else None,
    )


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None
