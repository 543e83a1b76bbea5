"""named accounts own the ledger; broker_state and symbols tables

New tables: ``accounts`` (name unique, mode, broker, starting cash, currency, created and last
used), ``broker_state`` (a JSON document per account and name) and ``symbols`` (name, sector,
industry, source per ticker). ``orders``, ``trades``, ``holdings`` and ``portfolio_snapshots``
get ``account_id`` (NOT NULL, references accounts) and their uniqueness moves into the
account: (account_id, client_order_id), (account_id, broker_execution_id),
(account_id, symbol), (account_id, ts). ``orders`` gets ``decision_ref`` (the core order's
decision id text) and ``working_quantity``; ``trades`` gets ``client_order_id``.

Rows already in the ledger tables (written before accounts existed) move into one account per
mode, named after the mode (``paper``...), with broker ``unknown`` and a starting cash of 0
(never recorded before this revision); their trades get the client order id of their order.

The downgrade refuses (RuntimeError, nothing changed) when two accounts' rows would collide
under the old per-mode uniqueness; otherwise it drops what this revision added.

SQLite rebuilds the four tables (Alembic's batch mode). That is only possible with foreign
keys off, which SQLite allows only outside a transaction: TradeMind runs migrations through
``Database.run(..., schema_change=True)``, which turns them off before the transaction and
runs ``PRAGMA foreign_key_check`` before committing (https://www.sqlite.org/lang_altertable.html,
"Making Other Kinds Of Table Schema Changes").

Column types are spelled out (not imported from trademind.db.types) so this revision keeps
meaning the same schema whatever the models become later.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
DECIMAL = sa.Numeric(24, 8).with_variant(sa.Text(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
MODES = "'paper', 'live', 'backtest', 'replay'"

LEDGER = ("orders", "trades", "holdings", "portfolio_snapshots")
OLD_UNIQUE = {
    "orders": ("client_order_id",),
    "trades": ("broker_execution_id",),
    "holdings": ("mode", "symbol"),
    "portfolio_snapshots": ("mode", "ts"),
}
NEW_UNIQUE = {
    "orders": ("account_id", "client_order_id"),
    "trades": ("account_id", "broker_execution_id"),
    "holdings": ("account_id", "symbol"),
    "portfolio_snapshots": ("account_id", "ts"),
}
NEW_INDEXES = {"orders": ("account_id", "created_at"), "trades": ("account_id", "executed_at")}


def _name(kind: str, table: str, columns: Sequence[str]) -> str:
    return f"{kind}_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    _create_tables()
    for table in LEDGER:
        op.add_column(table, sa.Column("account_id", ID, nullable=True))
    op.add_column("orders", sa.Column("decision_ref", sa.String(64), nullable=True))
    op.add_column("orders", sa.Column("working_quantity", DECIMAL, nullable=True))
    op.add_column("trades", sa.Column("client_order_id", sa.String(64), nullable=True))
    _adopt_existing_rows()
    for table in LEDGER:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("account_id", existing_type=ID, nullable=False)
            batch.create_foreign_key(
                op.f(f"fk_{table}_account_id_accounts"), "accounts", ["account_id"], ["id"]
            )
            batch.drop_constraint(op.f(_name("uq", table, OLD_UNIQUE[table])), type_="unique")
            batch.create_unique_constraint(
                op.f(_name("uq", table, NEW_UNIQUE[table])), list(NEW_UNIQUE[table])
            )
            if table in NEW_INDEXES:
                columns = NEW_INDEXES[table]
                batch.create_index(op.f(_name("ix", table, columns)), list(columns))


def _create_tables() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("broker", sa.String(32), nullable=False),
        sa.Column("starting_cash", DECIMAL, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_used_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(f"mode IN ({MODES})", name=op.f("ck_accounts_mode_allowed")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("name", name=op.f("uq_accounts_name")),
    )
    op.create_table(
        "broker_state",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("document", JSON, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_broker_state_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "name", name=op.f("pk_broker_state")),
    )
    op.create_table(
        "symbols",
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("sector", sa.String(64), nullable=True),
        sa.Column("industry", sa.String(128), nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("symbol", name=op.f("pk_symbols")),
    )


def _adopt_existing_rows() -> None:
    """One account per mode found in the ledger tables; every row joins its mode's account.
    Plain SQL, so that ``alembic upgrade --sql`` prints it too."""
    modes = " UNION ".join(f"SELECT mode FROM {table}" for table in LEDGER)  # noqa: S608
    op.execute(
        "INSERT INTO accounts (name, mode, broker, starting_cash, currency, created_at, "  # noqa: S608
        "last_used_at) SELECT mode, mode, 'unknown', '0', 'USD', CURRENT_TIMESTAMP, "
        f"CURRENT_TIMESTAMP FROM ({modes}) AS modes"
    )
    for table in LEDGER:
        op.execute(
            f"UPDATE {table} SET account_id = "  # noqa: S608 - constant identifiers
            f"(SELECT accounts.id FROM accounts WHERE accounts.name = {table}.mode)"
        )
    op.execute(
        "UPDATE trades SET client_order_id = "
        "(SELECT orders.client_order_id FROM orders WHERE orders.id = trades.order_id)"
    )


def downgrade() -> None:
    _refuse_collisions()
    for table in reversed(LEDGER):
        with op.batch_alter_table(table) as batch:
            if table in NEW_INDEXES:
                batch.drop_index(op.f(_name("ix", table, NEW_INDEXES[table])))
            batch.drop_constraint(op.f(_name("uq", table, NEW_UNIQUE[table])), type_="unique")
            batch.create_unique_constraint(
                op.f(_name("uq", table, OLD_UNIQUE[table])), list(OLD_UNIQUE[table])
            )
            batch.drop_constraint(op.f(f"fk_{table}_account_id_accounts"), type_="foreignkey")
            batch.drop_column("account_id")
            if table == "orders":
                batch.drop_column("decision_ref")
                batch.drop_column("working_quantity")
            if table == "trades":
                batch.drop_column("client_order_id")
    op.drop_table("symbols")
    op.drop_table("broker_state")
    op.drop_table("accounts")


def _refuse_collisions() -> None:
    bind = op.get_bind()
    for table, columns in OLD_UNIQUE.items():
        listed = ", ".join(columns)
        present = " AND ".join(f"{column} IS NOT NULL" for column in columns)
        found = bind.execute(
            sa.text(
                f"SELECT {listed} FROM {table} WHERE {present} "  # noqa: S608 - constants
                f"GROUP BY {listed} HAVING COUNT(*) > 1"
            )
        ).first()
        if found is not None:
            raise RuntimeError(
                f"cannot downgrade to 0005: {table} has several accounts' rows for "
                f"({listed}) = {tuple(found)}, which 0005 allows only once; nothing was changed"
            )
