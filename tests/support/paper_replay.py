"""Drive a PaperBroker bar by bar with a strategy's vectorised signals (the parity test's
trading loop), and read the backtest's numbers back from what the broker reported.

The driver follows the kernel's policy (``trademind.fills.policy.signal_action``) from the
broker's own positions and working orders; entry orders take their type, offsets and time in
force from the config's ``order`` and their prices from the decision bar's close
(``fills.orders.order_prices``), as the backtest places them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np

from trademind.brokers.paper import PaperBroker, PaperConfig
from trademind.core.clock import TestClock
from trademind.core.events import Event, OrderStatusChanged
from trademind.core.market import Bar
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Fill, Order, OrderSide, OrderType, TimeInForce
from trademind.fills.orders import order_prices
from trademind.fills.policy import CANCEL_ENTRY, PLACE_ENTRY, PLACE_EXIT, signal_action
from trademind.strategies.base import Bars, Signals
from trademind.testing.journal import MemoryJournal


@dataclass
class Replay:
    """What a replay produced: equity after every timestamp, the fills, the orders, events."""

    equity: list[float] = field(default_factory=list)
    cash: list[float] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    journal: MemoryJournal = field(default_factory=MemoryJournal)


def exact(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def timeline(bars: list[Bars]) -> list[tuple[int, list[tuple[int, int]]]]:
    """Every timestamp with the (symbol, bar index) pairs at it, symbols in the order given."""
    at: dict[int, list[tuple[int, int]]] = {}
    for k, one in enumerate(bars):
        for i, ts in enumerate(one.ts.tolist()):
            at.setdefault(int(ts), []).append((k, i))
    return sorted(at.items())


def bar_at(one: Bars, i: int, timeframe: str) -> Bar:
    return Bar(
        symbol=one.symbol,
        timeframe=timeframe,
        ts=datetime.fromtimestamp(int(one.ts[i]) / 1e9, UTC),
        open=float(one.open[i]),
        high=float(one.high[i]),
        low=float(one.low[i]),
        close=float(one.close[i]),
        volume=float(one.volume[i]),
    )


async def decide(broker: PaperBroker, config: PaperConfig, bar: Bar, index: int,
                 signal: tuple[bool, bool]) -> None:  # fmt: skip
    """The kernel's signal policy on the broker's own book."""
    symbol = bar.symbol
    held = {p.symbol: p for p in await broker.get_positions()}
    working = [
        s for s in await broker.get_orders()
        if s.order.symbol == symbol and not s.status.is_terminal
    ]  # fmt: skip
    entries = [s for s in working if s.order.side is OrderSide.BUY]
    exits = [s for s in working if s.order.side is OrderSide.SELL]
    action = signal_action(signal[0], signal[1], symbol in held, bool(entries), bool(exits))
    if action == PLACE_EXIT:
        order = Order(client_order_id=f"{symbol}-{index}-sell", symbol=symbol,
                      side=OrderSide.SELL, quantity=held[symbol].quantity)  # fmt: skip
        await broker.place_order(order)
    elif action == CANCEL_ENTRY:
        await broker.cancel_order(entries[0].client_order_id)
    elif action == PLACE_ENTRY:
        await broker.place_order(await entry_order(broker, config, bar, index))


async def entry_order(broker: PaperBroker, config: PaperConfig, bar: Bar, index: int) -> Order:
    spec = config.order
    limit, stop = order_prices(spec.type_code, True, bar.close, spec.limit_offset, spec.stop_offset)
    cash = float((await broker.get_account()).cash)
    estimate = max(1.0, math.floor(cash / bar.close))  # replaced at the first fill
    return Order(
        client_order_id=f"{bar.symbol}-{index}-buy",
        symbol=bar.symbol,
        side=OrderSide.BUY,
        quantity=exact(estimate),
        order_type=OrderType(spec.order_type),
        time_in_force=TimeInForce(spec.time_in_force),
        limit_price=None if math.isnan(limit) else exact(limit),
        stop_price=None if math.isnan(stop) else exact(stop),
    )


async def replay(bars: list[Bars], signals: list[Signals], config: PaperConfig, *,
                 timeframe: str = "1d", restart_at: int | None = None) -> Replay:  # fmt: skip
    """Replay ``bars`` through a new PaperBroker; at step ``restart_at`` throw the broker away
    and build a new one on the same journal (a restart)."""
    result = Replay()

    async def publish(event: Event) -> None:
        result.events.append(event)

    clock = TestClock()

    def build() -> PaperBroker:
        return PaperBroker(config, journal=result.journal, publish=publish, clock=clock)

    broker = build()
    await broker.connect()
    for step, (ts, present) in enumerate(timeline(bars)):
        if step == restart_at:
            broker = build()
            await broker.connect()
        clock.set_time(max(clock.now(), datetime.fromtimestamp(ts / 1e9, UTC)))
        at = [bar_at(bars[k], i, timeframe) for k, i in present]
        await broker.open_bars(at)
        for (k, i), bar in zip(present, at, strict=True):
            await decide(broker, config, bar, i, (bool(signals[k].entries[i]),
                                                  bool(signals[k].exits[i])))  # fmt: skip
        await broker.close_bars(at)
        account = await broker.get_account()
        result.equity.append(float(account.portfolio_value))
        result.cash.append(float(account.cash))
    return result


@dataclass
class Trip:
    """A round trip rebuilt from fills with the kernel's float arithmetic."""

    symbol: int
    entry_ts: int
    exit_ts: int = -1
    position: float = 0.0
    entry_quantity: float = 0.0
    entry_value: float = 0.0
    exit_quantity: float = 0.0
    exit_value: float = 0.0
    commission_in: float = 0.0
    commission_out: float = 0.0


