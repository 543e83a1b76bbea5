"""strategy_validations: what `trademind safety validate` found

New table ``strategy_validations``: one row per validation of a strategy with its parameters
(``strategy``, ``params`` as JSON, ``params_hash``: the key the paper-mode gate looks a
strategy up by), the ``symbols`` it ran on (JSON), ``validated_at``, ``passed``, the
``reasons`` (JSON: every check with its verdict), the ``figures`` (JSON) and the
``backtest_run_id`` it measured (no foreign key). An index on (strategy, params_hash,
validated_at) serves "the latest validation of this strategy with these parameters".

Column types are spelled out (not imported from trademind.db.types).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "strategy_validations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("validated_at", TIMESTAMP, nullable=False),
        sa.Column("strategy", sa.String(64), nullable=False),
        sa.Column("params_hash", sa.String(64), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("symbols", JSON, nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("figures", JSON, nullable=False),
        sa.Column("backtest_run_id", ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_validations")),
    )
    op.create_index(
        "ix_strategy_validations_strategy_params_hash_validated_at",
        "strategy_validations",
        ["strategy", "params_hash", "validated_at"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_strategy_validations_strategy_params_hash_validated_at",
        table_name="strategy_validations",
    )
    op.drop_table("strategy_validations")
