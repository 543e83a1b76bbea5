"""news_items: one row per article, the symbols it concerns in news_item_symbols

The ``news_items`` table of 0001 (one row per (symbol, article), never written by any code)
is replaced by two tables:

- ``news_items``: one row per article, ``content_hash`` unique (SHA-256 of the normalised
  title and URL), ``title``, ``summary``, ``url``, ``source``, ``published_at`` and
  ``first_seen_at`` (the earliest time any feed showed it to TradeMind).
- ``news_item_symbols``: (``news_item_id``, ``symbol``) primary key, with the article's
  ``published_at`` and the ``first_seen_at`` of that symbol copied in, so "the news of AAPL
  visible at t" is a range scan of the index on (symbol, published_at).

Downgrade drops both and recreates 0001's shape (empty: news is re-fetched or re-imported).
Column types are spelled out (not imported from trademind.db.types).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 00:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
# Written on a branch beside 0010 (llm_calls): the integrator chains it after 0010.
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.drop_table("news_items")
    op.create_table(
        "news_items",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("published_at", TIMESTAMP, nullable=False),
        sa.Column("first_seen_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_items")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_news_items_content_hash")),
    )
    op.create_table(
        "news_item_symbols",
        sa.Column("news_item_id", ID, nullable=False),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("published_at", TIMESTAMP, nullable=False),
        sa.Column("first_seen_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["news_item_id"],
            ["news_items.id"],
            name=op.f("fk_news_item_symbols_news_item_id_news_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("news_item_id", "symbol", name=op.f("pk_news_item_symbols")),
    )
    op.create_index(
        "ix_news_item_symbols_symbol_published_at",
        "news_item_symbols",
        ["symbol", "published_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_news_item_symbols_symbol_published_at", table_name="news_item_symbols")
    op.drop_table("news_item_symbols")
    op.drop_table("news_items")
    op.create_table(
        "news_items",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("published_at", TIMESTAMP, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("external_id", sa.String(128), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("raw", JSON, nullable=True),
        sa.Column("fetched_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_items")),
        sa.UniqueConstraint(
            "symbol", "content_hash", name=op.f("uq_news_items_symbol_content_hash")
        ),
    )
    op.create_index("ix_news_items_symbol_published_at", "news_items", ["symbol", "published_at"])
