"""data quarantine: bars the ingest refused, with their reason

Rows that fail parsing or the quality screen on ingest are kept here (never dropped in silence,
never written over good bars); ``trademind data verify`` lists the open ones. A SHA-256
fingerprint of (symbol, timeframe, source, ts, check, raw row) is unique, so re-ingesting the
same bad row does not duplicate it.

Column types are spelled out (not imported from trademind.db.types) so this revision keeps
meaning the same schema whatever the models become later.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "data_quarantine",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("timeframe", sa.String(16), nullable=False),
        sa.Column("ts", TIMESTAMP, nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("check", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("raw", JSON, nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("quarantined_at", TIMESTAMP, nullable=False),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_quarantine")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_data_quarantine_fingerprint")),
    )
    op.create_index(
        op.f("ix_data_quarantine_symbol_timeframe"), "data_quarantine", ["symbol", "timeframe"]
    )


def downgrade() -> None:
    op.drop_table("data_quarantine")
