"""order statuses follow the domain's OrderStatus (and Interactive Brokers' lifecycle)

``orders.status`` allowed created, submitted, accepted, partially_filled, filled,
cancel_requested, cancelled, rejected, expired; it now allows the values of
``trademind.core.order_status.OrderStatus``: pending, presubmitted, open, partially_filled,
filled, cancelled, rejected, expired. Rows move with it: created and submitted become pending
(not acknowledged by the broker yet), accepted and cancel_requested become open (working; a
cancel is not done until the broker says cancelled). The downgrade maps back: pending becomes
submitted, presubmitted and open become accepted.

PostgreSQL drops and re-adds the CHECK constraint. SQLite cannot alter a constraint, and
rebuilding ``orders`` (Alembic's batch mode) fails inside the migration's transaction as soon as
a trade references an order (dropping the old table breaks the foreign key, and
``PRAGMA foreign_keys`` cannot change inside a transaction). So on SQLite the constraint's text
in ``sqlite_master`` is rewritten, the documented way to change a CHECK constraint without
touching the table's content (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds
Of Table Schema Changes"): writable_schema, the new CREATE TABLE text, schema_version + 1. The
rows are updated while the new constraint holds, so every row satisfies it.

The value lists are spelled out (not imported from trademind.core) so this revision keeps
meaning the same schema whatever the enum becomes later.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 00:00:00+00:00
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "ck_orders_status_allowed"
OLD_STATUSES = (
    "created",
    "submitted",
    "accepted",
    "partially_filled",
    "filled",
    "cancel_requested",
    "cancelled",
    "rejected",
    "expired",
)
NEW_STATUSES = (
    "pending",
    "presubmitted",
    "open",
    "partially_filled",
    "filled",
    "cancelled",
    "rejected",
    "expired",
)
UPGRADE_ROWS = {
    "created": "pending",
    "submitted": "pending",
    "accepted": "open",
    "cancel_requested": "open",
}
DOWNGRADE_ROWS = {"pending": "submitted", "presubmitted": "accepted", "open": "accepted"}

_SQLITE_CHECK = re.compile(
    rf"CONSTRAINT {CONSTRAINT} CHECK \(status IN \([^)]*\)\)", flags=re.IGNORECASE
)


def _condition(statuses: Sequence[str]) -> str:
    return "status IN ({})".format(", ".join(f"'{status}'" for status in statuses))


def _move_rows(mapping: Mapping[str, str]) -> None:
    statement = sa.text("UPDATE orders SET status = :new WHERE status = :old")
    for old, new in mapping.items():
        op.execute(statement.bindparams(old=old, new=new))


def _rewrite_sqlite_check(statuses: Sequence[str]) -> None:
    if context.is_offline_mode():
        raise RuntimeError("revision 0005 changes a CHECK constraint on SQLite: run it online")
    connection = op.get_bind()
    found = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'orders'"
    ).scalar_one()
    replacement = f"CONSTRAINT {CONSTRAINT} CHECK ({_condition(statuses)})"
    created, count = _SQLITE_CHECK.subn(replacement, str(found))
    if count != 1:
        raise RuntimeError(f"orders: expected one {CONSTRAINT} in its schema, found {count}")
    version = int(connection.exec_driver_sql("PRAGMA schema_version").scalar_one())
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        connection.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'orders'",
            (created,),
        )
        connection.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    finally:
        connection.exec_driver_sql("PRAGMA writable_schema = OFF")


def _change(statuses: Sequence[str], rows: Mapping[str, str]) -> None:
    if op.get_context().dialect.name == "sqlite":
        _rewrite_sqlite_check(statuses)
        _move_rows(rows)
        return
    op.drop_constraint(op.f(CONSTRAINT), "orders", type_="check")
    _move_rows(rows)
    op.create_check_constraint(op.f(CONSTRAINT), "orders", _condition(statuses))


def upgrade() -> None:
    _change(NEW_STATUSES, UPGRADE_ROWS)


def downgrade() -> None:
    _change(OLD_STATUSES, DOWNGRADE_ROWS)
