"""The order state machine: legal moves kept, repeats no-ops, illegal transitions refused."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from trademind.core.order_state import OrderState
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Order, OrderSide
from trademind.execution.order_book import Applied, OrderBook

WHEN = datetime(2024, 1, 2, 21, tzinfo=UTC)


def _state(status: OrderStatus, filled: int = 0, *, side: OrderSide = OrderSide.BUY) -> OrderState:
    order = Order(client_order_id="o1", symbol="AAPL", side=side, quantity=Decimal(10))
    return OrderState(
        order=order,
        status=status,
        quantity=Decimal(10),
        filled_quantity=Decimal(filled),
        average_fill_price=Decimal(100) if filled else None,
        submitted_at=WHEN,
        updated_at=WHEN,
    )


def test_a_new_order_then_legal_moves_are_kept() -> None:
    book = OrderBook()
    assert book.apply(_state(OrderStatus.PENDING)) is Applied.NEW
    assert book.apply(_state(OrderStatus.OPEN)) is Applied.MOVED
    assert book.apply(_state(OrderStatus.PARTIALLY_FILLED, 4)) is Applied.MOVED
    assert book.apply(_state(OrderStatus.PARTIALLY_FILLED, 7)) is Applied.MOVED
    assert book.apply(_state(OrderStatus.FILLED, 10)) is Applied.MOVED
    state = book.get("o1")
    assert state is not None
    assert state.status is OrderStatus.FILLED
    assert book.working() == ()


def test_a_repeated_status_is_a_no_op() -> None:
    book = OrderBook()
    book.apply(_state(OrderStatus.OPEN))
    later = dataclasses.replace(_state(OrderStatus.OPEN), reason="resent")
    assert book.apply(later) is Applied.REPEATED
    assert book.get("o1") is not later
    book.apply(_state(OrderStatus.PARTIALLY_FILLED, 4))
    assert book.apply(_state(OrderStatus.PARTIALLY_FILLED, 4)) is Applied.REPEATED
    assert book.refused == ()


@pytest.mark.parametrize(
    ("first", "then"),
    [
        (OrderStatus.FILLED, OrderStatus.OPEN),
        (OrderStatus.CANCELLED, OrderStatus.FILLED),
        (OrderStatus.REJECTED, OrderStatus.OPEN),
        (OrderStatus.OPEN, OrderStatus.PENDING),
        (OrderStatus.PARTIALLY_FILLED, OrderStatus.REJECTED),
    ],
)
def test_an_illegal_transition_is_refused_logged_and_the_state_kept(
    first: OrderStatus, then: OrderStatus, caplog: pytest.LogCaptureFixture
) -> None:
    book = OrderBook()
    filled_first = (
        10 if first is OrderStatus.FILLED else 4 if first.value == "partially_filled" else 0
    )
    book.apply(_state(first, filled_first))
    with caplog.at_level(logging.WARNING, logger="trademind.execution.order_book"):
        assert book.apply(_state(then, 0)) is Applied.REFUSED
    kept = book.get("o1")
    assert kept is not None
    assert kept.status is first
    assert [(r.current, r.reported) for r in book.refused] == [(first, then)]
    assert f"illegal transition {first.value} -> {then.value}" in caplog.text


def test_working_ids_by_side() -> None:
    book = OrderBook()
    book.apply(_state(OrderStatus.OPEN, side=OrderSide.SELL))
    assert book.working_id("AAPL", OrderSide.SELL) == "o1"
    assert book.working_id("AAPL", OrderSide.BUY) is None
    assert book.working_id("MSFT", OrderSide.SELL) is None
