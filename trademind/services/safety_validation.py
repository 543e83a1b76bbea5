"""`trademind safety validate`: may this strategy, with these parameters, trade on paper?

A backtest of the strategy over the stored bars (``backtest run``'s service: the bundled sample
when nothing is stored; stored in ``backtest_runs``) gives the daily returns of its equity.
They are bootstrapped ``simulations`` times (seeded; the trade-order bootstrap of
:mod:`trademind.backtest.analytics.montecarlo` run on daily returns) for the 95th-percentile
maximum drawdown. The checks (docs/safety.md, "Validating a strategy"):

- ``trades``: at least :data:`MIN_TRADES` closed trades, or the figures mean little (fail);
- ``drawdown``: the 95th-percentile drawdown within ``safety.circuit_breaker.max_drawdown``;
- ``worst_day``: the worst daily loss within ``safety.daily_loss_limit``;
- ``position_size`` / ``order_value``: the median entry as a fraction of equity and in dollars
  within ``safety.max_position_size`` / ``safety.max_order_value``; above them is a ``note``
  (the safety layer's risk sizing caps such entries) while ``safety.enabled`` is true and a
  failure when it is false (nothing would cap them).

Every validation is stored (``strategy_validations``); the paper-mode gate reads the latest
one of the strategy with the same parameters (:func:`params_key`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

from trademind.backtest.analytics.montecarlo import MAX_RUNS, bootstrap_trades
from trademind.core.errors import UsageError, ValidationError
from trademind.data.providers.sample import SampleProvider
from trademind.data.schema import check_timeframe, normalise_symbols
from trademind.data.store import BarStore
from trademind.db.strategy_validations import ValidationRecord, ValidationRepository
from trademind.services.backtest_data import DataRequest
from trademind.services.backtest_service import RunRequest, run, strategy_params
from trademind.services.json_ready import json_fields
from trademind.strategies.registry import get_strategy, resolve

if TYPE_CHECKING:
    from trademind.backtest.engine.outcome import BacktestOutcome
    from trademind.config import Settings
    from trademind.config.sections_trading import SafetySettings
    from trademind.core.clock import Clock
    from trademind.db.session import Database
    from trademind.strategies.base import ParamValue

MIN_TRADES: Final = 10
DEFAULT_SIMULATIONS: Final = 1000
DRAWDOWN_PERCENTILE: Final = 95.0
Verdict = Literal["pass", "fail", "note"]
Floats = np.ndarray[Any, np.dtype[np.float64]]


def params_key(strategy: str, params: Mapping[str, object]) -> str:
    """The key of a strategy with its parameters (resolved: defaults filled in)."""
    name = get_strategy(strategy).name
    resolved = resolve(name, dict(params))
    text = json.dumps({"strategy": name, "params": resolved}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ValidateRequest:
    strategy: str
    symbols: tuple[str, ...] = ()
    params: Mapping[str, str] = field(default_factory=dict)
    simulations: int = DEFAULT_SIMULATIONS
    seed: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    name: str
    verdict: Verdict
    value: float | None
    limit: float | None
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    trades: int
    drawdown_p95: float
    max_drawdown: float
    worst_day: float
    median_position_fraction: float | None
    median_order_value: float | None
    simulations: int
    seed: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationView:
    id: int
    strategy: str
    params: dict[str, ParamValue]
    params_hash: str
    symbols: tuple[str, ...]
    validated_at: datetime
    passed: bool
    checks: tuple[Check, ...]
    figures: Figures
    backtest_run_id: int
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return json_fields(self)


def check_request(request: ValidateRequest) -> str:
    """Usage errors before any I/O; the strategy's name."""
    if not 1 <= request.simulations <= MAX_RUNS:
        raise UsageError(
            f"--simulations must be between 1 and {MAX_RUNS}, got {request.simulations}"
        )
    return get_strategy(request.strategy).name


def default_symbols(database: Database, timeframe: str) -> tuple[str, ...]:
    """Every symbol stored at ``timeframe``; none stored: the bundled sample's."""
    stored = [symbol for symbol, frame in BarStore(database).symbols() if frame == timeframe]
    return tuple(stored) if stored else tuple(SampleProvider().available_symbols())


def validate(
    database: Database, settings: Settings, request: ValidateRequest, *, clock: Clock
) -> ValidationView:
    """Backtest, bootstrap, check, store (module docstring)."""
    name = check_request(request)
    params = resolve(name, strategy_params(settings, name, request.params))
    timeframe = check_timeframe(settings.data.default_timeframe)
    symbols = (
        tuple(normalise_symbols(list(request.symbols)))
        if request.symbols
        else default_symbols(database, timeframe)
    )
    asked = RunRequest(strategy=name, data=DataRequest(symbols=symbols), params=request.params)
    report = run(database, settings, asked, clock=clock)
    figures = measure(report.result.outcome, request.simulations, request.seed)
    checks = judge(figures, settings.safety)
    passed = all(check.verdict != "fail" for check in checks)
    record = ValidationRecord(
        strategy=name,
        params_hash=params_key(name, params),
        params=dict(params),
        symbols=symbols,
        validated_at=clock.now(),
        passed=passed,
        reasons=tuple(json_fields(check) for check in checks),
        figures=json_fields(figures),
        backtest_run_id=report.run_id,
    )
    stored = ValidationRepository(database).add(record)
    return ValidationView(
        id=stored,
        strategy=name,
        params=dict(params),
        params_hash=record.params_hash,
        symbols=symbols,
        validated_at=record.validated_at,
        passed=passed,
        checks=checks,
        figures=figures,
        backtest_run_id=report.run_id,
        notices=tuple(report.data.notices),
    )


