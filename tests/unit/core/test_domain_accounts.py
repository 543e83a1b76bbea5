"""Position's derived values and Account's invariants (issue 10, item 1)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from trademind.core.accounts import Account, Position
from trademind.core.errors import ValidationError


def test_long_position_values_are_exact() -> None:
    position = Position(
        symbol="AAPL", quantity=Decimal("10.5"), avg_cost=Decimal("100.10"),
        market_price=Decimal("110.20"),
    )  # fmt: skip
    assert position.market_value == Decimal("1157.100")
    assert position.cost_basis == Decimal("1051.050")
    assert position.unrealized_pnl == Decimal("106.050")
    assert position.unrealized_pnl == position.market_value - position.cost_basis


def test_short_position_gains_when_the_price_falls() -> None:
    position = Position(
        symbol="AAPL", quantity=Decimal(-5), avg_cost=Decimal(100), market_price=Decimal(90)
    )
    assert position.market_value == Decimal(-450)
    assert position.unrealized_pnl == Decimal(50)


def test_flat_position_is_worth_nothing() -> None:
    position = Position(symbol="AAPL", quantity=0, avg_cost=0, market_price=Decimal(90))
    assert position.market_value == 0
    assert position.unrealized_pnl == 0
    assert isinstance(position.quantity, Decimal)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"avg_cost": Decimal(-1)}, ValidationError),
        ({"market_price": Decimal(0)}, ValidationError),
        ({"market_price": Decimal("NaN")}, ValidationError),
        ({"quantity": 1.5}, TypeError),
        ({"market_price": 90.0}, TypeError),
        ({"symbol": ""}, ValidationError),
    ],
)
def test_position_invariants(changes: dict[str, Any], error: type[Exception]) -> None:
    fields: dict[str, Any] = {
        "symbol": "AAPL", "quantity": Decimal(1), "avg_cost": Decimal(1),
        "market_price": Decimal(1),
    }  # fmt: skip
    fields.update(changes)
    with pytest.raises(error):
        Position(**fields)


def _account(**changes: Any) -> Account:
    fields: dict[str, Any] = {
        "account_id": "paper-1", "cash": Decimal("1000.50"), "portfolio_value": Decimal(5000),
        "buying_power": Decimal(2000), "day_trades_remaining": 3,
    }  # fmt: skip
    fields.update(changes)
    return Account(**fields)


def test_account_holds_exact_balances() -> None:
    account = _account(cash=-250)
    assert account.cash == Decimal(-250)
    assert isinstance(account.cash, Decimal)
    assert _account(day_trades_remaining=None).day_trades_remaining is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        account.cash = Decimal(0)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"account_id": ""}, ValidationError),
        ({"buying_power": Decimal("-0.01")}, ValidationError),
        ({"day_trades_remaining": -1}, ValidationError),
        ({"day_trades_remaining": 1.0}, TypeError),
        ({"day_trades_remaining": True}, TypeError),
        ({"cash": 1000.5}, TypeError),
        ({"portfolio_value": Decimal("Infinity")}, ValidationError),
    ],
)
def test_account_invariants(changes: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        _account(**changes)