def ns(when: datetime) -> int:
    return int(np.datetime64(when.replace(tzinfo=None), "ns").astype(np.int64))


def round_trips(fills: list[Fill], symbols: list[str]) -> list[Trip]:
    """The round trips of ``fills`` in the engine's order (entry time, then symbol)."""
    done: list[Trip] = []
    open_: dict[str, Trip] = {}
    for fill in fills:
        quantity, price = float(fill.quantity), float(fill.price)
        value, commission = quantity * price, float(fill.commission)
        trip = open_.get(fill.symbol)
        if fill.side is OrderSide.BUY:
            if trip is None:
                trip = open_[fill.symbol] = Trip(symbols.index(fill.symbol), ns(fill.ts))
            trip.position += quantity
            trip.entry_quantity += quantity
            trip.entry_value += value
            trip.commission_in += commission
            continue
        assert trip is not None
        trip.exit_quantity += quantity
        trip.exit_value += value
        trip.commission_out += commission
        if quantity < trip.position:
            trip.position = trip.position - quantity
        else:
            trip.position = 0.0
            trip.exit_ts = ns(fill.ts)
            done.append(open_.pop(fill.symbol))
    trips = done + list(open_.values())
    return sorted(trips, key=lambda t: (t.entry_ts, t.symbol))


def counts(result: Replay) -> dict[str, int]:
    """The engine's order counts from the broker's events and final states."""
    states = result.journal.load_orders(next(iter(result.journal.orders)))
    changes = [e.state for e in result.events if isinstance(e, OrderStatusChanged)]

    def cash_end(s: object) -> bool:
        reason = getattr(s, "reason", None) or ""
        return reason.startswith("insufficient buying power")

    return {
        "orders": len(states),
        "fills": sum(len(f) for f in result.journal.fills.values()),
        "partial_fills": sum(s.status is OrderStatus.PARTIALLY_FILLED for s in changes),
        "rejected": sum(s.status is OrderStatus.REJECTED or (
            s.status is OrderStatus.CANCELLED and cash_end(s)) for s in states),
        "cancelled": sum(s.status is OrderStatus.CANCELLED and not cash_end(s) for s in states),
        "expired": sum(s.status is OrderStatus.EXPIRED for s in states),
        "open_at_end": sum(not s.status.is_terminal for s in states),
    }  # fmt: skip