def daily_returns(
    equity: Sequence[float] | np.ndarray[Any, np.dtype[np.float64]],
) -> np.ndarray[Any, np.dtype[np.float64]]:
    values = np.asarray(equity, dtype=np.float64)
    if values.size < 2:
        raise ValidationError("the backtest has fewer than two equity points: nothing to measure")
    return values[1:] / values[:-1] - 1.0


def measure(outcome: BacktestOutcome, simulations: int, seed: int) -> Figures:
    """The figures of a backtest's outcome."""
    returns = daily_returns(outcome.equity)
    bootstrap = bootstrap_trades(
        returns, simulations, seed, percentiles=(100.0 - DRAWDOWN_PERCENTILE,), fan_points=2
    )
    fractions, values = entry_sizes(outcome)
    equity = outcome.equity
    peaks = np.maximum.accumulate(equity)
    return Figures(
        trades=int(np.count_nonzero(~outcome.log.is_open)),
        drawdown_p95=-bootstrap.max_drawdown[0],
        max_drawdown=float(-np.min(equity / peaks - 1.0)),
        worst_day=float(-min(0.0, float(np.min(returns)))),
        median_position_fraction=float(np.median(fractions)) if fractions.size else None,
        median_order_value=float(np.median(values)) if values.size else None,
        simulations=simulations,
        seed=seed,
    )


def entry_sizes(outcome: BacktestOutcome) -> tuple[Floats, Floats]:
    """Each entry's value as a fraction of the equity before it, and in dollars."""
    log = outcome.log
    values = log.quantity * log.entry_price
    fractions = np.empty_like(values)
    for k in range(len(log)):
        bar_ts = outcome.bars[int(log.symbol[k])].ts[int(log.entry_index[k])]
        at = max(0, int(np.searchsorted(outcome.ts, bar_ts, side="right")) - 2)
        fractions[k] = values[k] / outcome.equity[at] if outcome.equity[at] > 0 else np.nan
    return fractions[np.isfinite(fractions)], values


def judge(figures: Figures, safety: SafetySettings) -> tuple[Check, ...]:
    """The checks of the module docstring, in that order."""
    checks = [
        _trades(figures),
        _limit(
            "drawdown",
            figures.drawdown_p95,
            safety.circuit_breaker.max_drawdown,
            f"{DRAWDOWN_PERCENTILE:g}th-percentile Monte Carlo drawdown",
            "safety.circuit_breaker.max_drawdown",
        ),
        _limit(
            "worst_day",
            figures.worst_day,
            safety.daily_loss_limit,
            "worst daily loss",
            "safety.daily_loss_limit",
        ),
        _capped(
            "position_size",
            figures.median_position_fraction,
            safety.max_position_size,
            safety.enabled,
        ),
        _capped("order_value", figures.median_order_value, safety.max_order_value, safety.enabled),
    ]
    return tuple(checks)


def _trades(figures: Figures) -> Check:
    enough = figures.trades >= MIN_TRADES
    return Check(
        name="trades",
        verdict="pass" if enough else "fail",
        value=float(figures.trades),
        limit=float(MIN_TRADES),
        reason=f"{figures.trades} closed trades"
        + ("" if enough else f": at least {MIN_TRADES} are needed for the figures to mean much"),
    )


def _limit(name: str, value: float, limit: float, what: str, setting: str) -> Check:
    within = value <= limit
    relation = "within" if within else "above"
    return Check(
        name=name,
        verdict="pass" if within else "fail",
        value=value,
        limit=limit,
        reason=f"{what} {value:.2%} is {relation} {setting} {limit:.2%}",
    )


def _shown(name: str, value: float) -> str:
    return f"{value:.2%}" if name == "position_size" else f"${value:,.0f}"


def _capped(name: str, value: float | None, limit: float, enabled: bool) -> Check:
    setting = "safety.max_position_size" if name == "position_size" else "safety.max_order_value"
    if value is None:
        return Check(name=name, verdict="pass", value=None, limit=limit, reason="no entries")
    what = f"median entry {_shown(name, value)}"
    bound = f"{setting} {_shown(name, limit)}"
    if value <= limit:
        return Check(
            name=name, verdict="pass", value=value, limit=limit, reason=f"{what} is within {bound}"
        )
    then = (
        "the safety layer's risk sizing will cap such entries"
        if enabled
        else "safety.enabled is false, so nothing would cap them"
    )
    return Check(
        name=name,
        verdict="note" if enabled else "fail",
        value=value,
        limit=limit,
        reason=f"{what} is above {bound}: {then}",
    )
