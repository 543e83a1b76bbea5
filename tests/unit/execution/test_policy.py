"""The decision -> order policy: the backtest kernel's rule (kernel_orders.signals), by case."""

from __future__ import annotations

from decimal import Decimal

import pytest

from trademind.core.decisions import Action
from trademind.execution.policy import OrderIntent, SymbolOrders, order_intent

FLAT = SymbolOrders(position=Decimal(0))
LONG = SymbolOrders(position=Decimal(10))


def test_buy_when_flat_with_no_working_order_places_an_entry() -> None:
    assert order_intent(Action.BUY, FLAT).kind is OrderIntent.PLACE_ENTRY


@pytest.mark.parametrize(
    "orders",
    [
        LONG,
        SymbolOrders(position=Decimal(0), working_entry="e1"),
        SymbolOrders(position=Decimal(0), working_exit="x1"),
        SymbolOrders(position=Decimal(5), working_entry="e1"),
    ],
)
def test_buy_while_holding_or_with_a_working_order_does_nothing(orders: SymbolOrders) -> None:
    intent = order_intent(Action.BUY, orders)
    assert intent.kind is OrderIntent.NOTHING
    assert intent.why


def test_sell_with_a_position_exits_the_whole_position() -> None:
    intent = order_intent(Action.SELL, LONG)
    assert intent.kind is OrderIntent.PLACE_EXIT
    assert intent.exit_quantity == Decimal(10)
    assert intent.cancel is None


def test_sell_with_a_partly_filled_entry_exits_the_position_and_cancels_the_entry() -> None:
    intent = order_intent(Action.SELL, SymbolOrders(position=Decimal(4), working_entry="e1"))
    assert intent.kind is OrderIntent.PLACE_EXIT
    assert intent.exit_quantity == Decimal(4)
    assert intent.cancel == "e1"


def test_sell_with_an_exit_already_working_does_nothing() -> None:
    intent = order_intent(Action.SELL, SymbolOrders(position=Decimal(10), working_exit="x1"))
    assert intent.kind is OrderIntent.NOTHING


def test_sell_when_flat_cancels_a_working_entry() -> None:
    intent = order_intent(Action.SELL, SymbolOrders(position=Decimal(0), working_entry="e1"))
    assert intent.kind is OrderIntent.CANCEL_ENTRY
    assert intent.cancel == "e1"


def test_sell_when_flat_with_nothing_working_does_nothing() -> None:
    assert order_intent(Action.SELL, FLAT).kind is OrderIntent.NOTHING


@pytest.mark.parametrize(
    "orders", [FLAT, LONG, SymbolOrders(position=Decimal(0), working_entry="e")]
)
def test_hold_does_nothing(orders: SymbolOrders) -> None:
    assert order_intent(Action.HOLD, orders).kind is OrderIntent.NOTHING
