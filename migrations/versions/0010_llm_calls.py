"""llm_calls: the language model cost ledger

New table ``llm_calls``: one row per call of the LLM client, failures and refusals included:
``called_at``, ``model``, ``purpose`` (e.g. "sentiment"), ``outcome`` (CHECK: ok, http_error,
timeout, parse_error, breaker_open, over_budget), ``attempts``, ``tokens_in``, ``tokens_out``,
``latency_ms``, ``cost_usd`` (NUMERIC(24, 8); NULL when unknown) and ``error``. An index on
``called_at`` serves the daily budget and `trademind agents costs`.

Column types are spelled out (not imported from trademind.db.types).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
DECIMAL = sa.Numeric(24, 8).with_variant(sa.Text(), "sqlite")
OUTCOMES = "'ok', 'http_error', 'timeout', 'parse_error', 'breaker_open', 'over_budget'"


def upgrade() -> None:
    op.create_table(
        "llm_calls",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("called_at", TIMESTAMP, nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("tokens_in", sa.Integer(), nullable=True),
        sa.Column("tokens_out", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Double(), nullable=True),
        sa.Column("cost_usd", DECIMAL, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(f"outcome IN ({OUTCOMES})", name=op.f("ck_llm_calls_outcome_allowed")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_calls")),
    )
    op.create_index("ix_llm_calls_called_at", "llm_calls", ["called_at"])


def downgrade() -> None:
    op.drop_index("ix_llm_calls_called_at", table_name="llm_calls")
    op.drop_table("llm_calls")
