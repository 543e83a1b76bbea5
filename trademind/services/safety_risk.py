"""`safety circuit-breaker` and `safety heat`: the breakers and the heat of an account, from
what its ledger stores (fills, snapshots, orders), through the pure evaluators of
:mod:`trademind.safety.breakers` and :mod:`trademind.safety.exposure`.

The breakers are measured as a trading session measures them
(:mod:`trademind.runtime.circuit_breakers`): the trading day is the New York date, its start
the equity of the last snapshot of an earlier trading day; the drawdown from the peak since
the last reset asks for ``drawdown_action``; the losing streak counts the round trips closed
since the last reset; the rejection count looks at the last ``rejection_window`` orders that
ended, counting the broker's rejections only (not the safety layer's refusals).

Nothing is guessed: a breaker that lacks its data (no snapshot before today for the daily
loss) says so and is not evaluated. A position's stop is the account's working protective stop
order for it when one is stored (the nearest to the price), else the configured
``safety.default_stop_loss`` below (above, for a short) the average cost; each position says
which it used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.core.errors import ValidationError
from trademind.core.order_status import OrderStatus
from trademind.core.orders import OrderSide, OrderType
from trademind.db.models import Order as OrderRow
from trademind.execution.gate import SAFETY_REFUSALS
from trademind.safety.breakers import (
    BreakerTrip,
    ConsecutiveLossesBreaker,
    DailyLossBreaker,
    DrawdownBreaker,
    RejectionRateBreaker,
)
from trademind.safety.exposure import StopRisk, heat
from trademind.safety.sessions import NEW_YORK
from trademind.safety.state import StateEvent
from trademind.services.ledger_access import AccountView, OpenedLedger, open_ledger
from trademind.services.safety_service import StateChangeView, state_history

if TYPE_CHECKING:
    from trademind.config.sections_trading import SafetySettings
    from trademind.core.accounts import Position
    from trademind.core.clock import Clock
    from trademind.db.session import Database

_ORDERS: Final = cast(sa.Table, OrderRow.__table__)
_WORKING: Final = (
    OrderStatus.PENDING.value,
    OrderStatus.PRESUBMITTED.value,
    OrderStatus.OPEN.value,
    OrderStatus.PARTIALLY_FILLED.value,
)
_STOP_TYPES: Final = (OrderType.STOP.value, OrderType.STOP_LIMIT.value)
_ENDED: Final = tuple(status.value for status in OrderStatus if status.is_terminal)
STOP_ORDER: Final = "stop order"
DEFAULT_STOP: Final = "default_stop_loss"


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakerView:
    """One breaker: its settings, the value measured (None: not evaluated, ``note`` says why),
    whether it trips now and the state it would ask for."""

    breaker: str
    unit: str  # "fraction" (of equity) or "count"
    settings: dict[str, Any]
    value: float | None
    threshold: float | None
    tripped: bool
    requested_state: str | None
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CircuitBreakerReport:
    """The breakers of an account evaluated on its stored data at ``as_of``, and the history
    of trips and resets (newest first)."""

    account: AccountView
    as_of: datetime
    enabled: bool
    breakers: tuple[BreakerView, ...]
    history: tuple[StateChangeView, ...]


def circuit_breakers(
    database: Database, clock: Clock, account: str | None, safety: SafetySettings
) -> CircuitBreakerReport:
    opened = open_ledger(database, clock, account)
    since = _last_reset(opened, database, clock)
    breakers = (
        _daily_loss(opened, safety),
        _drawdown(opened, safety, since),
        _consecutive_losses(opened, safety, since),
        _rejections(database, opened, safety),
    )
    history = state_history(
        database, clock, opened.account, {StateEvent.CIRCUIT_BREAKER_TRIPPED, StateEvent.RESET}
    )
    return CircuitBreakerReport(
        account=opened.view,
        as_of=opened.valuation.ts,
        enabled=safety.circuit_breaker.enabled,
        breakers=breakers,
        history=history,
    )


_UNITS: Final = {"daily_loss": "fraction", "max_drawdown": "fraction"}


def _view(
    name: str, settings: dict[str, Any], value: float, threshold: float, trip: BreakerTrip | None
) -> BreakerView:
    return BreakerView(
        breaker=name,
        unit=_UNITS.get(name, "count"),
        settings=settings,
        value=value,
        threshold=threshold,
        tripped=trip is not None,
        requested_state=None if trip is None else trip.state.value,
        reason="below the threshold" if trip is None else trip.reason,
    )


def _not_evaluated(name: str, settings: dict[str, Any], why: str) -> BreakerView:
    return BreakerView(
        breaker=name,
        unit=_UNITS.get(name, "count"),
        settings=settings,
        value=None,
        threshold=None,
        tripped=False,
        requested_state=None,
        reason=f"not evaluated: {why}",
    )


def _day_start(at: datetime) -> datetime:
    """Midnight in New York of ``at``'s trading day (the exchange's date), in UTC."""
    local = at.astimezone(NEW_YORK)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _last_reset(opened: OpenedLedger, database: Database, clock: Clock) -> datetime | None:
    resets = state_history(database, clock, opened.account, {StateEvent.RESET})
    return max((change.at for change in resets), default=None)


def _daily_loss(opened: OpenedLedger, safety: SafetySettings) -> BreakerView:
    settings = {"daily_loss_limit": safety.daily_loss_limit}
    as_of = opened.valuation.ts
    day_start = _day_start(as_of)
    before = opened.store.snapshot_before(opened.account, day_start)
    if before is not None:
        start = float(before.equity)
    elif opened.account.created_at >= day_start:
        start = float(opened.account.starting_cash)
    else:
        return _not_evaluated("daily_loss", settings, "no snapshot before today's start")
    try:
        breaker = DailyLossBreaker(safety.daily_loss_limit)
        equity = float(opened.valuation.equity)
        trip = breaker.evaluate(start, equity)
    except ValidationError as exc:
        return _not_evaluated("daily_loss", settings, str(exc))
    return _view("daily_loss", settings, (start - equity) / start, breaker.limit, trip)


def _drawdown(opened: OpenedLedger, safety: SafetySettings, since: datetime | None) -> BreakerView:
    breaker_settings = safety.circuit_breaker
    level, action = breaker_settings.max_drawdown, breaker_settings.drawdown_action
    settings = {"circuit_breaker.max_drawdown": level, "circuit_breaker.drawdown_action": action}
    points = opened.store.snapshots(opened.account)
    history = [] if since is not None else [float(opened.account.starting_cash)]
    history += [float(point.equity) for point in points if since is None or point.ts >= since]
    history.append(float(opened.valuation.equity))
    halts = action == "halted"
    try:
        breaker = DrawdownBreaker(
            reduce_at=None if halts else level, halt_at=level if halts else None
        )
        trip = breaker.evaluate_history(history)
    except ValidationError as exc:
        return _not_evaluated("max_drawdown", settings, str(exc))
    down = max(0.0, (max(history) - history[-1]) / max(history))
    return _view("max_drawdown", settings, down, level, trip)


def _consecutive_losses(
    opened: OpenedLedger, safety: SafetySettings, since: datetime | None
) -> BreakerView:
    limit = safety.circuit_breaker.max_consecutive_losses
    settings = {"circuit_breaker.max_consecutive_losses": limit}
    trips = opened.ledger.round_trips
    pnl = [float(t.pnl) for t in trips if since is None or t.exit_time >= since]
    streak = 0
    for value in reversed(pnl):
        if value >= 0:
            break
        streak += 1
    trip = ConsecutiveLossesBreaker(limit).evaluate(pnl)
    return _view("consecutive_losses", settings, float(streak), float(limit), trip)


def _rejections(database: Database, opened: OpenedLedger, safety: SafetySettings) -> BreakerView:
    breaker_settings = safety.circuit_breaker
    failures, window = breaker_settings.max_rejections, breaker_settings.rejection_window
    settings = {
        "circuit_breaker.max_rejections": failures,
        "circuit_breaker.rejection_window": window,
    }
    query = (
        sa.select(_ORDERS.c.status, _ORDERS.c.reject_reason)
        .where(_ORDERS.c.account_id == opened.account.id, _ORDERS.c.status.in_(_ENDED))
        .order_by(_ORDERS.c.updated_at.desc(), _ORDERS.c.id.desc())
        .limit(window * 4)
    )
    rows = database.run(lambda connection: connection.execute(query).all())
    flags = [
        row.status == OrderStatus.REJECTED.value
        for row in reversed(rows)
        if not (row.reject_reason or "").startswith(SAFETY_REFUSALS)
    ][-window:]
    trip = RejectionRateBreaker(failures, window).evaluate(flags)
    return _view("rejection_rate", settings, float(sum(flags)), float(failures), trip)


# --- heat ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PositionHeat:
    """One position's risk to its stop; ``stop_source`` is ``stop order`` or
    ``default_stop_loss``."""

    symbol: str
    quantity: Decimal
    price: Decimal
    stop: Decimal
    stop_source: str
    risk: float
    risk_pct_of_equity: float


@dataclass(frozen=True, slots=True, kw_only=True)
class HeatView:
    """Total risk to stops against ``max_portfolio_heat`` (fractions of equity)."""

    account: AccountView
    as_of: datetime
    equity: Decimal
    positions: tuple[PositionHeat, ...]
    total_risk: float
    heat: float
    max_portfolio_heat: float
    over_limit: bool


def portfolio_heat(
    database: Database, clock: Clock, account: str | None, safety: SafetySettings
) -> HeatView:
    """The heat of the account's positions at the latest stored prices."""
    opened = open_ledger(database, clock, account)
    valuation = opened.valuation
    if valuation.equity <= 0:
        raise ValidationError(
            f"account {opened.account.name} has equity {valuation.equity}; heat needs a "
            "positive equity"
        )
    stops = _stop_orders(database, opened.account.id)
    fraction = Decimal(str(safety.default_stop_loss))
    risks = [_position_stop(position, stops, fraction) for position in valuation.positions]
    report = heat([risk for risk, _ in risks], float(valuation.equity))
    equity = float(valuation.equity)
    positions = tuple(
        PositionHeat(
            symbol=risk.symbol,
            quantity=position.quantity,
            price=position.market_price,
            stop=stop,
            stop_source=source,
            risk=report.by_symbol[risk.symbol],
            risk_pct_of_equity=report.by_symbol[risk.symbol] / equity,
        )
        for position, (risk, (stop, source)) in zip(valuation.positions, risks, strict=True)
    )
    return HeatView(
        account=opened.view,
        as_of=valuation.ts,
        equity=valuation.equity,
        positions=positions,
        total_risk=report.total_risk,
        heat=report.heat,
        max_portfolio_heat=safety.max_portfolio_heat,
        over_limit=report.heat > safety.max_portfolio_heat,
    )


