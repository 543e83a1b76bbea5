"""Parameter sweeps: a grid or random draws from the declarations, run in parallel.

Candidates come from the strategy's own :class:`~trademind.strategies.base.Param`
declarations, so a sweep can only try values the strategy accepts. A combination that is
valid value by value but not as a whole (``slow <= fast``) is skipped and reported, never run.
The best trial is chosen on one metric; the deflated Sharpe ratio says how much of the best
Sharpe ratio survives the number of trials (docs/metrics.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.backtest.analytics.metrics import Metric, period_returns
from trademind.backtest.analytics.periods import infer_periods_per_year
from trademind.backtest.analytics.sharpe import deflated_sharpe
from trademind.backtest.research.parallel import Progress, run_jobs
from trademind.backtest.research.runner import RunSpec, Window, evaluate_job, run_window
from trademind.core.errors import ValidationError
from trademind.strategies.registry import get_strategy, resolve

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from trademind.backtest.research.bar_source import BarSource
    from trademind.strategies.base import Bars, Param, ParamValue

LOWER_IS_BETTER: Final = frozenset(
    {"volatility", "max_drawdown_duration", "max_drawdown_duration_days", "turnover"}
)
RANDOM_GRID_STEPS: Final = 50
"""Distinct values a random draw picks from along an int or float range."""


@dataclass(frozen=True)
class Trial:
    """One parameter set and its metrics."""

    params: Mapping[str, ParamValue]
    metrics: Mapping[str, Metric]


@dataclass(frozen=True)
class SweepResult:
    """Every trial, the best on ``metric``, the skipped combinations and the deflated Sharpe."""

    strategy: str
    metric: str
    trials: tuple[Trial, ...]
    best: Trial | None
    skipped: tuple[str, ...]
    deflated_sharpe: float | None


def score(metrics: Mapping[str, Metric], metric: str) -> float:
    """Higher is better; an undefined metric ranks last."""
    value = metrics.get(metric)
    if value is None:
        return -np.inf
    return -float(value) if metric in LOWER_IS_BETTER else float(value)


def grid_candidates(
    strategy: str, values: Mapping[str, Sequence[object]]
) -> tuple[list[dict[str, ParamValue]], list[str]]:
    """Every combination of ``values`` (unnamed parameters keep their default), validated;
    returns the valid parameter sets and the reasons the others were skipped."""
    names = list(values)
    valid, skipped = [], []
    for combination in itertools.product(*(values[name] for name in names)):
        given = dict(zip(names, combination, strict=True))
        try:
            valid.append(resolve(strategy, given))
        except ValidationError as exc:
            skipped.append(str(exc))
    return valid, skipped


def _draw(param: Param, rng: np.random.Generator) -> ParamValue:
    if param.kind == "choice":
        return str(rng.choice(param.choices))
    low = param.minimum if param.minimum is not None else float(param.default) / 2
    high = param.maximum if param.maximum is not None else float(param.default) * 2
    steps = np.linspace(low, high, RANDOM_GRID_STEPS)
    value = float(rng.choice(steps))
    return round(value) if param.kind == "int" else value


def random_candidates(
    strategy: str, count: int, seed: int, fixed: Mapping[str, object] | None = None
) -> tuple[list[dict[str, ParamValue]], list[str]]:
    """``count`` distinct random parameter sets drawn from the declared ranges (``fixed``
    values are kept); invalid draws are skipped and reported."""
    if count < 1:
        raise ValidationError(f"random sweep size must be at least 1, got {count}")
    declared = get_strategy(strategy).params
    rng = np.random.default_rng(seed)
    valid: dict[tuple[object, ...], dict[str, ParamValue]] = {}
    skipped: list[str] = []
    for _ in range(count * 20):
        if len(valid) == count:
            break
        given = {p.name: _draw(p, rng) for p in declared} | dict(fixed or {})
        try:
            params = resolve(strategy, given)
        except ValidationError as exc:
            skipped.append(str(exc))
            continue
        valid.setdefault(tuple(params.values()), params)
    return list(valid.values()), skipped


def sweep(
    ref: BarSource,
    base: RunSpec,
    candidates: Sequence[Mapping[str, ParamValue]],
    *,
    metric: str = "sharpe",
    window: Window | None = None,
    skipped: Sequence[str] = (),
    workers: int | None = None,
    progress: Progress | None = None,
    bars: Sequence[Bars] | None = None,
    pool: Executor | None = None,
) -> SweepResult:
    """Run ``base`` with each candidate's parameters (in parallel) and pick the best."""
    if not candidates:
        raise ValidationError("the sweep has no valid parameter set to run")
    specs = [replace(base, params=dict(params)) for params in candidates]
    jobs = [(ref, spec, window) for spec in specs]
    results = run_jobs(evaluate_job, jobs, workers=workers, progress=progress, pool=pool)
    if metric not in results[0]:
        raise ValidationError(f"unknown metric {metric!r} (known: {', '.join(results[0])})")
    trials = tuple(Trial(dict(c), m) for c, m in zip(candidates, results, strict=True))
    best = max(trials, key=lambda trial: score(trial.metrics, metric))
    deflated = _deflated(trials, best, base, window, bars) if bars is not None else None
    return SweepResult(base.strategy, metric, trials, best, tuple(skipped), deflated)


def _deflated(
    trials: Sequence[Trial],
    best: Trial,
    base: RunSpec,
    window: Window | None,
    bars: Sequence[Bars],
) -> float | None:
    sharpes = [t.metrics["sharpe"] for t in trials if t.metrics.get("sharpe") is not None]
    if best.metrics.get("sharpe") is None or not sharpes:
        return None
    outcome = run_window(bars, replace(base, params=dict(best.params)), window).outcome
    returns = period_returns(outcome.equity)
    if returns is None:
        return None
    return deflated_sharpe(
        sharpes,
        returns,
        periods_per_year=infer_periods_per_year(outcome.ts),
        risk_free_rate=base.risk_free_rate,
    )
