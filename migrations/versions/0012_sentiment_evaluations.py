"""sentiment_evaluations: what `trademind agents eval-sentiment` measured

New table ``sentiment_evaluations``: one row per evaluation of a sentiment model on a labelled
file: ``evaluated_at``, ``model`` (lexicon, llm), ``dataset`` (the path as given) and
``dataset_sha256``, ``count``, the headline figures (``accuracy``, ``coverage``,
``covered_accuracy``, ``macro_f1``, ``ece``, ``latency_p50_ms``, ``latency_p95_ms``,
``cost_usd``) and every figure as JSON (``metrics``). An index on (model, evaluated_at).

Column types are spelled out (not imported from trademind.db.types).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sentiment_evaluations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("evaluated_at", TIMESTAMP, nullable=False),
        sa.Column("model", sa.String(32), nullable=False),
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("dataset_sha256", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("accuracy", sa.Double(), nullable=False),
        sa.Column("coverage", sa.Double(), nullable=False),
        sa.Column("covered_accuracy", sa.Double(), nullable=True),
        sa.Column("macro_f1", sa.Double(), nullable=False),
        sa.Column("ece", sa.Double(), nullable=True),
        sa.Column("latency_p50_ms", sa.Double(), nullable=True),
        sa.Column("latency_p95_ms", sa.Double(), nullable=True),
        sa.Column("cost_usd", sa.Double(), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sentiment_evaluations")),
    )
    op.create_index(
        "ix_sentiment_evaluations_model_evaluated_at",
        "sentiment_evaluations",
        ["model", "evaluated_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_sentiment_evaluations_model_evaluated_at", table_name="sentiment_evaluations")
    op.drop_table("sentiment_evaluations")
