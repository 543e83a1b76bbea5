"""What compare, optimize, walk-forward and Monte Carlo return, as typed results.

``--format json`` prints :func:`~trademind.services.json_ready.to_json` of these. Two rows
name a key after the metric that was optimised (``sharpe``, ``in_sample_sharpe``, ...): they
define ``to_json`` themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from trademind.services.json_ready import to_json

if TYPE_CHECKING:
    from trademind.backtest.analytics.montecarlo import MonteCarloResult
    from trademind.strategies.base import ParamValue

Metrics = Mapping[str, Any]
"""Metric name to value (float, int or None)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ComparedRun:
    """One strategy of a comparison, stored as run ``id``."""

    id: int
    strategy: str
    params: Mapping[str, ParamValue]
    final_equity: float | None
    metrics: Metrics


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """Several strategies on the same bars and config (``backtest compare``)."""

    symbols: tuple[str, ...]
    start: datetime
    end: datetime
    runs: tuple[ComparedRun, ...]
    notices: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialRow:
    """One trial of a sweep: its rank by ``metric``, its parameters and key metrics."""

    rank: int
    params: Mapping[str, ParamValue]
    metric: str
    score: float | None
    """The trial's value of ``metric`` (None when undefined)."""
    key_metrics: Metrics

    def to_json(self) -> dict[str, Any]:
        head = {"rank": self.rank, "params": to_json(self.params), self.metric: self.score}
        return head | {name: value for name, value in self.key_metrics.items() if name not in head}


@dataclass(frozen=True, slots=True, kw_only=True)
class Optimization:
    """A parameter sweep and its best trial, stored as run ``best_run_id``."""

    strategy: str
    symbols: tuple[str, ...]
    start: datetime
    end: datetime
    metric: str
    search: str
    """``grid`` or ``random``."""
    trials: int
    skipped: int
    skipped_reasons: tuple[str, ...]
    """Why (the first 20) skipped parameter sets were skipped."""
    deflated_sharpe: float | None
    best: TrialRow
    best_run_id: int
    top: tuple[TrialRow, ...]
    notices: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """The first and last bar times of a walk-forward window."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowRow:
    """One walk-forward window: the parameters chosen in sample and how they did out of it."""

    window: int
    in_sample: Span
    out_of_sample: Span
    params: Mapping[str, ParamValue]
    metric: str
    in_sample_score: float | None
    out_of_sample_score: float | None
    out_of_sample_total_return: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "in_sample": to_json(self.in_sample),
            "out_of_sample": to_json(self.out_of_sample),
            "params": to_json(self.params),
            f"in_sample_{self.metric}": self.in_sample_score,
            f"out_of_sample_{self.metric}": self.out_of_sample_score,
            "out_of_sample_total_return": self.out_of_sample_total_return,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class WalkForward:
    """A walk-forward analysis and its stitched out-of-sample equity."""

    strategy: str
    symbols: tuple[str, ...]
    start: datetime
    end: datetime
    mode: str
    """``rolling`` or ``anchored``."""
    metric: str
    candidates: int
    windows: tuple[WindowRow, ...]
    initial_cash: float
    stitched_final_equity: float
    stitched_total_return: float
    stitched_start: datetime
    walk_forward_efficiency: float | None
    notices: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class MonteCarloSummary:
    """The trade-order bootstrap of run ``run_id``. ``notices`` apply now (a fresh run's data
    notices); a stored run's notices applied when it was made: ``run_notices``."""

    run_id: int | None
    strategy: str
    symbols: tuple[str, ...]
    result: MonteCarloResult
    notices: tuple[str, ...]
    run_notices: tuple[str, ...]

    def percentile_rows(self) -> list[tuple[str, float, float]]:
        """(``p5``, total return, max drawdown) per percentile."""
        result = self.result
        keys = [f"p{p:g}" for p in result.percentiles]
        return list(zip(keys, result.total_return, result.max_drawdown, strict=True))

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "strategy": self.strategy,
            "symbols": list(self.symbols),
            **self.result.to_dict(),
            "notices": list(self.notices),
            "run_notices": list(self.run_notices),
        }
