"""the trading state of each account; safety_events record state changes

New table ``safety_state``: one row per account (``account_id`` primary key, references
accounts) with its trading state (``active``, ``reducing``, ``halted``), when and by whom it
last changed, why, and the ``safety_events`` row of that change. No row means ACTIVE.

``safety_events`` gets ``account_id`` (references accounts; NULL for events of no account and
for rows written before this revision), ``actor`` (who caused the event), ``from_state`` and
``to_state`` (a state change; NULL otherwise) and an index on (account_id, occurred_at).

SQLite adds the foreign key and the CHECKs by rebuilding ``safety_events`` (Alembic's batch
mode, run with foreign keys off: see 0006).

Column types are spelled out (not imported from trademind.db.types) so this revision keeps
meaning the same schema whatever the models become later.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
STATES = "'active', 'reducing', 'halted'"
NEW_EVENT_COLUMNS = ("account_id", "actor", "from_state", "to_state")


def upgrade() -> None:
    with op.batch_alter_table("safety_events") as batch:
        batch.add_column(sa.Column("account_id", ID, nullable=True))
        batch.add_column(sa.Column("actor", sa.String(64), nullable=True))
        batch.add_column(sa.Column("from_state", sa.String(16), nullable=True))
        batch.add_column(sa.Column("to_state", sa.String(16), nullable=True))
        batch.create_foreign_key(
            op.f("fk_safety_events_account_id_accounts"), "accounts", ["account_id"], ["id"]
        )
        for column in ("from_state", "to_state"):
            batch.create_check_constraint(
                op.f(f"ck_safety_events_{column}_allowed"),
                f"{column} IS NULL OR {column} IN ({STATES})",
            )
        batch.create_index(
            op.f("ix_safety_events_account_id_occurred_at"), ["account_id", "occurred_at"]
        )
    op.create_table(
        "safety_state",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("event_id", ID, nullable=True),
        sa.CheckConstraint(f"state IN ({STATES})", name=op.f("ck_safety_state_state_allowed")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_safety_state_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["safety_events.id"], name=op.f("fk_safety_state_event_id_safety_events")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_safety_state")),
    )


def downgrade() -> None:
    op.drop_table("safety_state")
    with op.batch_alter_table("safety_events") as batch:
        batch.drop_index(op.f("ix_safety_events_account_id_occurred_at"))
        for column in ("to_state", "from_state"):
            batch.drop_constraint(op.f(f"ck_safety_events_{column}_allowed"), type_="check")
        batch.drop_constraint(op.f("fk_safety_events_account_id_accounts"), type_="foreignkey")
        for column in reversed(NEW_EVENT_COLUMNS):
            batch.drop_column(column)
