"""indicator state: where the incremental indicator kernels stopped, per symbol and timeframe

One row per (symbol, timeframe): the key of the indicator set, the last bar processed, the
number of bars seen, the window of raw bars the next update re-reads (its first timestamp,
length and SHA-256) and the kernels' float64 state vector as bytes.

Column types are spelled out (not imported from trademind.db.types) so this revision keeps
meaning the same schema whatever the models become later.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "indicator_state",
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("timeframe", sa.String(16), nullable=False),
        sa.Column("spec_key", sa.String(64), nullable=False),
        sa.Column("last_ts", TIMESTAMP, nullable=False),
        sa.Column("bars_seen", sa.BigInteger(), nullable=False),
        sa.Column("window_start_ts", TIMESTAMP, nullable=False),
        sa.Column("window_length", sa.Integer(), nullable=False),
        sa.Column("window_checksum", sa.String(64), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("symbol", "timeframe", name=op.f("pk_indicator_state")),
    )


def downgrade() -> None:
    op.drop_table("indicator_state")
