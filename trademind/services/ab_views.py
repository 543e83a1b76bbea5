"""What `ab run`, `ab show` and `ab list` answer: an A/B test read back from its ``ab_tests``
row (:func:`view_of`, :func:`summary_of`), and the row made from a fresh comparison
(:func:`record_of`). A fresh run is shown from the row it stored, so ``ab show ID`` prints
exactly what ``ab run`` printed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from trademind.backtest.analytics.paired_bootstrap import Interval
from trademind.db.ab_tests import AbTestRecord
from trademind.services.ab_figures import VariantFigures
from trademind.services.json_ready import json_fields, to_json

if TYPE_CHECKING:
    from trademind.services.ab_figures import AbComparison
    from trademind.strategies.base import ParamValue


@dataclass(frozen=True, slots=True, kw_only=True)
class AbSetup:
    """What was compared: the strategy with its parameters, the symbols, the timeframe, the
    replay's first bar (warm-up) and the starting cash."""

    strategy: str
    params: dict[str, ParamValue]
    symbols: tuple[str, ...]
    timeframe: str
    replay_start: datetime
    initial_cash: float


@dataclass(frozen=True, slots=True, kw_only=True)
class AbTestView:
    """One stored A/B test (docs/ai.md, "A/B tests"): window ``[window_start, window_end)``,
    each variant's figures, the differences B - A with their 95% intervals, the verdict, the
    daily equity curves on the common days."""

    id: int
    created_at: datetime
    variant_a: str
    variant_b: str
    setup: AbSetup
    window_start: datetime
    window_end: datetime
    days: int
    dropped_days: int
    resamples: int
    block_days: int
    seed: int
    a: VariantFigures
    b: VariantFigures
    sharpe: Interval
    total_return: Interval
    max_drawdown: Interval
    significant: bool
    verdict: str
    curve_days: tuple[date, ...]
    equity_a: tuple[float, ...]
    equity_b: tuple[float, ...]
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        document = json_fields(self)
        for name in ("sharpe", "total_return", "max_drawdown"):
            document[name]["excludes_zero"] = getattr(self, name).excludes_zero
        return document


@dataclass(frozen=True, slots=True, kw_only=True)
class AbTestSummary:
    """One line of `ab list`."""

    id: int
    created_at: datetime
    variant_a: str
    variant_b: str
    strategy: str
    symbols: tuple[str, ...]
    window_start: datetime
    window_end: datetime
    days: int
    sharpe_diff: float
    sharpe_low: float
    sharpe_high: float
    significant: bool


def record_of(
    comparison: AbComparison, setup: AbSetup, created_at: datetime, notices: tuple[str, ...]
) -> AbTestRecord:
    """The row of a fresh comparison (``resamples``, ``block_days``, ``seed``: its bootstrap's;
    the window: its first and last common day's)."""
    boot = comparison.bootstrap
    result = {
        "setup": json_fields(setup),
        "a": json_fields(comparison.a),
        "b": json_fields(comparison.b),
        "sharpe": json_fields(boot.sharpe),
        "total_return": json_fields(boot.total_return),
        "max_drawdown": json_fields(boot.max_drawdown),
        "dropped_days": comparison.dropped_days,
        "verdict": comparison.verdict,
        "curve": {
            "days": to_json(comparison.days),
            "a": list(comparison.equity_a),
            "b": list(comparison.equity_b),
        },
        "notices": list(notices),
    }
    return AbTestRecord(
        created_at=created_at,
        variant_a=comparison.a.name,
        variant_b=comparison.b.name,
        strategy=setup.strategy,
        symbols=setup.symbols,
        window_start=comparison.window.start,
        window_end=comparison.window.end,
        days=boot.days,
        resamples=boot.resamples,
        block_days=boot.block_length,
        seed=boot.seed,
        sharpe_diff=boot.sharpe.estimate,
        sharpe_low=boot.sharpe.low,
        sharpe_high=boot.sharpe.high,
        return_diff=boot.total_return.estimate,
        drawdown_diff=boot.max_drawdown.estimate,
        significant=boot.sharpe.excludes_zero,
        result=result,
    )


def view_of(record: AbTestRecord) -> AbTestView:
    """The stored test as the commands show it."""
    result = record.result
    setup = dict(result["setup"])
    curve = result["curve"]
    return AbTestView(
        id=int(record.id or 0),
        created_at=record.created_at,
        variant_a=record.variant_a,
        variant_b=record.variant_b,
        setup=AbSetup(
            strategy=setup["strategy"],
            params=dict(setup["params"]),
            symbols=tuple(setup["symbols"]),
            timeframe=setup["timeframe"],
            replay_start=datetime.fromisoformat(setup["replay_start"]),
            initial_cash=float(setup["initial_cash"]),
        ),
        window_start=record.window_start,
        window_end=record.window_end,
        days=record.days,
        dropped_days=int(result["dropped_days"]),
        resamples=record.resamples,
        block_days=record.block_days,
        seed=record.seed,
        a=VariantFigures(**result["a"]),
        b=VariantFigures(**result["b"]),
        sharpe=Interval(**result["sharpe"]),
        total_return=Interval(**result["total_return"]),
        max_drawdown=Interval(**result["max_drawdown"]),
        significant=record.significant,
        verdict=str(result["verdict"]),
        curve_days=tuple(date.fromisoformat(day) for day in curve["days"]),
        equity_a=tuple(float(value) for value in curve["a"]),
        equity_b=tuple(float(value) for value in curve["b"]),
        notices=tuple(result.get("notices", ())),
    )


def summary_of(record: AbTestRecord) -> AbTestSummary:
    return AbTestSummary(
        id=int(record.id or 0),
        created_at=record.created_at,
        variant_a=record.variant_a,
        variant_b=record.variant_b,
        strategy=record.strategy,
        symbols=record.symbols,
        window_start=record.window_start,
        window_end=record.window_end,
        days=record.days,
        sharpe_diff=record.sharpe_diff,
        sharpe_low=record.sharpe_low,
        sharpe_high=record.sharpe_high,
        significant=record.significant,
    )
