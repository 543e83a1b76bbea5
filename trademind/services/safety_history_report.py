"""`safety backtest`'s comparison: two replays of the same bars, one with the safety layer and
one without, measured over the report window (pure functions of what the two ledgers hold).

Inputs are :class:`SessionRecord` values (the equity of every snapshot, the orders, the fills'
times and the trading state changes of one replay); :func:`build_comparison` answers the
figures of each run, their differences, every breaker trip with what it changed, every state
change and the rejections grouped by rule. Conventions (docs/safety.md, "Safety on history"):

- a run's **start equity** is the equity of its last snapshot before the window's start (the
  starting cash when there is none); **total return** ``final / start - 1``; **max drawdown**
  ``min_t(E_t / max_{s<=t} E_s - 1)`` over the start equity and the window's snapshots (a
  negative fraction, 0 when equity never fell);
- a **difference** is *with safety minus without*: a positive drawdown difference means the
  safety layer made the drawdown shallower;
- **what a trip changed**: from the trip's time ``t`` to the end of its period (the next
  ``reset`` of the safety run, else the window's end), each run's return
  ``E(end) / E(t) - 1`` and drawdown (as above, starting from ``E(t)``), where ``E(t)`` is the
  equity of the last snapshot at or before ``t``; and their differences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from trademind.execution.gate import PRE_TRADE_PREFIX, STATE_PREFIX

TRADING_STATE_GROUP: Final = "trading_state"
VENUE_GROUP: Final = "venue"
EXAMPLES_PER_RULE: Final = 3
TRIP_EVENT: Final = "circuit_breaker_tripped"
_TICK: Final = timedelta(microseconds=1)
RESET_EVENT: Final = "reset"


@dataclass(frozen=True, slots=True)
class EquityPoint:
    ts: datetime
    equity: float


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFact:
    """An order's last state: when it was submitted, its symbol, status and reason; ``entry``:
    it opens or adds to a position (a buy: the sessions trade long only)."""

    at: datetime
    symbol: str
    status: str
    reason: str | None = None
    entry: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class EventFact:
    """A trading state change (a ``safety_events`` row with a state)."""

    at: datetime
    event: str
    actor: str
    from_state: str
    to_state: str
    reason: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRecord:
    """What one replay left in its ledger (``round_trip_exits``: the exit time of each closed
    round trip)."""

    safety: bool
    initial_cash: float
    points: tuple[EquityPoint, ...]
    orders: tuple[OrderFact, ...]
    fill_times: tuple[datetime, ...]
    events: tuple[EventFact, ...]
    round_trip_exits: tuple[datetime, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """The reported period: ``start <= ts < end``."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFigures:
    safety: bool
    start_equity: float
    final_equity: float
    total_return: float
    max_drawdown: float
    orders: int
    fills: int
    rejected: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Differences:
    """With safety minus without."""

    final_equity: float
    total_return: float
    max_drawdown: float
    orders: int
    fills: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TripEffect:
    """Both runs from a trip to the end of its period (module docstring)."""

    period_end: datetime
    ended_by: str
    return_with: float
    return_without: float
    return_difference: float
    drawdown_with: float
    drawdown_without: float
    drawdown_difference: float


@dataclass(frozen=True, slots=True, kw_only=True)
class TripView:
    at: datetime
    breaker: str
    value: float | None
    threshold: float | None
    state: str
    reason: str
    effect: TripEffect


