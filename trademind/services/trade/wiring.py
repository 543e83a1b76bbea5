"""The parts of one session: the replay clock, the broker factory with ``paper`` registered,
the entry sizing estimate and the entry order shape."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Final

from trademind.agents.risk_sizing import EntryLimits, RiskSizer
from trademind.brokers.base import Broker, Publish
from trademind.brokers.paper import PaperConfig
from trademind.core.clock import Clock, ensure_utc
from trademind.core.orders import OrderType, TimeInForce
from trademind.execution.entry_orders import EntryOrders, Sizer, SizingRequest
from trademind.execution.factory import BrokerFactory
from trademind.execution.gate import OrderGate
from trademind.execution.router import ExecutionRouter
from trademind.fills.sizing import DUST_FRACTION
from trademind.services.trade.progress import ProgressJournal, ResumableBroker

_SHARE_STEP: Final = Decimal("0.00000001")
"""Quantities are stored with 8 decimals."""


class ReplayClock:
    """Simulated time for a replay: the wall time is whatever the replay set (each bar's
    close); monotonic time is the real clock's (durations stay real)."""

    def __init__(self, start: datetime, real: Clock) -> None:
        self._now = ensure_utc(start, what="replay start")
        self._real = real

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._real.monotonic()

    def set_time(self, when: datetime) -> None:
        self._now = ensure_utc(when, what="replay time")


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperBrokerSpec:
    """What the ``paper`` kind of the broker factory builds a broker from."""

    config: PaperConfig
    journal: ProgressJournal
    publish: Publish
    clock: Clock


def make_paper_broker(spec: PaperBrokerSpec) -> Broker:
    """A resumable paper broker (:class:`~trademind.services.trade.progress.ResumableBroker`)."""
    return ResumableBroker(
        spec.config, journal=spec.journal, publish=spec.publish, clock=spec.clock
    )


def broker_factory() -> BrokerFactory:
    """The broker factory with every broker that exists registered: ``paper``."""
    factory = BrokerFactory()
    factory.register("paper", make_paper_broker)
    return factory


def session_router(
    config: PaperConfig,
    broker: Broker,
    publish: Publish,
    gate: OrderGate,
    limits: EntryLimits | None = None,
) -> ExecutionRouter:
    """The router of a session (replay or paper) on ``broker``: entries sized and shaped as
    the account's execution rules say, cut to the room ``limits`` leave (the risk agent's
    sizing, when the safety layer is on), every order through ``gate`` (the trading state and
    the pre-trade rules)."""
    sizer: Sizer = estimate_sizer(config)
    if limits is not None:
        sizer = RiskSizer(sizer, limits)
    return ExecutionRouter(
        broker,
        sizer=sizer,
        entry_orders=entry_orders(config),
        publish=publish,
        gate=gate,
    )


def entry_orders(config: PaperConfig) -> EntryOrders:
    """Entry orders shaped as the account's ``order`` spec says (as the backtest places them)."""
    spec = config.order
    return EntryOrders(
        order_type=OrderType(spec.order_type),
        time_in_force=TimeInForce(spec.time_in_force),
        limit_offset=spec.limit_offset,
        stop_offset=spec.stop_offset,
    )


def estimate_sizer(config: PaperConfig) -> Sizer:
    """The entry quantity placed with an order: the sizing rule at the decision's close over
    the account's equity and cash. It is an estimate: the paper venue sizes the order again at
    its first fill (the backtest's rule, see docs/trading.md), so where the rule cannot tell
    yet (no volatility estimate, no cash) the estimate is the whole cash's worth, at least one
    share, and the venue decides (and rejects with a reason when nothing can be bought)."""

    def size(request: SizingRequest) -> Decimal:
        price = float(request.price)
        cash = float(request.account.cash)
        equity = float(request.account.portfolio_value)
        affordable = max(cash, 0.0) / price
        quantity = config.sizing.quantity(price, equity, affordable)
        if not config.fractional_shares:
            quantity = math.floor(quantity)
        if not quantity * price >= DUST_FRACTION * max(equity, 0.0):
            quantity = max(1.0, math.floor(affordable))  # nothing or dust: the venue decides
        return Decimal(repr(float(quantity))).quantize(_SHARE_STEP, rounding=ROUND_DOWN)

    return size
