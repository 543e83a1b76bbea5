"""Where a session stopped is saved with the venue state it describes, in one write, and a
broker rebuilt from it does not open an opened batch twice (trademind.services.trade.progress)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from trademind.bootstrap import build_database as open_database
from trademind.brokers.paper import PaperConfig
from trademind.brokers.paper.broker import STATE_NAME
from trademind.config import load_config
from trademind.core.clock import TestClock
from trademind.core.events import Event
from trademind.core.market import Bar, TradingMode
from trademind.core.orders import Order, OrderSide
from trademind.db.session import Database
from trademind.fills.commission import ZeroCommission
from trademind.fills.slippage import NoSlippage
from trademind.portfolio.journal import SqlBrokerJournal
from trademind.portfolio.store import LedgerStore
from trademind.services.trade.progress import (
    Progress,
    ProgressJournal,
    ResumableBroker,
    read_progress,
)

START = datetime(2024, 1, 2, tzinfo=UTC)
CONFIG = PaperConfig(account_id="p", commission=ZeroCommission(), slippage=NoSlippage())


def bar(day: int, price: float) -> Bar:
    return Bar(symbol="AAPL", timeframe="1d", ts=START + timedelta(days=day), open=price,
               high=price + 1, low=price - 1, close=price, volume=1e6)  # fmt: skip


@pytest.fixture
def journal(isolated_environment: Path) -> Iterator[SqlBrokerJournal]:
    database: Database = open_database(load_config(None).settings)
    clock = TestClock(START)
    LedgerStore(database, clock).open_account(
        "p", mode=TradingMode.REPLAY, broker="paper", starting_cash=Decimal(100_000)
    )
    yield SqlBrokerJournal(database, clock)
    database.dispose()


async def ignore(event: Event) -> None:
    return None


def broker(journal: SqlBrokerJournal) -> ResumableBroker:
    return ResumableBroker(CONFIG, journal=ProgressJournal(journal), publish=ignore,
                           clock=TestClock(START))  # fmt: skip


async def test_the_progress_is_saved_with_the_venue_state(journal: SqlBrokerJournal) -> None:
    first = broker(journal)
    assert first.resumed_from is None
    await first.connect()
    await first.open_bars([bar(0, 100)])
    assert read_progress(journal.load_state("p", STATE_NAME)) == Progress(bar(0, 100).ts, False)
    await first.close_bars([bar(0, 100)])
    assert read_progress(journal.load_state("p", STATE_NAME)) == Progress(bar(0, 100).ts, True)


async def test_a_batch_opened_before_a_stop_is_not_opened_twice(journal: SqlBrokerJournal) -> None:
    first = broker(journal)
    await first.connect()
    await first.open_bars([bar(0, 100)])
    await first.close_bars([bar(0, 100)])
    order = Order(client_order_id="b1", symbol="AAPL", side=OrderSide.BUY, quantity=Decimal(10))
    await first.place_order(order)
    await first.open_bars([bar(1, 102)])  # b1 fills at this open; then the process stops

    again = broker(journal)
    assert again.resumed_from == Progress(bar(1, 100).ts, closed=False)
    await again.connect()
    await again.open_bars([bar(1, 102)])  # the resumed loop repeats the batch: no second open
    await again.close_bars([bar(1, 102)])
    document = journal.load_state("p", STATE_NAME)
    assert document is not None
    assert [book["bars"] for book in document["books"]] == [2]  # bars 0 and 1, each once
    fills = journal.load_fills("p")
    assert [(f.order_id, f.price) for f in fills] == [("b1", Decimal(102))]
    (position,) = await again.get_positions()
    assert position.quantity > 0
    await again.open_bars([bar(2, 104)])  # the next batch opens as usual
    assert read_progress(journal.load_state("p", STATE_NAME)) == Progress(bar(2, 100).ts, False)
