"""The paper broker as a Broker: rejections with reasons, idempotency, cancel, events in order,
the journal written before each event, protective exits as orders, resuming from the journal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from trademind.brokers.base import Broker, SimulatedVenue
from trademind.brokers.paper import PaperBroker, PaperConfig
from trademind.core.clock import TestClock
from trademind.core.errors import BrokerError, OrderRejectedError
from trademind.core.events import AccountUpdated, Event, OrderFilled, OrderStatusChanged
from trademind.core.market import Bar
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Order, OrderSide, OrderType, TimeInForce
from trademind.fills.commission import ZeroCommission
from trademind.fills.slippage import NoSlippage
from trademind.testing.journal import MemoryJournal

START = datetime(2024, 1, 2, tzinfo=UTC)


def bar(day: int, open_: float, high: float, low: float, close: float, *, symbol: str = "AAPL",
        volume: float = 1e6) -> Bar:  # fmt: skip
    return Bar(symbol=symbol, timeframe="1d", ts=START + timedelta(days=day), open=open_,
               high=high, low=low, close=close, volume=volume)  # fmt: skip


def buy(order_id: str = "b1", symbol: str = "AAPL", **fields: Any) -> Order:
    return Order(client_order_id=order_id, symbol=symbol, side=OrderSide.BUY,
                 quantity=Decimal(10), **fields)  # fmt: skip


class Harness:
    def __init__(self, journal: MemoryJournal | None = None, **config: Any) -> None:
        self.journal = journal or MemoryJournal()
        self.events: list[Event] = []
        self.journaled_first: list[bool] = []
        self.clock = TestClock(START)
        options: dict[str, Any] = {"commission": ZeroCommission(), "slippage": NoSlippage()}
        self.config = PaperConfig(**(options | config))
        self.broker = PaperBroker(self.config, journal=self.journal, publish=self.publish,
                                  clock=self.clock)  # fmt: skip

    async def publish(self, event: Event) -> None:
        if isinstance(event, OrderFilled):
            fills = self.journal.load_fills(self.config.account_id)
            self.journaled_first.append(event.fill in fills)
        if isinstance(event, OrderStatusChanged):
            orders = self.journal.load_orders(self.config.account_id)
            self.journaled_first.append(event.state in orders)
        self.events.append(event)

    async def step(self, one: Bar) -> None:
        await self.broker.open_bars([one])
        await self.broker.close_bars([one])


async def connected(**config: Any) -> Harness:
    harness = Harness(**config)
    await harness.broker.connect()
    return harness


async def test_it_is_a_broker_and_a_simulated_venue() -> None:
    harness = await connected()
    assert isinstance(harness.broker, Broker)
    assert isinstance(harness.broker, SimulatedVenue)
    assert harness.broker.name == "paper"
    assert harness.broker.is_connected()


async def test_rejections_carry_their_reason() -> None:
    harness = await connected(symbols=("AAPL", "MSFT"))
    broker = harness.broker
    unknown = await broker.place_order(buy("u1", "TSLA"))
    no_quote = await broker.place_order(buy("q1", "MSFT"))
    assert unknown.status is OrderStatus.REJECTED
    assert unknown.reason is not None
    assert unknown.reason.startswith("unknown symbol TSLA")
    assert no_quote.status is OrderStatus.REJECTED
    assert no_quote.reason is not None
    assert no_quote.reason.startswith("no quote for MSFT")
    await harness.step(bar(0, 100, 101, 99, 100))
    sell = Order(client_order_id="s1", symbol="AAPL", side=OrderSide.SELL, quantity=Decimal(1))
    nothing = await broker.place_order(sell)
    assert nothing.reason == "no position in AAPL to sell"
    assert len(harness.journal.load_orders("paper")) == 3


async def test_market_closed_is_a_rejection() -> None:
    harness = await connected(is_market_open=lambda when: False)
    await harness.step(bar(0, 100, 101, 99, 100))
    state = await harness.broker.place_order(buy())
    assert (state.status, state.reason) == (OrderStatus.REJECTED, "market closed")


async def test_no_cash_for_one_whole_share_is_insufficient_buying_power() -> None:
    harness = await connected(initial_cash=50.0, fractional_shares=False)
    await harness.step(bar(0, 100, 101, 99, 100))
    placed = await harness.broker.place_order(buy())
    assert placed.status is OrderStatus.OPEN
    await harness.step(bar(1, 100, 101, 99, 100))
    (state,) = await harness.broker.get_orders()
    assert (state.status, state.reason) == (OrderStatus.REJECTED, "insufficient buying power")


async def test_a_malformed_order_is_refused_at_the_port() -> None:
    harness = await connected()
    with pytest.raises(OrderRejectedError, match="time in force ioc"):
        await harness.broker.place_order(buy(time_in_force=TimeInForce.IOC))
    assert harness.journal.load_orders("paper") == []


async def test_placing_needs_a_connection() -> None:
    harness = Harness()
    with pytest.raises(BrokerError, match="not connected"):
        await harness.broker.place_order(buy())


async def test_the_same_client_order_id_is_one_order() -> None:
    harness = await connected()
    await harness.step(bar(0, 100, 101, 99, 100))
    first = await harness.broker.place_order(buy())
    again = await harness.broker.place_order(buy())
    assert again == first
    assert len(harness.journal.load_orders("paper")) == 1
    assert sum(isinstance(e, OrderStatusChanged) for e in harness.events) == 1


async def test_cancel_a_working_order_and_unknown_ones() -> None:
    harness = await connected()
    await harness.step(bar(0, 100, 101, 99, 100))
    limit = buy(order_type=OrderType.LIMIT, limit_price=Decimal(90), time_in_force="gtc")
    await harness.broker.place_order(limit)
    await harness.step(bar(1, 100, 101, 95, 100))  # not reached: keeps working
    cancelled = await harness.broker.cancel_order("b1")
    assert (cancelled.status, cancelled.reason) == (OrderStatus.CANCELLED, "cancelled by request")
    assert await harness.broker.cancel_order("b1") == cancelled  # terminal: unchanged
    with pytest.raises(BrokerError, match="unknown order nope"):
        await harness.broker.cancel_order("nope")
    await harness.step(bar(2, 80, 85, 79, 84))
    assert await harness.broker.get_positions() == []


async def test_fill_sized_at_the_first_fill_events_in_order_journal_first() -> None:
    harness = await connected(initial_cash=10_000.0, fractional_shares=False)
    await harness.step(bar(0, 100, 101, 99, 100))
    await harness.broker.place_order(buy())
    await harness.step(bar(1, 125, 126, 124, 125))
    kinds = [type(e) for e in harness.events if not isinstance(e, AccountUpdated)]
    assert kinds == [OrderStatusChanged, OrderFilled, OrderStatusChanged]
    fill = next(e.fill for e in harness.events if isinstance(e, OrderFilled))
    assert (fill.quantity, fill.price, fill.ts) == (
        Decimal(80),
        Decimal("125.0"),
        START + timedelta(days=1),
    )
    (state,) = await harness.broker.get_orders(OrderStatus.FILLED)
    assert state.quantity == Decimal(80)  # the all-in size at the fill, not the estimate 10
    assert all(harness.journaled_first)
    (position,) = await harness.broker.get_positions()
    assert (position.quantity, position.market_price) == (Decimal(80), Decimal("125.0"))
    account = await harness.broker.get_account()
    assert account.cash == Decimal("0.0")
    assert account.portfolio_value == Decimal("10000.0")
    assert account.buying_power == Decimal("0.0")
    assert account.day_trades_remaining is None


async def test_a_stop_loss_is_a_venue_order_derived_from_the_entry() -> None:
    harness = await connected(stop_loss=0.1, fractional_shares=False, initial_cash=1_000.0)
    await harness.step(bar(0, 100, 101, 99, 100))
    await harness.broker.place_order(buy("entry-7"))
    await harness.step(bar(1, 100, 101, 99, 100))
    await harness.step(bar(2, 95, 96, 85, 88))
    orders = {s.client_order_id: s for s in await harness.broker.get_orders()}
    stop = orders["entry-7.sl"]
    assert stop.status is OrderStatus.FILLED
    assert stop.order.side is OrderSide.SELL
    assert stop.average_fill_price == Decimal("90.0")
    assert await harness.broker.get_positions() == []


async def test_a_day_limit_order_expires_after_its_session() -> None:
    harness = await connected()
    await harness.step(bar(0, 100, 101, 99, 100))
    await harness.broker.place_order(buy(order_type=OrderType.LIMIT, limit_price=Decimal(90)))
    await harness.step(bar(1, 100, 101, 95, 100))
    await harness.step(bar(2, 100, 101, 95, 100))
    (state,) = await harness.broker.get_orders()
    assert state.status is OrderStatus.EXPIRED


async def test_a_broker_rebuilt_from_the_journal_continues_the_same() -> None:
    bars = [bar(d, 100 + d, 102 + d, 98 + d, 101 + d) for d in range(6)]
    uninterrupted = await connected(stop_loss=0.5, trailing_stop=0.02)
    first = await connected(stop_loss=0.5, trailing_stop=0.02)
    for harness in (uninterrupted, first):
        await harness.step(bars[0])
        await harness.broker.place_order(buy())
        await harness.step(bars[1])
        await harness.step(bars[2])
    second = Harness(first.journal, stop_loss=0.5, trailing_stop=0.02)
    await second.broker.connect()
    for harness in (uninterrupted, second):
        for one in bars[3:]:
            await harness.step(one)
        await harness.step(bar(6, 103, 104, 95, 96))
    assert second.journal.load_fills("paper") == uninterrupted.journal.load_fills("paper")
    assert await second.broker.get_account() == await uninterrupted.broker.get_account()
    assert await second.broker.get_orders() == await uninterrupted.broker.get_orders()
    assert len(second.journal.load_fills("paper")) == 2  # bought, then the trailing stop sold


class Died(Exception):
    """Stands for the process being killed at that write."""


class DyingJournal(MemoryJournal):
    """A journal whose next venue-state save kills the process (raises), once armed."""

    armed = False

    def save_state(self, account: str, name: str, document: dict[str, Any]) -> None:
        if self.armed:
            self.armed = False
            raise Died(name)
        super().save_state(account, name, document)


async def test_an_order_whose_save_died_is_neither_journaled_nor_lost_when_placed_again(
) -> None:  # fmt: skip
    """The venue state and the step's outbox are one write: dying at it leaves no trace of the
    order, and the resumed process placing it again enters it once."""
    journal = DyingJournal()
    first = Harness(journal)
    await first.broker.connect()
    await first.broker.open_bars([bar(0, 100, 101, 99, 100)])
    journal.armed = True
    with pytest.raises(Died):
        await first.broker.place_order(buy("b1"))
    assert journal.load_orders("paper") == []

    again = Harness(journal)  # the resumed process, on the same bar
    await again.broker.connect()
    state = await again.broker.place_order(buy("b1"))
    assert state.status is OrderStatus.OPEN
    await again.broker.close_bars([bar(0, 100, 101, 99, 100)])
    await again.step(bar(1, 102, 103, 101, 102))
    assert [(f.order_id, f.price) for f in journal.load_fills("paper")] == [("b1", Decimal(102))]


async def test_a_cancel_whose_save_died_leaves_the_order_working_until_cancelled_again() -> None:
    """The cancel and the venue state are one write: dying at it leaves the order as it was
    (journal and venue agree), and the resumed loop's cancel ends it once."""
    journal = DyingJournal()
    first = Harness(journal)
    await first.broker.connect()
    await first.broker.open_bars([bar(0, 100, 101, 99, 100)])
    limit = buy("b1", order_type=OrderType.LIMIT, limit_price=Decimal(90),
                time_in_force=TimeInForce.GTC)  # fmt: skip
    await first.broker.place_order(limit)
    await first.broker.close_bars([bar(0, 100, 101, 99, 100)])
    await first.broker.open_bars([bar(1, 95, 96, 94, 95)])
    journal.armed = True
    with pytest.raises(Died):
        await first.broker.cancel_order("b1")
    assert journal.load_orders("paper")[0].status is OrderStatus.OPEN

    again = Harness(journal)
    await again.broker.connect()
    assert (await again.broker.cancel_order("b1")).status is OrderStatus.CANCELLED
    await again.broker.close_bars([bar(1, 95, 96, 94, 95)])
    await again.step(bar(2, 85, 86, 80, 85))  # would fill the limit at 85 if it still worked
    assert journal.load_fills("paper") == []
    assert (await again.broker.get_orders())[0].status is OrderStatus.CANCELLED
