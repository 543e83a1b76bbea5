"""ab_tests: what `trademind ab run` found

New table ``ab_tests``: one row per A/B test of two variants (``variant_a``, ``variant_b``)
replaying one ``strategy`` on ``symbols`` (JSON) over ``[window_start, window_end)``:
``created_at``, the common trading ``days``, the bootstrap's ``resamples``, ``block_days`` and
``seed``, the Sharpe difference B - A (``sharpe_diff``) with its 95% interval
(``sharpe_low``, ``sharpe_high``), the total return and max drawdown differences
(``return_diff``, ``drawdown_diff``), ``significant`` (the Sharpe interval excludes 0) and
everything else as JSON (``result``: each variant's figures, every interval, the daily equity
curves, the verdict, the notices). An index on ``created_at`` serves `ab list`.

Column types are spelled out (not imported from trademind.db.types).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
# "0012" in this branch; the merge makes it "0013" (sentiment_history) once that migration lands
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ab_tests",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("variant_a", sa.String(32), nullable=False),
        sa.Column("variant_b", sa.String(32), nullable=False),
        sa.Column("strategy", sa.String(64), nullable=False),
        sa.Column("symbols", JSON, nullable=False),
        sa.Column("window_start", TIMESTAMP, nullable=False),
        sa.Column("window_end", TIMESTAMP, nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("resamples", sa.Integer(), nullable=False),
        sa.Column("block_days", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("sharpe_diff", sa.Double(), nullable=False),
        sa.Column("sharpe_low", sa.Double(), nullable=False),
        sa.Column("sharpe_high", sa.Double(), nullable=False),
        sa.Column("return_diff", sa.Double(), nullable=False),
        sa.Column("drawdown_diff", sa.Double(), nullable=False),
        sa.Column("significant", sa.Boolean(), nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ab_tests")),
    )
    op.create_index("ix_ab_tests_created_at", "ab_tests", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_ab_tests_created_at", table_name="ab_tests")
    op.drop_table("ab_tests")
