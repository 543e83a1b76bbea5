"""Order and Fill invariants: quantity, prices per type, ids, exact money (issue 10, item 1)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from trademind.core.errors import ValidationError
from trademind.core.orders import Fill, Order, OrderSide, OrderType, TimeInForce

TS = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)


def _order(**changes: Any) -> Order:
    fields: dict[str, Any] = {
        "client_order_id": "tm-1", "symbol": "AAPL", "side": OrderSide.BUY, "quantity": 10,
    }  # fmt: skip
    fields.update(changes)
    return Order(**fields)


def test_a_market_order_has_defaults_and_exact_quantity() -> None:
    order = _order()
    assert order.order_type is OrderType.MARKET
    assert order.time_in_force is TimeInForce.DAY
    assert order.quantity == Decimal(10)
    assert isinstance(order.quantity, Decimal)
    assert order.limit_price is None
    assert order.stop_price is None
    assert order.decision_id is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        order.quantity = Decimal(1)  # type: ignore[misc]


def test_text_values_become_enum_members() -> None:
    order = _order(side="sell", order_type="stop_limit", time_in_force="gtc",
                   limit_price=Decimal("99.5"), stop_price=Decimal(100))  # fmt: skip
    assert order.side is OrderSide.SELL
    assert order.order_type is OrderType.STOP_LIMIT
    assert order.time_in_force is TimeInForce.GTC


@pytest.mark.parametrize(
    ("order_type", "limit", "stop"),
    [
        (OrderType.MARKET, None, None),
        (OrderType.LIMIT, Decimal(99), None),
        (OrderType.STOP, None, Decimal(101)),
        (OrderType.STOP_LIMIT, Decimal(102), Decimal(101)),
    ],
)
def test_each_type_takes_exactly_its_prices(
    order_type: OrderType, limit: Decimal | None, stop: Decimal | None
) -> None:
    order = _order(order_type=order_type, limit_price=limit, stop_price=stop)
    assert (order.limit_price, order.stop_price) == (limit, stop)


@pytest.mark.parametrize(
    ("order_type", "limit", "stop", "message"),
    [
        (OrderType.LIMIT, None, None, "a LIMIT order needs a limit_price"),
        (OrderType.STOP_LIMIT, None, Decimal(1), "a STOP_LIMIT order needs a limit_price"),
        (OrderType.STOP, None, None, "a STOP order needs a stop_price"),
        (OrderType.STOP_LIMIT, Decimal(1), None, "a STOP_LIMIT order needs a stop_price"),
        (OrderType.MARKET, Decimal(1), None, "a MARKET order takes no limit_price"),
        (OrderType.STOP, Decimal(1), Decimal(1), "a STOP order takes no limit_price"),
        (OrderType.MARKET, None, Decimal(1), "a MARKET order takes no stop_price"),
        (OrderType.LIMIT, Decimal(1), Decimal(1), "a LIMIT order takes no stop_price"),
        (OrderType.LIMIT, Decimal(0), None, "limit_price must be greater than 0"),
        (OrderType.STOP, None, Decimal(-1), "stop_price must be greater than 0"),
    ],
)
def test_prices_required_forbidden_and_positive_per_type(
    order_type: OrderType, limit: Decimal | None, stop: Decimal | None, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _order(order_type=order_type, limit_price=limit, stop_price=stop)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantity": 0}, "quantity must be greater than 0"),
        ({"quantity": Decimal("-1")}, "quantity must be greater than 0"),
        ({"quantity": Decimal("NaN")}, "must be finite"),
        ({"side": "short"}, "Order.side: 'short' is not one of buy, sell"),
        ({"order_type": "trailing"}, "not one of market, limit, stop, stop_limit"),
        ({"time_in_force": "opg"}, "not one of day, gtc, ioc, fok"),
        ({"client_order_id": ""}, "client_order_id must not be empty"),
        ({"client_order_id": "x" * 65}, "at most 64"),
        ({"decision_id": " "}, "decision_id must not be empty"),
        ({"symbol": "A B"}, "whitespace"),
    ],
)
def test_order_invariants(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _order(**changes)


def test_fractional_quantity_and_a_decision_link() -> None:
    order = _order(quantity=Decimal("0.25"), decision_id="d-42")
    assert order.quantity == Decimal("0.25")
    assert order.decision_id == "d-42"


@pytest.mark.parametrize("field", ["quantity", "limit_price"])
def test_a_float_never_becomes_money(field: str) -> None:
    changes: dict[str, Any] = {"order_type": OrderType.LIMIT, "limit_price": Decimal(1)}
    changes[field] = 0.1
    with pytest.raises(TypeError, match="decimal_from_float"):
        _order(**changes)


def _fill(**changes: Any) -> Fill:
    fields: dict[str, Any] = {
        "order_id": "tm-1", "symbol": "AAPL", "side": "buy", "quantity": Decimal(3),
        "price": Decimal("187.13"), "ts": TS,
    }  # fmt: skip
    fields.update(changes)
    return Fill(**fields)


def test_a_fill_is_exact_and_in_utc() -> None:
    eastern = timezone(timedelta(hours=-5))
    fill = _fill(ts=datetime(2024, 1, 2, 10, 0, tzinfo=eastern), commission=Decimal("0.35"))
    assert fill.ts == TS
    assert fill.side is OrderSide.BUY
    assert fill.notional == Decimal("561.39")
    assert fill.commission == Decimal("0.35")
    assert _fill().commission == Decimal(0)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"quantity": Decimal(0)}, ValidationError),
        ({"price": Decimal(0)}, ValidationError),
        ({"commission": Decimal("-0.01")}, ValidationError),
        ({"side": "hold"}, ValidationError),
        ({"order_id": ""}, ValidationError),
        ({"execution_id": ""}, ValidationError),
        ({"price": 187.13}, TypeError),
        ({"commission": 0.35}, TypeError),
        ({"ts": datetime(2024, 1, 2, 15, 0)}, ValueError),
    ],
)
def test_fill_invariants(changes: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        _fill(**changes)


def test_vocabularies_are_the_database_values() -> None:
    assert [side.value for side in OrderSide] == ["buy", "sell"]
    assert [kind.value for kind in OrderType] == ["market", "limit", "stop", "stop_limit"]
    assert [tif.value for tif in TimeInForce] == ["day", "gtc", "ioc", "fok"]
