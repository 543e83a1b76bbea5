"""The models' value-list CHECK constraints come from the domain enums (issue 10, item 1)."""

from __future__ import annotations

import sqlalchemy as sa

from trademind.core.decisions import Action
from trademind.core.market import TradingMode
from trademind.core.order_status import OrderStatus
from trademind.core.orders import OrderSide
from trademind.db.base import one_of
from trademind.db.models import Order, metadata


def _check(table: str, name: str) -> str:
    for constraint in metadata.tables[table].constraints:
        if isinstance(constraint, sa.CheckConstraint) and constraint.name == name:
            return str(constraint.sqltext)
    raise AssertionError(f"no {name} on {table}")


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(f"'{value}'" for value in values)})"


def test_one_of_takes_an_enum_in_its_order_and_may_allow_null() -> None:
    assert str(one_of("side", OrderSide).sqltext) == "side IN ('buy', 'sell')"
    assert str(one_of("mode", TradingMode, nullable=True).sqltext) == (
        "mode IS NULL OR mode IN ('paper', 'live', 'backtest', 'replay')"
    )


def test_each_column_allows_exactly_its_enum() -> None:
    assert _check("orders", "ck_orders_status_allowed") == _in("status", list(OrderStatus))
    assert _check("orders", "ck_orders_side_allowed") == _in("side", list(OrderSide))
    assert _check("trades", "ck_trades_side_allowed") == _in("side", list(OrderSide))
    assert _check("agent_decisions", "ck_agent_decisions_action_allowed") == _in(
        "action", list(Action)
    )
    modes = _in("mode", list(TradingMode))
    tables = ("accounts", "orders", "trades", "holdings", "portfolio_snapshots", "agent_decisions")
    for table in tables:
        assert _check(table, f"ck_{table}_mode_allowed") == modes
    assert _check("safety_events", "ck_safety_events_mode_allowed") == f"mode IS NULL OR {modes}"


def test_a_new_order_row_starts_pending() -> None:
    default = Order.__table__.c.status.default
    assert default is not None
    assert getattr(default, "arg", None) == OrderStatus.PENDING.value
