"""`safety validate`'s figures and checks: pure functions of one replay's ledger
(:class:`~trademind.services.safety_history_report.SessionRecord`) over the validation window
(docs/safety.md, "Validating a strategy").

**Figures.** ``E_0`` is the equity of the last snapshot before the window (the starting cash
when there is none) and ``E_1..E_n`` the equity of the last snapshot of each calendar day (UTC)
in the window; the daily returns are ``r_t = E_t / E_{t-1} - 1``. They are bootstrapped
``simulations`` times (seeded) with the circular block bootstrap of
:func:`~trademind.backtest.analytics.montecarlo.bootstrap_trades` (blocks of
:data:`BLOCK_LENGTH` trading days); each simulated path compounds from 1.0 and its maximum
drawdown is ``min_t(P_t / max_{s<=t} P_s - 1)``; ``drawdown_p95`` is the depth (positive) at
the 95th percentile of the simulations. Also: the closed round trips (exit in the window), the
breaker trips (``circuit_breaker_tripped`` events in the window), the entries (buy orders
submitted in the window) and those the pre-trade rules refused (rejected with a reason
``pre-trade rule ...``), the realised max drawdown, the worst day and the total return.

**Checks** (:func:`judge`): ``round_trips``, ``drawdown``, then with the safety layer
``breakers`` and ``refused_entries``, without it ``worst_day``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

from trademind.backtest.analytics.montecarlo import bootstrap_trades
from trademind.core.errors import ValidationError
from trademind.execution.gate import PRE_TRADE_PREFIX
from trademind.services.safety_history_report import (
    TRIP_EVENT,
    SessionRecord,
    Window,
    drawdown,
)

if TYPE_CHECKING:
    from trademind.config.sections_trading import SafetySettings

MIN_ROUND_TRIPS: Final = 10
DRAWDOWN_PERCENTILE: Final = 95.0
BLOCK_LENGTH: Final = 10
"""Trading days per bootstrap block: two weeks, so a run of bad days stays a run."""
MAX_REFUSED_SHARE: Final = 0.5
TRIPS_PER_YEAR: Final = 1.0
"""Breaker trips tolerated per year of window (at least one in any window) as a ``note``."""
DAYS_PER_YEAR: Final = 365.25
Verdict = Literal["pass", "fail", "note"]
WITH_LAYER: Final = "replay with the safety layer"
WITHOUT_LAYER: Final = "replay without the safety layer (safety.enabled is false)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    name: str
    verdict: Verdict
    value: float | None
    limit: float | None
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    """What the replay measured (module docstring); fractions are positive depths."""

    measurement: str
    safety: bool
    window_start: datetime
    window_end: datetime
    days: int
    round_trips: int
    total_return: float
    max_drawdown: float
    drawdown_p95: float
    worst_day: float
    breaker_trips: int
    breakers: tuple[str, ...]
    entries: int
    refused_entries: int
    refused_share: float | None
    simulations: int
    seed: int
    block_length: int


def daily_equity(record: SessionRecord, window: Window) -> tuple[float, list[float]]:
    """``E_0`` and the last equity of each UTC day in the window (module docstring)."""
    start = record.initial_cash
    by_day: dict[str, float] = {}
    for point in sorted(record.points, key=lambda p: p.ts):
        if point.ts < window.start:
            start = point.equity
        elif point.ts < window.end:
            by_day[f"{point.ts:%Y-%m-%d}"] = point.equity
    return start, list(by_day.values())


def daily_returns(start: float, equities: Sequence[float]) -> np.ndarray[Any, Any]:
    values = np.asarray([start, *equities], dtype=np.float64)
    if values.size < 2 or not bool(np.all(values > 0)):
        raise ValidationError(
            "the replay left fewer than two days of positive equity in the window: nothing to "
            "measure (widen it with --start/--end)"
        )
    return values[1:] / values[:-1] - 1.0


def _inside(at: datetime, window: Window) -> bool:
    return window.start <= at < window.end


def measure(record: SessionRecord, window: Window, simulations: int, seed: int) -> Figures:
    """The figures of one replay over ``window`` (module docstring)."""
    start, equities = daily_equity(record, window)
    returns = daily_returns(start, equities)
    bootstrap = bootstrap_trades(
        returns,
        simulations,
        seed,
        percentiles=(100.0 - DRAWDOWN_PERCENTILE,),
        fan_points=2,
        block_length=BLOCK_LENGTH,
    )
    entries = [o for o in record.orders if o.entry and _inside(o.at, window)]
    refused = [o for o in entries if o.status == "rejected" and _refused_by_rule(o.reason)]
    trips = [e for e in record.events if e.event == TRIP_EVENT and _inside(e.at, window)]
    return Figures(
        measurement=WITH_LAYER if record.safety else WITHOUT_LAYER,
        safety=record.safety,
        window_start=window.start,
        window_end=window.end,
        days=len(equities),
        round_trips=sum(1 for at in record.round_trip_exits if _inside(at, window)),
        total_return=equities[-1] / start - 1.0,
        max_drawdown=-drawdown(start, equities),
        drawdown_p95=-bootstrap.max_drawdown[0],
        worst_day=-min(0.0, float(np.min(returns))),
        breaker_trips=len(trips),
        breakers=tuple(str(e.details.get("breaker", "unknown")) for e in trips),
        entries=len(entries),
        refused_entries=len(refused),
        refused_share=len(refused) / len(entries) if entries else None,
        simulations=simulations,
        seed=seed,
        block_length=min(BLOCK_LENGTH, int(returns.size)),
    )


def _refused_by_rule(reason: str | None) -> bool:
    return (reason or "").startswith(PRE_TRADE_PREFIX)


def allowed_trips(figures: Figures) -> int:
    """Trips tolerated in the window: :data:`TRIPS_PER_YEAR` per year of it, at least one."""
    years = (figures.window_end - figures.window_start).days / DAYS_PER_YEAR
    return max(1, math.floor(years * TRIPS_PER_YEAR))


def judge(figures: Figures, safety: SafetySettings) -> tuple[Check, ...]:
    """The checks of the module docstring, in that order."""
    checks = [_round_trips(figures), _drawdown(figures, safety.circuit_breaker.max_drawdown)]
    if figures.safety:
        checks += [_breakers(figures, safety.circuit_breaker.require_manual_reset)]
        checks += [_refused(figures)]
    else:
        checks += [_worst_day(figures, safety.daily_loss_limit)]
    return tuple(checks)


def _round_trips(figures: Figures) -> Check:
    count = figures.round_trips
    enough = count >= MIN_ROUND_TRIPS
    why = (
        f": at least {MIN_ROUND_TRIPS} are needed for the figures to mean anything (widen the "
        "window with --start/--end, or add --symbols)"
    )
    return Check(
        name="round_trips",
        verdict="pass" if enough else "fail",
        value=float(count),
        limit=float(MIN_ROUND_TRIPS),
        reason=f"{count} round trips closed in the window" + ("" if enough else why),
    )


def _drawdown(figures: Figures, limit: float) -> Check:
    value = figures.drawdown_p95
    within = value <= limit
    return Check(
        name="drawdown",
        verdict="pass" if within else "fail",
        value=value,
        limit=limit,
        reason=f"{DRAWDOWN_PERCENTILE:g}th-percentile Monte Carlo drawdown {value:.2%} is "
        f"{'within' if within else 'above'} safety.circuit_breaker.max_drawdown {limit:.2%}",
    )


def _breakers(figures: Figures, manual_reset: bool) -> Check:
    count, allowed = figures.breaker_trips, allowed_trips(figures)
    if count == 0:
        return Check(
            name="breakers", verdict="pass", value=0.0, limit=float(allowed),
            reason="no circuit breaker tripped",
        )  # fmt: skip
    names = ", ".join(sorted(set(figures.breakers)))
    stopped = (
        ": with require_manual_reset the account stayed stopped until the window's end"
        if manual_reset
        else ""
    )
    over = count > allowed
    return Check(
        name="breakers",
        verdict="fail" if over else "note",
        value=float(count),
        limit=float(allowed),
        reason=f"{count} circuit breaker trip(s) ({names}); "
        + (f"more than the {allowed} tolerated in this window" if over else "tolerated")
        + stopped,
    )


def _refused(figures: Figures) -> Check:
    share = figures.refused_share
    if share is None:
        return Check(
            name="refused_entries", verdict="pass", value=None, limit=MAX_REFUSED_SHARE,
            reason="no entries asked for",
        )  # fmt: skip
    over = share > MAX_REFUSED_SHARE
    what = f"{figures.refused_entries} of {figures.entries} entries ({share:.0%}) refused by the "
    why = f", above {MAX_REFUSED_SHARE:.0%}: the strategy mostly asks for orders the limits refuse"
    return Check(
        name="refused_entries",
        verdict="fail" if over else "pass",
        value=share,
        limit=MAX_REFUSED_SHARE,
        reason=f"{what}pre-trade rules{why if over else ''}",
    )


def _worst_day(figures: Figures, limit: float) -> Check:
    value = figures.worst_day
    within = value <= limit
    return Check(
        name="worst_day",
        verdict="pass" if within else "fail",
        value=value,
        limit=limit,
        reason=f"worst daily loss {value:.2%} is {'within' if within else 'above'} "
        f"safety.daily_loss_limit {limit:.2%}"
        + ("" if within else ": without the safety layer nothing would stop such a day"),
    )
