"""Revision 0005 and the CHECK constraints built from the domain enums (issue 10, item 1).

Alembic's model/schema comparison does not look at CHECK constraints, so these tests do: the
migrated database allows exactly the values of the enums the models use, and 0005 moves the
order rows of the old status vocabulary to the new one and back, on SQLite and PostgreSQL,
with trades referencing the orders (the foreign key SQLite's table rebuild would break).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from trademind.core.order_status import OrderStatus
from trademind.db import migrate
from trademind.db.models import metadata
from trademind.db.session import Database

_OLD_TO_NEW = {
    "created": "pending",
    "submitted": "pending",
    "accepted": "open",
    "partially_filled": "partially_filled",
    "filled": "filled",
    "cancel_requested": "open",
    "cancelled": "cancelled",
    "rejected": "rejected",
    "expired": "expired",
}
_NEW_TO_OLD = {"pending": "submitted", "open": "accepted", "presubmitted": "accepted"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'statuses' / 'trademind.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


def _insert_order(connection: sa.Connection, number: int, status: str) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO orders (client_order_id, broker, mode, symbol, side, order_type, "
            "time_in_force, quantity, status, filled_quantity, commission, currency, "
            "created_at, updated_at) VALUES (:cid, 'paper', 'paper', 'AAPL', 'buy', 'market', "
            "'day', '1', :status, '0', '0', 'USD', :ts, :ts)"
        ),
        {"cid": f"c{number}", "status": status, "ts": "2024-01-02 00:00:00+00:00"},
    )


def _statuses(url: str) -> dict[str, str]:
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT client_order_id, status FROM orders"))
            return {str(cid): str(status) for cid, status in rows}
    finally:
        database.dispose()


def _try_status(url: str, status: str) -> bool:
    """Whether an order with ``status`` can be stored (rolled back either way)."""
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            transaction = connection.begin()
            try:
                _insert_order(connection, 999, status)
            except sa.exc.IntegrityError:
                return False
            finally:
                transaction.rollback()
            return True
    finally:
        database.dispose()


def test_0005_moves_order_rows_up_and_down_and_keeps_trades(url: str) -> None:
    migrate.upgrade(url, "0004")
    database = Database(url)
    try:
        with database.engine.begin() as connection:
            for number, status in enumerate(_OLD_TO_NEW):
                _insert_order(connection, number, status)
            connection.execute(
                sa.text(
                    "INSERT INTO trades (order_id, mode, symbol, side, quantity, price, "
                    "commission, fees, currency, executed_at, agent_signals, created_at) "
                    "SELECT id, 'paper', 'AAPL', 'buy', '1', '10', '0', '0', 'USD', :ts, "
                    "'{}', :ts FROM orders"
                ),
                {"ts": "2024-01-02 00:00:00+00:00"},
            )
    finally:
        database.dispose()
    old = {f"c{number}": status for number, status in enumerate(_OLD_TO_NEW)}

    migrate.upgrade(url, "0005")
    upgraded = _statuses(url)
    assert upgraded == {cid: _OLD_TO_NEW[status] for cid, status in old.items()}
    assert all(_try_status(url, status) for status in OrderStatus)
    assert not _try_status(url, "created")
    assert not _try_status(url, "cancel_requested")

    migrate.downgrade(url, "0004")
    assert _statuses(url) == {
        cid: _NEW_TO_OLD.get(status, status) for cid, status in upgraded.items()
    }
    assert _try_status(url, "created")
    assert not _try_status(url, "presubmitted")


_QUOTED = re.compile(r"'([^']*)'")


def test_every_check_constraint_of_the_models_holds_in_the_migrated_schema(url: str) -> None:
    """The value-list CHECK constraints (``*_allowed``: mode, side, status, action, severity)
    allow the same values in the models and in the database the migrations build."""
    migrate.upgrade(url)
    database = Database(url)
    try:
        inspector = sa.inspect(database.engine)
        migrated = {
            (table, check["name"]): set(_QUOTED.findall(str(check["sqltext"])))
            for table in metadata.tables
            for check in inspector.get_check_constraints(table)
            if str(check["name"]).endswith("_allowed")
        }
    finally:
        database.dispose()
    modelled = {
        (table.name, constraint.name): set(_QUOTED.findall(str(constraint.sqltext)))
        for table in metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, sa.CheckConstraint) and str(constraint.name).endswith("_allowed")
    }
    assert migrated == modelled
    assert modelled["orders", "ck_orders_status_allowed"] == {str(s) for s in OrderStatus}
