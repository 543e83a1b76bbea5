"""`ab run`'s comparison of two replays of the same bars (docs/ai.md, "A/B tests"): pure
functions of what each variant's replay left in its ledger.

**Daily equity and alignment.** For each variant, ``E_0`` is the equity of the last snapshot
before the window (the starting cash when there is none) and ``E_d`` the equity of the last
snapshot of each UTC day ``d`` in the window. Only the days both variants have are kept (both
replay the same bars, so a day missing from one is rare and counted in ``dropped_days``); the
daily returns are ``r_d = E_d / E_prev - 1`` over those common days, ``E_prev`` the previous
common day's equity (``E_0`` for the first).

**Differences** are B minus A, with the paired block bootstrap's 95% intervals
(:mod:`~trademind.backtest.analytics.paired_bootstrap`). The verdict says a difference is
significant only when its interval excludes 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from trademind.backtest.analytics.paired_bootstrap import (
    Interval,
    PairedBootstrap,
    SeriesFigures,
    paired_bootstrap,
)

if TYPE_CHECKING:
    from trademind.services.safety_history_report import SessionRecord, Window


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantRun:
    """What one variant's replay left: its ledger, its decision counts in the window (by
    action, and ``vetoed``) and its language model calls (``llm_cost_usd``: the priced ones)."""

    name: str
    account: str
    record: SessionRecord
    decisions: dict[str, int]
    llm_calls: int
    llm_cost_usd: float


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantFigures:
    """One variant over the common days (fractions; ``max_drawdown`` negative)."""

    name: str
    start_equity: float
    final_equity: float
    total_return: float
    sharpe: float
    max_drawdown: float
    orders: int
    fills: int
    round_trips: int
    decisions: dict[str, int]
    llm_calls: int
    llm_cost_usd: float


@dataclass(frozen=True, slots=True, kw_only=True)
class AbComparison:
    """The window, both variants, the bootstrap and the verdict; ``days``, ``equity_a`` and
    ``equity_b``: the common days and each variant's equity on them (the report's curves)."""

    window: Window
    a: VariantFigures
    b: VariantFigures
    bootstrap: PairedBootstrap
    days: tuple[date, ...]
    equity_a: tuple[float, ...]
    equity_b: tuple[float, ...]
    dropped_days: int
    verdict: str


def daily_closes(record: SessionRecord, window: Window) -> tuple[float, dict[date, float]]:
    """``E_0`` and the last equity of each UTC day in the window (module docstring)."""
    start = record.initial_cash
    by_day: dict[date, float] = {}
    for point in sorted(record.points, key=lambda p: p.ts):
        if point.ts < window.start:
            start = point.equity
        elif point.ts < window.end:
            by_day[point.ts.date()] = point.equity
    return start, by_day


def _returns(start: float, equities: list[float]) -> np.ndarray[Any, Any]:
    values = np.asarray([start, *equities], dtype=np.float64)
    return values[1:] / values[:-1] - 1.0


def _inside(at: datetime, window: Window) -> bool:
    return window.start <= at < window.end


def _figures(
    run: VariantRun, window: Window, equity: tuple[float, float], series: SeriesFigures
) -> VariantFigures:
    """``equity``: ``E_0`` and the last common day's equity."""
    record = run.record
    return VariantFigures(
        name=run.name,
        start_equity=equity[0],
        final_equity=equity[1],
        total_return=series.total_return,
        sharpe=series.sharpe,
        max_drawdown=series.max_drawdown,
        orders=sum(1 for order in record.orders if _inside(order.at, window)),
        fills=sum(1 for at in record.fill_times if _inside(at, window)),
        round_trips=sum(1 for at in record.round_trip_exits if _inside(at, window)),
        decisions=dict(run.decisions),
        llm_calls=run.llm_calls,
        llm_cost_usd=run.llm_cost_usd,
    )


def compare(  # noqa: PLR0917 - the comparison's inputs
    run_a: VariantRun,
    run_b: VariantRun,
    window: Window,
    resamples: int,
    seed: int,
    block_length: int,
) -> AbComparison:
    """The module docstring's comparison of ``run_a`` and ``run_b`` over ``window``."""
    start_a, closes_a = daily_closes(run_a.record, window)
    start_b, closes_b = daily_closes(run_b.record, window)
    days = sorted(set(closes_a) & set(closes_b))
    equity_a = [closes_a[day] for day in days]
    equity_b = [closes_b[day] for day in days]
    boot = paired_bootstrap(
        _returns(start_a, equity_a),
        _returns(start_b, equity_b),
        resamples=resamples,
        seed=seed,
        block_length=block_length,
    )
    return AbComparison(
        window=window,
        a=_figures(run_a, window, (start_a, equity_a[-1]), boot.a),
        b=_figures(run_b, window, (start_b, equity_b[-1]), boot.b),
        bootstrap=boot,
        days=tuple(days),
        equity_a=tuple(equity_a),
        equity_b=tuple(equity_b),
        dropped_days=len(set(closes_a) ^ set(closes_b)),
        verdict=verdict(run_a.name, run_b.name, boot),
    )


def significance(interval: Interval) -> str:
    return (
        "significant at 95% (the interval excludes 0)"
        if interval.excludes_zero
        else "no significant difference (the interval contains 0)"
    )


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def verdict(a: str, b: str, boot: PairedBootstrap) -> str:
    """One sentence on the Sharpe difference, e.g. ``hybrid's Sharpe is 0.12 higher than
    rules' over 504 days, 95% CI [-0.30, 0.55]: no significant difference ...``."""
    sharpe = boot.sharpe
    if sharpe.estimate == 0:
        size = "equal to"
    else:
        size = f"{abs(sharpe.estimate):.2f} {'higher' if sharpe.estimate > 0 else 'lower'} than"
    return (
        f"{_possessive(b)} Sharpe is {size} {_possessive(a)} over {boot.days} days, 95% CI "
        f"[{sharpe.low:+.2f}, {sharpe.high:+.2f}]: {significance(sharpe)}"
    )