@dataclass(frozen=True, slots=True, kw_only=True)
class StateChangeView:
    at: datetime
    event: str
    from_state: str
    to_state: str
    actor: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RejectionExample:
    at: datetime
    symbol: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RejectionGroup:
    """The safety run's rejections by one rule (``trading_state``: refused by the trading
    state; ``venue``: refused by the paper broker itself, e.g. no cash)."""

    rule: str
    count: int
    examples: tuple[RejectionExample, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    with_safety: RunFigures
    without_safety: RunFigures
    difference: Differences
    trips: tuple[TripView, ...]
    state_changes: tuple[StateChangeView, ...]
    rejections: tuple[RejectionGroup, ...]
    events_before_window: int


def _inside(at: datetime, window: Window) -> bool:
    return window.start <= at < window.end


def equity_at(points: Sequence[EquityPoint], at: datetime, default: float) -> float:
    """The equity of the last point at or before ``at`` (``default`` when there is none)."""
    found = default
    for point in points:
        if point.ts > at:
            break
        found = point.equity
    return found


def drawdown(base: float, equities: Sequence[float]) -> float:
    """``min(E / running peak - 1)`` over ``base`` then ``equities`` (<= 0)."""
    peak, worst = base, 0.0
    for equity in equities:
        peak = max(peak, equity)
        if peak > 0:
            worst = min(worst, equity / peak - 1.0)
    return worst


def _segment(points: Sequence[EquityPoint], after: datetime, until: datetime) -> list[float]:
    return [p.equity for p in points if after < p.ts < until]


def _before(points: Sequence[EquityPoint], at: datetime, default: float) -> float:
    earlier = [p.equity for p in points if p.ts < at]
    return earlier[-1] if earlier else default


def run_figures(record: SessionRecord, window: Window) -> RunFigures:
    start = _before(record.points, window.start, record.initial_cash)
    inside = _segment(record.points, window.start - _TICK, window.end)
    final = inside[-1] if inside else start
    orders = [o for o in record.orders if _inside(o.at, window)]
    return RunFigures(
        safety=record.safety,
        start_equity=start,
        final_equity=final,
        total_return=final / start - 1.0 if start > 0 else 0.0,
        max_drawdown=drawdown(start, inside),
        orders=len(orders),
        fills=sum(1 for at in record.fill_times if _inside(at, window)),
        rejected=sum(1 for o in orders if o.status == "rejected"),
    )


def _differences(on: RunFigures, off: RunFigures) -> Differences:
    return Differences(
        final_equity=on.final_equity - off.final_equity,
        total_return=on.total_return - off.total_return,
        max_drawdown=on.max_drawdown - off.max_drawdown,
        orders=on.orders - off.orders,
        fills=on.fills - off.fills,
    )


def _period_end(
    trip: EventFact, events: Sequence[EventFact], window: Window
) -> tuple[datetime, str]:
    """The next reset to ``active`` after ``trip`` inside the window, else the window's end."""
    for event in events:
        if trip.at < event.at < window.end and event.event == RESET_EVENT:
            return event.at, "reset"
    return window.end, "window end"


def _leg(record: SessionRecord, at: datetime, before: datetime) -> tuple[float, float]:
    """Return and drawdown of ``record`` from ``at`` over the snapshots ``at < ts < before``."""
    base = equity_at(record.points, at, record.initial_cash)
    later = _segment(record.points, at, before)
    end = later[-1] if later else base
    return (end / base - 1.0 if base > 0 else 0.0), drawdown(base, later)


def trip_effect(
    trip: EventFact, on: SessionRecord, off: SessionRecord, window: Window
) -> TripEffect:
    """What the trip changed (module docstring)."""
    end, ended_by = _period_end(trip, on.events, window)
    before = end + _TICK if ended_by == "reset" else end  # a reset's own snapshot counts
    return_on, drawdown_on = _leg(on, trip.at, before)
    return_off, drawdown_off = _leg(off, trip.at, before)
    return TripEffect(
        period_end=end,
        ended_by=ended_by,
        return_with=return_on,
        return_without=return_off,
        return_difference=return_on - return_off,
        drawdown_with=drawdown_on,
        drawdown_without=drawdown_off,
        drawdown_difference=drawdown_on - drawdown_off,
    )


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def trip_view(trip: EventFact, on: SessionRecord, off: SessionRecord, window: Window) -> TripView:
    details = trip.details
    return TripView(
        at=trip.at,
        breaker=str(details.get("breaker") or details.get("name") or "unknown"),
        value=_number(details.get("value")),
        threshold=_number(details.get("threshold")),
        state=trip.to_state,
        reason=trip.reason,
        effect=trip_effect(trip, on, off, window),
    )


def rejection_rule(reason: str | None) -> str:
    """The group a rejection's reason belongs to (``pre-trade rule NAME: ...`` -> NAME)."""
    text = reason or ""
    if text.startswith(PRE_TRADE_PREFIX):
        return text[len(PRE_TRADE_PREFIX) :].split(":", 1)[0].strip() or VENUE_GROUP
    if text.startswith(STATE_PREFIX):
        return TRADING_STATE_GROUP
    return VENUE_GROUP


def group_rejections(orders: Sequence[OrderFact]) -> tuple[RejectionGroup, ...]:
    """The rejected orders by rule, most frequent first (then by name); the first few of each."""
    groups: dict[str, list[OrderFact]] = {}
    for order in sorted(orders, key=lambda o: o.at):
        if order.status == "rejected":
            groups.setdefault(rejection_rule(order.reason), []).append(order)
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return tuple(
        RejectionGroup(
            rule=rule,
            count=len(found),
            examples=tuple(
                RejectionExample(at=o.at, symbol=o.symbol, reason=o.reason or "")
                for o in found[:EXAMPLES_PER_RULE]
            ),
        )
        for rule, found in ranked
    )


def build_comparison(on: SessionRecord, off: SessionRecord, window: Window) -> Comparison:
    """The report's figures (module docstring); ``on`` ran with the safety layer."""
    with_safety, without_safety = run_figures(on, window), run_figures(off, window)
    events = sorted(on.events, key=lambda e: e.at)
    inside = [e for e in events if _inside(e.at, window)]
    trips = [trip_view(e, on, off, window) for e in inside if e.event == TRIP_EVENT]
    changes = [
        StateChangeView(
            at=e.at,
            event=e.event,
            from_state=e.from_state,
            to_state=e.to_state,
            actor=e.actor,
            reason=e.reason,
        )
        for e in inside
    ]
    return Comparison(
        with_safety=with_safety,
        without_safety=without_safety,
        difference=_differences(with_safety, without_safety),
        trips=tuple(trips),
        state_changes=tuple(changes),
        rejections=group_rejections([o for o in on.orders if _inside(o.at, window)]),
        events_before_window=sum(1 for e in events if e.at < window.start),
    )
