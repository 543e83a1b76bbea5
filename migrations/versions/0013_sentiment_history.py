"""sentiment_history: one row per sentiment result of the sentiment agent

Replaces the placeholder ``sentiment_history`` of 0001 (which nothing wrote: it is dropped with
its rows, if any) by the table the sentiment agent and `trademind agents sentiment` write: one
row per result of a symbol at one decision time: ``symbol``, ``decided_at`` (the session's time
of the decision: a replay's bar close, else the wall clock), ``computed_at`` (wall clock),
``model`` (the configured text model: llm, lexicon), ``source`` (what answered: llm, llm-text,
lexicon, fallback), ``label``, ``score`` (CHECK in [-1, 1]) and ``confidence`` (CHECK in
[0, 1]), all three NULL when it abstained, ``key_factors`` and ``notes`` (JSON lists),
``reasoning``, ``cost_usd``, ``news_count``, ``abstention_reason`` (NULL unless it abstained),
``account`` and ``variant`` (NULL outside a trading session). An index on (symbol, decided_at).
The downgrade restores 0001's empty table.

Column types are spelled out (not imported from trademind.db.types).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
TABLE = "sentiment_history"


def _ranges() -> tuple[sa.CheckConstraint, sa.CheckConstraint]:
    return (
        sa.CheckConstraint(
            "score >= -1 AND score <= 1", name=op.f("ck_sentiment_history_score_range")
        ),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 1",
            name=op.f("ck_sentiment_history_confidence_range"),
        ),
    )


def upgrade() -> None:
    op.drop_index("ix_sentiment_history_symbol_ts", table_name=TABLE)
    op.drop_table(TABLE)
    op.create_table(
        TABLE,
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("decided_at", TIMESTAMP, nullable=False),
        sa.Column("computed_at", TIMESTAMP, nullable=False),
        sa.Column("model", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("label", sa.String(16), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.Column("key_factors", JSON, nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=False),
        sa.Column("notes", JSON, nullable=False),
        sa.Column("cost_usd", sa.Double(), nullable=False),
        sa.Column("news_count", sa.Integer(), nullable=False),
        sa.Column("abstention_reason", sa.Text(), nullable=True),
        sa.Column("account", sa.String(64), nullable=True),
        sa.Column("variant", sa.String(32), nullable=True),
        *_ranges(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sentiment_history")),
    )
    op.create_index("ix_sentiment_history_symbol_decided_at", TABLE, ["symbol", "decided_at"])


def downgrade() -> None:
    op.drop_index("ix_sentiment_history_symbol_decided_at", table_name=TABLE)
    op.drop_table(TABLE)
    op.create_table(
        TABLE,
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("ts", TIMESTAMP, nullable=False),
        sa.Column("horizon", sa.String(16), nullable=True),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("model", sa.String(64), nullable=True),
        sa.Column("news_count", sa.Integer(), nullable=False),
        sa.Column("key_factors", JSON, nullable=True),
        sa.Column("details", JSON, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        *_ranges(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sentiment_history")),
    )
    op.create_index("ix_sentiment_history_symbol_ts", TABLE, ["symbol", "ts"])
