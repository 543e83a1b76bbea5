"""the decision log: agent_decisions per account with votes, score, thresholds and quorum

``agent_decisions`` gets ``account_id`` (references accounts; NULL only for rows written before
this revision), ``decision_ref`` (the core decision's id text; unique per account), ``score``
(the weighted score in [-1, 1], NULL when there was no quorum), ``buy_threshold``,
``sell_threshold``, ``quorum`` and ``participation`` (fractions of the total weight) and
``votes`` (JSON: every vote and abstention with its agent, direction, score, confidence,
weight, source, reasoning and latency). ``bar_ts`` is the decision's data time and
``reasoning`` its one-sentence explanation, as in revision 0001.

One link from orders and fills to their decision: ``orders.decision_ref`` (written since 0006)
names ``agent_decisions.decision_ref`` of the same account, and a fill names its order by
``trades.client_order_id``; each trade also keeps the votes that caused it in
``trades.agent_signals``. The integer ``decision_id`` columns of ``orders`` and ``trades``
(revision 0001; never written) are dropped, so there is no second, contradicting link. The
downgrade restores them empty.

SQLite rebuilds the three tables (Alembic's batch mode) with foreign keys off, as 0006 does.
Column types are spelled out (not imported from trademind.db.types).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
FRACTIONS = ("buy_threshold", "sell_threshold", "quorum", "participation")
LINKED = ("orders", "trades")


def upgrade() -> None:
    for table in LINKED:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(
                op.f(f"fk_{table}_decision_id_agent_decisions"), type_="foreignkey"
            )
            batch.drop_column("decision_id")
    with op.batch_alter_table("agent_decisions") as batch:
        batch.add_column(sa.Column("account_id", ID, nullable=True))
        batch.add_column(sa.Column("decision_ref", sa.String(64), nullable=True))
        batch.add_column(sa.Column("score", sa.Double(), nullable=True))
        for name in FRACTIONS:
            batch.add_column(sa.Column(name, sa.Double(), nullable=True))
        batch.add_column(sa.Column("votes", JSON, nullable=False, server_default=sa.text("'[]'")))
        batch.create_foreign_key(
            op.f("fk_agent_decisions_account_id_accounts"), "accounts", ["account_id"], ["id"]
        )
        batch.create_unique_constraint(
            op.f("uq_agent_decisions_account_id_decision_ref"), ["account_id", "decision_ref"]
        )
        batch.create_check_constraint(
            op.f("ck_agent_decisions_score_range"), "score >= -1 AND score <= 1"
        )
        for name in FRACTIONS:
            batch.create_check_constraint(
                op.f(f"ck_agent_decisions_{name}_range"), f"{name} >= 0 AND {name} <= 1"
            )
        batch.create_index(
            op.f("ix_agent_decisions_account_id_decided_at"), ["account_id", "decided_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("agent_decisions") as batch:
        batch.drop_index(op.f("ix_agent_decisions_account_id_decided_at"))
        for name in reversed(FRACTIONS):
            batch.drop_constraint(op.f(f"ck_agent_decisions_{name}_range"), type_="check")
        batch.drop_constraint(op.f("ck_agent_decisions_score_range"), type_="check")
        batch.drop_constraint(op.f("uq_agent_decisions_account_id_decision_ref"), type_="unique")
        batch.drop_constraint(op.f("fk_agent_decisions_account_id_accounts"), type_="foreignkey")
        batch.drop_column("votes")
        for name in reversed(FRACTIONS):
            batch.drop_column(name)
        batch.drop_column("score")
        batch.drop_column("decision_ref")
        batch.drop_column("account_id")
    for table in LINKED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("decision_id", ID, nullable=True))
            batch.create_foreign_key(
                op.f(f"fk_{table}_decision_id_agent_decisions"),
                "agent_decisions",
                ["decision_id"],
                ["id"],
            )
