"""initial schema: every TradeMind table and index

On PostgreSQL with the TimescaleDB extension available (and preloaded), market_data becomes a
hypertable on ts; otherwise it stays a plain table keyed by (symbol, timeframe, ts).

The column types are spelled out here instead of importing trademind.db.types, so this
revision keeps meaning the same schema whatever the models become later.

Revision ID: 0001
Revises:
Create Date: 2026-11-24 00:00:00+00:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
DECIMAL = sa.Numeric(24, 8).with_variant(sa.Text(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
MODES = "'paper', 'live', 'backtest', 'replay'"

TABLES = (
    "market_data",
    "indicators",
    "news_items",
    "sentiment_history",
    "agent_decisions",
    "backtest_runs",
    "orders",
    "trades",
    "holdings",
    "portfolio_snapshots",
    "safety_events",
    "config_changes",
)
"""Creation order (foreign keys point backwards); downgrade drops in reverse."""


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, autoincrement=True, nullable=False)


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def upgrade() -> None:
    _create_market_tables()
    _create_decision_tables()
    _create_ledger_tables()
    _create_system_tables()
    _make_market_data_hypertable()


def downgrade() -> None:
    """Drop every table this revision created (indexes go with them).

    The timescaledb extension, when it was enabled, stays: it is database-wide and may have
    been there before (CREATE EXTENSION IF NOT EXISTS); upgrading again reuses it.
    """
    for table in reversed(TABLES):
        op.drop_table(table)


def _create_market_tables() -> None:
    op.create_table(
        "market_data",
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("timeframe", sa.String(16), nullable=False),
        sa.Column("ts", TIMESTAMP, nullable=False),
        sa.Column("open", sa.Double(), nullable=False),
        sa.Column("high", sa.Double(), nullable=False),
        sa.Column("low", sa.Double(), nullable=False),
        sa.Column("close", sa.Double(), nullable=False),
        sa.Column("volume", sa.Double(), nullable=False),
        sa.Column("adj_close", sa.Double(), nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("ingested_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("symbol", "timeframe", "ts", name=op.f("pk_market_data")),
    )
    op.create_table(
        "indicators",
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("timeframe", sa.String(16), nullable=False),
        sa.Column("ts", TIMESTAMP, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("computed_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("symbol", "timeframe", "ts", "name", name=op.f("pk_indicators")),
    )
    op.create_table(
        "news_items",
        _id(),
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
    _index("news_items", "symbol", "published_at")
    op.create_table(
        "sentiment_history",
        _id(),
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
        _check("sentiment_history", "score_range", "score >= -1 AND score <= 1"),
        _check("sentiment_history", "confidence_range", "confidence >= 0 AND confidence <= 1"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sentiment_history")),
    )
    _index("sentiment_history", "symbol", "ts")


def _create_decision_tables() -> None:
    op.create_table(
        "agent_decisions",
        _id(),
        sa.Column("decided_at", TIMESTAMP, nullable=False),
        sa.Column("bar_ts", TIMESTAMP, nullable=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("agent", sa.String(64), nullable=False),
        sa.Column("strategy", sa.String(64), nullable=True),
        sa.Column("variant", sa.String(32), nullable=True),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=True),
        sa.Column("vetoed", sa.Boolean(), nullable=False),
        sa.Column("veto_reason", sa.Text(), nullable=True),
        _check("agent_decisions", "mode_allowed", f"mode IN ({MODES})"),
        _check("agent_decisions", "action_allowed", "action IN ('buy', 'sell', 'hold')"),
        _check("agent_decisions", "confidence_range", "confidence >= 0 AND confidence <= 1"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_decisions")),
    )
    _index("agent_decisions", "decided_at")
    _index("agent_decisions", "symbol", "decided_at")
    op.create_table(
        "backtest_runs",
        _id(),
        sa.Column("name", sa.String(128), nullable=True),
        sa.Column("strategy", sa.String(64), nullable=False),
        sa.Column("symbols", JSON, nullable=False),
        sa.Column("timeframe", sa.String(16), nullable=False),
        sa.Column("period_start", TIMESTAMP, nullable=False),
        sa.Column("period_end", TIMESTAMP, nullable=False),
        sa.Column("initial_capital", DECIMAL, nullable=False),
        sa.Column("final_equity", DECIMAL, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("equity_curve", JSON, nullable=False),
        sa.Column("trades", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("code_version", sa.String(64), nullable=True),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        _check("backtest_runs", "status_allowed", "status IN ('running', 'completed', 'failed')"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backtest_runs")),
    )
    _index("backtest_runs", "started_at")
    _index("backtest_runs", "strategy", "started_at")


def _create_ledger_tables() -> None:
    _create_orders()
    _create_trades()
    op.create_table(
        "holdings",
        _id(),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("quantity", DECIMAL, nullable=False),
        sa.Column("avg_cost", DECIMAL, nullable=False),
        sa.Column("market_price", DECIMAL, nullable=True),
        sa.Column("market_value", DECIMAL, nullable=True),
        sa.Column("unrealized_pnl", DECIMAL, nullable=True),
        sa.Column("realized_pnl", DECIMAL, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("opened_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _check("holdings", "mode_allowed", f"mode IN ({MODES})"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holdings")),
        sa.UniqueConstraint("mode", "symbol", name=op.f("uq_holdings_mode_symbol")),
    )
    op.create_table(
        "portfolio_snapshots",
        _id(),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("ts", TIMESTAMP, nullable=False),
        sa.Column("cash", DECIMAL, nullable=False),
        sa.Column("positions_value", DECIMAL, nullable=False),
        sa.Column("equity", DECIMAL, nullable=False),
        sa.Column("buying_power", DECIMAL, nullable=True),
        sa.Column("unrealized_pnl", DECIMAL, nullable=True),
        sa.Column("realized_pnl", DECIMAL, nullable=True),
        sa.Column("daily_pnl", DECIMAL, nullable=True),
        sa.Column("drawdown", sa.Double(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("positions", JSON, nullable=False),
        _check("portfolio_snapshots", "mode_allowed", f"mode IN ({MODES})"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_snapshots")),
        sa.UniqueConstraint("mode", "ts", name=op.f("uq_portfolio_snapshots_mode_ts")),
    )
    _index("portfolio_snapshots", "ts")


def _create_orders() -> None:
    statuses = (
        "'created', 'submitted', 'accepted', 'partially_filled', 'filled', "
        "'cancel_requested', 'cancelled', 'rejected', 'expired'"
    )
    op.create_table(
        "orders",
        _id(),
        sa.Column("client_order_id", sa.String(64), nullable=False),
        sa.Column("broker_order_id", sa.String(64), nullable=True),
        sa.Column("broker", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("parent_order_id", ID, nullable=True),
        sa.Column("decision_id", ID, nullable=True),
        sa.Column("strategy", sa.String(64), nullable=True),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("order_type", sa.String(16), nullable=False),
        sa.Column("time_in_force", sa.String(8), nullable=False),
        sa.Column("quantity", DECIMAL, nullable=False),
        sa.Column("limit_price", DECIMAL, nullable=True),
        sa.Column("stop_price", DECIMAL, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("filled_quantity", DECIMAL, nullable=False),
        sa.Column("avg_fill_price", DECIMAL, nullable=True),
        sa.Column("commission", DECIMAL, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("submitted_at", TIMESTAMP, nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        _check("orders", "mode_allowed", f"mode IN ({MODES})"),
        _check("orders", "side_allowed", "side IN ('buy', 'sell')"),
        _check("orders", "status_allowed", f"status IN ({statuses})"),
        _check("orders", "quantity_positive", "CAST(quantity AS NUMERIC) > 0"),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["agent_decisions.id"],
            name=op.f("fk_orders_decision_id_agent_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_order_id"], ["orders.id"], name=op.f("fk_orders_parent_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("client_order_id", name=op.f("uq_orders_client_order_id")),
    )
    _index("orders", "status", "created_at")
    _index("orders", "created_at")
    _index("orders", "symbol", "created_at")
    _index("orders", "broker_order_id")


def _create_trades() -> None:
    op.create_table(
        "trades",
        _id(),
        sa.Column("order_id", ID, nullable=True),
        sa.Column("decision_id", ID, nullable=True),
        sa.Column("broker_execution_id", sa.String(64), nullable=True),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("strategy", sa.String(64), nullable=True),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("quantity", DECIMAL, nullable=False),
        sa.Column("price", DECIMAL, nullable=False),
        sa.Column("commission", DECIMAL, nullable=False),
        sa.Column("fees", DECIMAL, nullable=False),
        sa.Column("realized_pnl", DECIMAL, nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("executed_at", TIMESTAMP, nullable=False),
        sa.Column("agent_signals", JSON, nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _check("trades", "mode_allowed", f"mode IN ({MODES})"),
        _check("trades", "side_allowed", "side IN ('buy', 'sell')"),
        _check("trades", "quantity_positive", "CAST(quantity AS NUMERIC) > 0"),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["agent_decisions.id"],
            name=op.f("fk_trades_decision_id_agent_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_trades_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trades")),
        sa.UniqueConstraint("broker_execution_id", name=op.f("uq_trades_broker_execution_id")),
    )
    _index("trades", "executed_at")
    _index("trades", "symbol", "executed_at")
    _index("trades", "order_id")


def _create_system_tables() -> None:
    op.create_table(
        "safety_events",
        _id(),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        sa.Column("mode", sa.String(16), nullable=True),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(64), nullable=True),
        sa.Column("symbol", sa.String(32), nullable=True),
        sa.Column("order_id", ID, nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", JSON, nullable=True),
        sa.Column("source", sa.String(32), nullable=True),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        _check("safety_events", "severity_allowed", "severity IN ('info', 'warning', 'critical')"),
        _check("safety_events", "mode_allowed", f"mode IS NULL OR mode IN ({MODES})"),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_safety_events_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_events")),
    )
    _index("safety_events", "occurred_at")
    op.create_table(
        "config_changes",
        _id(),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("file_path", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_changes")),
    )
    _index("config_changes", "changed_at")


def _make_market_data_hypertable() -> None:
    """Turn market_data into a TimescaleDB hypertable where the extension can be used."""
    if context.is_offline_mode():
        log.info("offline SQL: market_data stays a plain table (TimescaleDB is not probed)")
        return
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
    ).first()
    if available is None:
        log.info("TimescaleDB not available: market_data is a plain table keyed by its PK")
        return
    preloaded = bind.execute(
        sa.text("SELECT current_setting('shared_preload_libraries', true)")
    ).scalar()
    if "timescaledb" not in (preloaded or ""):
        log.warning(
            "TimescaleDB is installed but not in shared_preload_libraries: "
            "market_data stays a plain table keyed by (symbol, timeframe, ts)"
        )
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
    op.execute(
        "SELECT create_hypertable('market_data', 'ts', if_not_exists => TRUE, "
        "migrate_data => TRUE, create_default_indexes => FALSE)"
    )
    log.info("TimescaleDB available: market_data is a hypertable on ts")
