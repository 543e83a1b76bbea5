"""Several backtests at once: compare strategies, optimise parameters, walk forward, Monte Carlo.

Every use case prepares the data once (:mod:`trademind.services.backtest_data`), checks all of
its input before anything runs (what the command line got wrong is a
:class:`~trademind.services.backtest_service.RequestError`, a usage error: exit 2; too little
history or a stored run without trades stays a failure: exit 1), and returns typed results
(:mod:`trademind.services.robustness_views`).
``compare`` stores each strategy's run; ``optimize`` stores the best trial as a full run (so
its trades can be read with ``backtest results``); ``montecarlo`` bootstraps a stored run's
closed trades (or a fresh run, stored first). Sweeps and walk-forward windows run in worker
processes (:mod:`trademind.backtest.research.parallel`): each job is a pure function of the data
reference, the strategy and its parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.backtest import KEY_METRICS
from trademind.backtest.analytics.metrics import TradeStats, compute_metrics
from trademind.backtest.research import walkforward
from trademind.backtest.research.parallel import default_workers
from trademind.backtest.research.sweep import grid_candidates, random_candidates, score, sweep
from trademind.core import backtest_limits as limits
from trademind.core.clock import Clock
from trademind.core.errors import ValidationError
from trademind.services.backtest_data import DataRequest, PreparedData, prepare_data
from trademind.services.backtest_options.params import parse_param_values
from trademind.services.backtest_records import moment
from trademind.services.backtest_report import REPORT_MONTE_CARLO_SEED, monte_carlo
from trademind.services.backtest_service import (
    Progress,
    RequestError,
    RunRequest,
    execute,
    get_run,
    run,
    run_spec,
)
from trademind.services.robustness_views import (
    ComparedRun,
    Comparison,
    MonteCarloSummary,
    Optimization,
    Span,
    TrialRow,
    WalkForward,
    WindowRow,
)
from trademind.strategies.registry import get_strategy

if TYPE_CHECKING:
    from trademind.backtest.research.runner import RunSpec
    from trademind.backtest.research.sweep import Trial
    from trademind.config import Settings
    from trademind.db.session import Database
    from trademind.strategies.base import IntArray, ParamValue

MAX_TRIALS: Final = limits.SWEEP_TRIALS_MAX
PARALLEL_MIN_BAR_TRIALS: Final = 20_000_000
"""Without ``--workers``, a sweep runs in worker processes only when it simulates at least this
many bars in all (trials x bars): a spawned worker costs seconds to start (imports, numba
kernels), while a daily backtest of ten years takes about a millisecond."""


@cache
def known_metrics() -> tuple[str, ...]:
    """Every metric name :func:`compute_metrics` returns."""
    day = 86_400 * 1_000_000_000
    metrics = compute_metrics(
        np.arange(3, dtype=np.int64) * day,
        np.ones(3),
        TradeStats.empty(),
        benchmark_equity=np.ones(3),
        exposure=np.zeros(3),
        turnover_notional=0.0,
        risk_free_rate=0.0,
    )
    return tuple(metrics)


def check_metric(metric: str) -> str:
    if metric not in known_metrics():
        raise RequestError(f"unknown metric {metric!r} (known: {', '.join(known_metrics())})")
    return metric


def _period(data: PreparedData) -> Span:
    first = min(int(series.ts[0]) for series in data.bars)
    last = max(int(series.ts[-1]) for series in data.bars)
    return Span(start=moment(first), end=moment(last))


def compare(
    database: Database,
    settings: Settings,
    strategies: Sequence[str],
    data_request: DataRequest,
    *,
    slippage: str | None = None,
    commission: str | None = None,
    progress: Progress | None = None,
    clock: Clock,
) -> Comparison:
    """Each strategy (its configured parameters) on the same bars and config; each run stored
    (stamped with ``clock``'s time)."""
    names = list(dict.fromkeys(get_strategy(name).name for name in strategies))
    if not names:
        raise RequestError("--strategies: name at least one strategy")
    specs = [
        run_spec(settings, RunRequest(name, data_request, {}, slippage, commission))
        for name in names
    ]
    data = prepare_data(database, settings, data_request, clock=clock)
    rows = []
    for done, spec in enumerate(specs):
        if progress is not None:
            progress(done, len(specs), spec.strategy)
        report = execute(database, data, spec, notices=data.notices, name="compare", clock=clock)
        view = report.view
        rows.append(
            ComparedRun(
                id=report.run_id,
                strategy=spec.strategy,
                params=dict(spec.params),
                final_equity=view.final_equity,
                metrics=view.metrics,
            )
        )
    if progress is not None:
        progress(len(specs), len(specs), "done")
    period = _period(data)
    return Comparison(
        symbols=tuple(data.ref.symbols),
        start=period.start,
        end=period.end,
        runs=tuple(rows),
        notices=tuple(data.notices),
    )


@dataclass(frozen=True)
class SweepRequest:
    """An optimisation or walk-forward as asked on the command line."""

    strategy: str
    data: DataRequest
    params: Sequence[str] = ()
    random: int | None = None
    seed: int = 0
    metric: str = "sharpe"
    workers: int | None = None
    slippage: str | None = None
    commission: str | None = None


def _candidates(
    request: SweepRequest, base: RunSpec
) -> tuple[list[dict[str, ParamValue]], list[str]]:
    """The parameter sets to try (grid or random) and why others were skipped."""
    given = parse_param_values(base.strategy, request.params)
    if request.random is not None:
        several = [name for name, values in given.items() if len(values) > 1]
        if several:
            raise RequestError(
                f"--random draws from the declared ranges; --param may only fix single values "
                f"with it (not {', '.join(several)})"
            )
        fixed = {name: values[0] for name, values in given.items()}
        return _some_valid(*random_candidates(base.strategy, request.random, request.seed, fixed))
    if not any(len(values) > 1 for values in given.values()):
        raise RequestError(
            "nothing to sweep: give ranges or lists (--param fast=5:20:5 --param slow=30,50) "
            "or --random N"
        )
    values: dict[str, Sequence[object]] = {k: [v] for k, v in base.params.items()}
    values.update(given)
    combinations = int(np.prod([len(v) for v in values.values()], dtype=np.float64))
    if combinations > MAX_TRIALS:
        raise RequestError(f"{combinations:,} combinations; at most {MAX_TRIALS:,} per sweep")
    return _some_valid(*grid_candidates(base.strategy, values))


def _some_valid(
    candidates: list[dict[str, ParamValue]], skipped: list[str]
) -> tuple[list[dict[str, ParamValue]], list[str]]:
    """The candidates as they are, or a RequestError (exit 2) when the strategy rejected
    every combination: the reason is the parameters, not the data."""
    if candidates:
        return candidates, skipped
    example = skipped[0] if skipped else "no parameter set"
    raise RequestError(
        f"every combination is invalid ({len(skipped)} of {len(skipped)} rejected), e.g. {example}"
    )


def _warm_enough(
    data: PreparedData, base: RunSpec, candidates: list[dict[str, ParamValue]], skipped: list[str]
) -> list[dict[str, ParamValue]]:
    """The candidates whose warm-up the shortest series covers; the others are skipped."""
    strategy = get_strategy(base.strategy)
    shortest = min(len(series) for series in data.bars)
    kept = []
    for params in candidates:
        warmup = strategy.warmup(params)
        if warmup < shortest:
            kept.append(params)
        else:
            skipped.append(f"{_params_text(params)}: warm-up {warmup} bars, only {shortest}")
    if not kept:
        raise ValidationError(
            f"{shortest} bars are too little history for every parameter set "
            f"(the smallest warm-up needs more); use a longer period"
        )
    return kept


def _params_text(params: Mapping[str, object]) -> str:
    return " ".join(f"{name}={value}" for name, value in params.items())


def _prepare_sweep(
    database: Database, settings: Settings, request: SweepRequest, clock: Clock
) -> tuple[RunSpec, PreparedData, list[dict[str, ParamValue]], list[str]]:
    check_metric(request.metric)
    if request.workers is not None and request.workers < 1:
        raise RequestError(f"--workers must be at least 1, got {request.workers}")
    base = run_spec(
        settings,
        RunRequest(request.strategy, request.data, {}, request.slippage, request.commission),
    )
    candidates, skipped = _candidates(request, base)
    if len(candidates) > MAX_TRIALS:
        raise RequestError(f"{len(candidates):,} trials; at most {MAX_TRIALS:,} per sweep")
    data = prepare_data(database, settings, request.data, clock=clock)
    skipped = list(skipped)
    return base, data, _warm_enough(data, base, candidates, skipped), skipped


def _workers(requested: int | None, data: PreparedData, trials: int) -> int:
    """``--workers`` as given, else processes only for large sweeps (see
    :data:`PARALLEL_MIN_BAR_TRIALS`)."""
    if requested is not None:
        return requested
    bars = sum(len(series) for series in data.bars)
    return default_workers() if trials * bars >= PARALLEL_MIN_BAR_TRIALS else 1


def _trial(trial: Trial, metric: str, rank: int) -> TrialRow:
    return TrialRow(
        rank=rank,
        params=dict(trial.params),
        metric=metric,
        score=trial.metrics.get(metric),
        key_metrics={name: trial.metrics.get(name) for name in KEY_METRICS},
    )


def optimize(
    database: Database,
    settings: Settings,
    request: SweepRequest,
    *,
    top: int = 10,
    progress: Progress | None = None,
    clock: Clock,
) -> Optimization:
    """Sweep the parameter grid (or random draws) and store the best trial as a run."""
    if top < 1:
        raise RequestError(f"--top must be at least 1, got {top}")
    base, data, candidates, skipped = _prepare_sweep(database, settings, request, clock)
    result = sweep(
        data.ref,
        base,
        candidates,
        metric=request.metric,
        skipped=skipped,
        workers=_workers(request.workers, data, len(candidates)),
        progress=None if progress is None else (lambda d, t: progress(d, t, "trials")),
        bars=data.bars,
    )
    ranked = sorted(result.trials, key=lambda t: score(t.metrics, request.metric), reverse=True)
    best = ranked[0]
    label = f"optimize: best of {len(ranked)} by {request.metric}"
    stored = execute(
        database,
        data,
        replace(base, params=dict(best.params)),
        notices=data.notices,
        name=label,
        clock=clock,
    )
    period = _period(data)
    return Optimization(
        strategy=base.strategy,
        symbols=tuple(data.ref.symbols),
        start=period.start,
        end=period.end,
        metric=request.metric,
        search="random" if request.random is not None else "grid",
        trials=len(result.trials),
        skipped=len(result.skipped),
        skipped_reasons=tuple(result.skipped[:20]),
        deflated_sharpe=result.deflated_sharpe,
        best=_trial(best, request.metric, 1),
        best_run_id=stored.run_id,
        top=tuple(_trial(t, request.metric, i + 1) for i, t in enumerate(ranked[:top])),
        notices=tuple(data.notices),
    )


def _span(window: tuple[int, int], timeline: IntArray) -> Span:
    """A window's first and last bar times (its end is exclusive)."""
    last = timeline[int(np.searchsorted(timeline, window[1], side="left")) - 1]
    return Span(start=moment(window[0]), end=moment(int(last)))


def walk_forward(
    database: Database,
    settings: Settings,
    request: SweepRequest,
    *,
    windows: int | None = None,
    in_sample_ratio: float = 3.0,
    mode: str = "rolling",
    progress: Progress | None = None,
    clock: Clock,
) -> WalkForward:
    """Optimise in sample, trade the winner out of sample, window after window."""
    count = windows if windows is not None else settings.backtest.walk_forward_windows
    if not limits.WALK_FORWARD_WINDOWS_MIN <= count <= limits.WALK_FORWARD_WINDOWS_MAX:
        raise RequestError(
            f"--windows must be {limits.WALK_FORWARD_WINDOWS_MIN}.."
            f"{limits.WALK_FORWARD_WINDOWS_MAX} (backtest.walk_forward_windows), got {count}"
        )
    if mode not in ("rolling", "anchored"):
        raise RequestError(f"--mode must be rolling or anchored, not {mode!r}")
    base, data, candidates, _ = _prepare_sweep(database, settings, request, clock)
    result = walkforward.walk_forward(
        data.ref,
        data.bars,
        base,
        candidates,
        windows=count,
        in_sample_ratio=in_sample_ratio,
        mode="anchored" if mode == "anchored" else "rolling",
        metric=request.metric,
        workers=_workers(request.workers, data, len(candidates) * count),
        progress=None if progress is None else (lambda d, t: progress(d, t, "windows")),
        warmup=max(get_strategy(base.strategy).warmup(params) for params in candidates),
    )
    metric = request.metric
    timeline: IntArray = np.unique(np.concatenate([series.ts for series in data.bars]))
    rows = [
        WindowRow(
            window=index + 1,
            in_sample=_span(w.in_sample, timeline),
            out_of_sample=_span(w.out_of_sample, timeline),
            params=dict(w.params),
            metric=metric,
            in_sample_score=w.in_sample_metrics.get(metric),
            out_of_sample_score=w.out_of_sample_metrics.get(metric),
            out_of_sample_total_return=w.out_of_sample_metrics.get("total_return"),
        )
        for index, w in enumerate(result.windows)
    ]
    initial = base.config.initial_cash
    final = float(result.equity[-1])
    period = _period(data)
    return WalkForward(
        strategy=base.strategy,
        symbols=tuple(data.ref.symbols),
        start=period.start,
        end=period.end,
        mode=result.mode,
        metric=metric,
        candidates=len(candidates),
        windows=tuple(rows),
        initial_cash=initial,
        stitched_final_equity=final,
        stitched_total_return=final / initial - 1.0,
        stitched_start=moment(int(result.ts[0])),
        walk_forward_efficiency=result.efficiency,
        notices=tuple(data.notices),
    )


def montecarlo(
    database: Database,
    settings: Settings,
    *,
    run_id: int | None = None,
    request: RunRequest | None = None,
    runs: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    clock: Clock,
) -> MonteCarloSummary:
    """The trade-order bootstrap of a stored run, or of a fresh run (stored first).

    ``notices`` are what applies now (a fresh run's data notices); a stored run's notices are
    what applied when it was made, returned apart as ``run_notices``."""
    if (run_id is None) == (request is None):
        raise RequestError("give a stored run ID, or --strategy and --symbol for a fresh run")
    count = runs if runs is not None else settings.backtest.monte_carlo_runs
    if request is not None:
        record = run(database, settings, request, progress=progress, clock=clock).record
    else:
        record = get_run(database, int(run_id or 0))
    if record.status != "completed":
        raise ValidationError(f"run {record.id} {record.status}; it has no trades to resample")
    result = monte_carlo(record.trades, count, REPORT_MONTE_CARLO_SEED if seed is None else seed)
    stored_notices = record.config.get("notices", [])
    return MonteCarloSummary(
        run_id=record.id,
        strategy=record.strategy,
        symbols=tuple(record.symbols),
        result=result,
        notices=tuple(stored_notices) if request is not None else (),
        run_notices=() if request is not None else tuple(stored_notices),
    )
