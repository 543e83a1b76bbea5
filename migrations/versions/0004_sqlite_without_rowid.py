"""SQLite: market_data and indicators become WITHOUT ROWID tables

A rowid table keeps each row twice on SQLite: in the table B-tree and in the primary-key index.
For the two bulk tables, keyed (symbol, timeframe, ts[, name]) with small rows, a WITHOUT ROWID
table stores the rows in the primary-key B-tree only, so bulk ingest writes about half the pages
and range reads by key touch one tree. PostgreSQL is unchanged (the revision does nothing there).

Each table is rebuilt by Alembic's batch mode (copy into a new table, drop, rename), in the
migration's transaction; its rows are kept.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("market_data", "indicators")


def _rebuild(*, with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
        ):
            pass


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
