"""The paper broker's outbox (issue 10, item 11): a process that dies after saving the venue
state but before journalling the step's order states and fills loses nothing; a broker built
on the same journal journals them and works exactly what the venue saved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from trademind.brokers.paper import PaperBroker, PaperConfig
from trademind.brokers.paper.outbox import from_documents, to_documents
from trademind.core.clock import TestClock
from trademind.core.events import Event
from trademind.core.market import Bar
from trademind.core.order_state import OrderState
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Fill, Order, OrderSide, OrderType
from trademind.fills.commission import ZeroCommission
from trademind.fills.slippage import NoSlippage
from trademind.testing.journal import MemoryJournal

START = datetime(2024, 1, 2, tzinfo=UTC)
ACCOUNT = "paper"


class Killed(Exception):
    """Stands for the process dying between two writes."""


class DyingJournal(MemoryJournal):
    """A journal whose process dies at the first order or fill recorded once ``armed``."""

    armed = False

    def record_order(self, account: str, state: OrderState) -> None:
        if self.armed:
            raise Killed
        super().record_order(account, state)

    def record_fill(self, account: str, fill: Fill) -> bool:
        if self.armed:
            raise Killed
        return super().record_fill(account, fill)


def _bar(day: int, price: float) -> Bar:
    return Bar(symbol="AAPL", timeframe="1d", ts=START + timedelta(days=day), open=price,
               high=price + 1, low=price - 1, close=price, volume=1e6)  # fmt: skip


async def _ignore(event: Event) -> None:
    return None


def _broker(journal: MemoryJournal) -> PaperBroker:
    config = PaperConfig(commission=ZeroCommission(), slippage=NoSlippage())
    return PaperBroker(config, journal=journal, publish=_ignore, clock=TestClock(START))


def _buy(order_id: str) -> Order:
    return Order(client_order_id=order_id, symbol="AAPL", side=OrderSide.BUY,
                 quantity=Decimal(10), order_type=OrderType.MARKET)  # fmt: skip


async def test_an_order_placed_before_the_crash_is_journalled_and_worked_after_it() -> None:
    journal = DyingJournal()
    broker = _broker(journal)
    await broker.connect()
    await broker.open_bars([_bar(0, 100.0)])
    await broker.close_bars([_bar(0, 100.0)])
    journal.armed = True
    with pytest.raises(Killed):
        await broker.place_order(_buy("b1"))
    assert journal.load_orders(ACCOUNT) == []  # the crash came before the journal write
    journal.armed = False
    restarted = _broker(journal)
    assert [s.client_order_id for s in journal.load_orders(ACCOUNT)] == ["b1"]
    await restarted.connect()
    await restarted.open_bars([_bar(1, 101.0)])
    assert [(f.order_id, f.price) for f in journal.load_fills(ACCOUNT)] == [("b1", Decimal(101))]
    assert journal.load_orders(ACCOUNT)[0].status is OrderStatus.FILLED


async def test_a_fill_booked_by_the_venue_before_the_crash_is_journalled_once() -> None:
    journal = DyingJournal()
    broker = _broker(journal)
    await broker.connect()
    await broker.open_bars([_bar(0, 100.0)])
    await broker.close_bars([_bar(0, 100.0)])
    await broker.place_order(_buy("b1"))
    journal.armed = True
    with pytest.raises(Killed):
        await broker.open_bars([_bar(1, 101.0)])
    journal.armed = False
    _broker(journal)
    _broker(journal)  # a second restart journals the same outbox again: nothing new
    assert [f.execution_id for f in journal.load_fills(ACCOUNT)] == ["paper-1"]
    assert journal.load_orders(ACCOUNT)[0].status is OrderStatus.FILLED


def test_the_outbox_reads_back_what_was_written() -> None:
    order = _buy("b1")
    state = OrderState(order=order, status=OrderStatus.OPEN, quantity=Decimal("10.5"),
                       filled_quantity=Decimal(0), average_fill_price=None,
                       submitted_at=START, updated_at=START, reason="why")  # fmt: skip
    fill = Fill(order_id="b1", symbol="AAPL", side=OrderSide.BUY, quantity=Decimal("0.1"),
                price=Decimal("101.25"), ts=START, commission=Decimal("0.01"),
                execution_id="paper-1")  # fmt: skip
    assert from_documents(to_documents([state, fill])) == [state, fill]
    assert from_documents(None) == []