def _position_stop(
    position: Position, stops: Sequence[tuple[str, str, Decimal]], fraction: Decimal
) -> tuple[StopRisk, tuple[Decimal, str]]:
    long = position.quantity > 0
    exit_side = OrderSide.SELL.value if long else OrderSide.BUY.value
    prices = [
        price for symbol, side, price in stops if symbol == position.symbol and side == exit_side
    ]
    if prices:
        stop, source = (max(prices) if long else min(prices)), STOP_ORDER
    else:
        stop = position.avg_cost * (1 - fraction if long else 1 + fraction)
        source = DEFAULT_STOP
    risk = StopRisk(
        symbol=position.symbol,
        quantity=float(position.quantity),
        price=float(position.market_price),
        stop=float(stop),
    )
    return risk, (stop, source)


def _stop_orders(database: Database, account_id: int) -> list[tuple[str, str, Decimal]]:
    """(symbol, side, stop price) of the account's working stop orders."""
    query = sa.select(_ORDERS.c.symbol, _ORDERS.c.side, _ORDERS.c.stop_price).where(
        _ORDERS.c.account_id == account_id,
        _ORDERS.c.order_type.in_(_STOP_TYPES),
        _ORDERS.c.status.in_(_WORKING),
        _ORDERS.c.stop_price.is_not(None),
    )
    rows = database.run(lambda connection: connection.execute(query).all())
    return [(row.symbol, row.side, Decimal(row.stop_price)) for row in rows]
