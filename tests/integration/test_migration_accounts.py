"""Revision 0006: accounts own the ledger rows (issue 10, item 9).

Rows written before accounts existed move into one account per mode, on SQLite (where the
four ledger tables are rebuilt with a trade referencing an order) and PostgreSQL; the
downgrade keeps them, and refuses when two accounts' rows would collide under 0005's rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from trademind.core.errors import DatabaseError
from trademind.db import migrate
from trademind.db.session import Database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'accounts' / 'trademind.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


def _execute(url: str, *statements: str) -> list[tuple[object, ...]]:
    database = Database(url)
    try:
        with database.engine.begin() as connection:
            rows: list[tuple[object, ...]] = []
            for statement in statements:
                result = connection.execute(sa.text(statement))
                if result.returns_rows:
                    rows.extend(tuple(row) for row in result)
            return rows
    finally:
        database.dispose()


_TS = "'2024-01-02 00:00:00+00:00'"
_ORDER = (
    "INSERT INTO orders (client_order_id, broker, mode, symbol, side, order_type, "
    "time_in_force, quantity, status, filled_quantity, commission, currency, created_at, "
    "updated_at) VALUES ('{cid}', 'paper', '{mode}', 'AAPL', 'buy', 'market', 'day', '1', "
    f"'filled', '1', '0', 'USD', {_TS}, {_TS})"
)
_TRADE = (
    "INSERT INTO trades (order_id, broker_execution_id, mode, symbol, side, quantity, price, "
    "commission, fees, currency, executed_at, agent_signals, created_at) SELECT id, 'x-{cid}', "
    "mode, 'AAPL', 'buy', '1', '10', '0', '0', 'USD', "
    f"{_TS}, '{{{{}}}}', {_TS} FROM orders WHERE client_order_id = '{{cid}}'"
)
_HOLDING = (
    "INSERT INTO holdings (mode, symbol, quantity, avg_cost, realized_pnl, currency, "
    f"opened_at, updated_at) VALUES ('{{mode}}', 'AAPL', '1', '10', '0', 'USD', {_TS}, {_TS})"
)


def test_existing_rows_join_one_account_per_mode_and_come_back(url: str) -> None:
    migrate.upgrade(url, "0005")
    _execute(
        url,
        _ORDER.format(cid="p1", mode="paper"),
        _TRADE.format(cid="p1"),
        _ORDER.format(cid="r1", mode="replay"),
        _TRADE.format(cid="r1"),
        _HOLDING.format(mode="paper"),
    )
    migrate.upgrade(url)
    accounts = _execute(url, "SELECT name, mode FROM accounts ORDER BY name")
    assert accounts == [("paper", "paper"), ("replay", "replay")]
    trades = _execute(
        url,
        "SELECT accounts.name, trades.client_order_id FROM trades "
        "JOIN accounts ON accounts.id = trades.account_id ORDER BY trades.id",
    )
    assert trades == [("paper", "p1"), ("replay", "r1")]
    held = _execute(url, "SELECT a.name FROM holdings h JOIN accounts a ON a.id = h.account_id")
    assert held == [("paper",)]
    migrate.downgrade(url, "0005")
    assert _execute(url, "SELECT COUNT(*) FROM trades") == [(2,)]
    assert _execute(url, "SELECT COUNT(*) FROM orders") == [(2,)]
    assert migrate.current(url) == "0005"


def test_the_downgrade_refuses_rows_that_would_collide(url: str) -> None:
    migrate.upgrade(url)
    _execute(
        url,
        "INSERT INTO accounts (name, mode, broker, starting_cash, currency, created_at, "
        f"last_used_at) VALUES ('a', 'paper', 'paper', '1', 'USD', {_TS}, {_TS}), "
        f"('b', 'paper', 'paper', '1', 'USD', {_TS}, {_TS})",
        "INSERT INTO holdings (account_id, mode, symbol, quantity, avg_cost, realized_pnl, "
        f"currency, opened_at, updated_at) SELECT id, 'paper', 'AAPL', '1', '1', '0', 'USD', "
        f"{_TS}, {_TS} FROM accounts",
    )
    with pytest.raises((RuntimeError, DatabaseError), match="several accounts"):
        migrate.downgrade(url, "0005")
    assert migrate.current(url) == migrate.head_revision()
    assert _execute(url, "SELECT COUNT(*) FROM holdings") == [(2,)]
