"""Alembic migrations on real SQLite and PostgreSQL: up, down, up again, and models == schema.

PostgreSQL tests run in a schema of their own inside the run's database (``search_path`` set
through the URL), so they can drop everything without touching other tests' tables.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.dialects import postgresql

from trademind.db import migrate
from trademind.db.models import Account, AgentDecision, Order, Trade, metadata
from trademind.db.repositories import (
    BarRecord,
    IndicatorRecord,
    IndicatorRepository,
    MarketDataRepository,
)
from trademind.db.session import Database

ROOT = Path(__file__).resolve().parents[2]
MODEL_TABLES = set(metadata.tables)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations' / 'trademind.db'}"
    return str(request.getfixturevalue("postgres_schema_url"))


def _tables(url: str) -> set[str]:
    database = Database(url)
    try:
        return set(sa.inspect(database.engine).get_table_names())
    finally:
        database.dispose()


def _schema_differences(url: str) -> list[object]:
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "target_metadata": metadata}
            )
            return list(compare_metadata(context, metadata))
    finally:
        database.dispose()


def test_models_define_every_table_of_the_design() -> None:
    assert {
        "market_data",
        "indicators",
        "orders",
        "trades",
        "holdings",
        "portfolio_snapshots",
        "agent_decisions",
        "sentiment_history",
        "news_items",
        "news_item_symbols",
        "backtest_runs",
        "safety_events",
        "config_changes",
        "data_quarantine",
        "indicator_state",
        "accounts",
        "broker_state",
        "symbols",
        "safety_state",
        "strategy_validations",
        "llm_calls",
        "sentiment_evaluations",
        "ab_tests",
    } == MODEL_TABLES


def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    migrate.upgrade(database_url)
    assert _tables(database_url) == MODEL_TABLES | {"alembic_version"}
    assert migrate.current(database_url) == migrate.head_revision()

    migrate.downgrade(database_url, "base")
    assert _tables(database_url) - {"alembic_version"} == set()
    assert migrate.current(database_url) is None

    migrate.upgrade(database_url)
    assert _tables(database_url) == MODEL_TABLES | {"alembic_version"}
    assert _schema_differences(database_url) == []


def test_autogenerate_finds_no_difference_between_models_and_migrations(database_url: str) -> None:
    migrate.upgrade(database_url)
    assert _schema_differences(database_url) == []


def test_autogenerate_would_notice_a_model_change(database_url: str) -> None:
    """The comparison above is sensitive: an extra column in the models is reported."""
    migrate.upgrade(database_url)
    changed = sa.MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["trades"].append_column(sa.Column("venue", sa.String(16)))
    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, changed)
    finally:
        database.dispose()
    assert [diff[0] for diff in differences] == ["add_column"]


def test_indexes_for_the_systems_queries_exist(database_url: str) -> None:
    migrate.upgrade(database_url)
    database = Database(database_url)
    try:
        inspector = sa.inspect(database.engine)
        indexes = {
            (table, tuple(index["column_names"]))
            for table in MODEL_TABLES
            for index in inspector.get_indexes(table)
        }
    finally:
        database.dispose()
    assert {
        ("trades", ("executed_at",)),
        ("trades", ("symbol", "executed_at")),
        ("orders", ("status", "created_at")),
        ("agent_decisions", ("decided_at",)),
        ("llm_calls", ("called_at",)),
        ("agent_decisions", ("symbol", "decided_at")),
        ("portfolio_snapshots", ("ts",)),
        ("safety_events", ("occurred_at",)),
        ("safety_events", ("account_id", "occurred_at")),
        ("config_changes", ("changed_at",)),
        ("orders", ("account_id", "created_at")),
        ("trades", ("account_id", "executed_at")),
        ("news_item_symbols", ("symbol", "published_at")),
        ("sentiment_history", ("symbol", "decided_at")),
    } <= indexes


def test_market_data_is_keyed_by_symbol_timeframe_ts_or_a_hypertable(database_url: str) -> None:
    migrate.upgrade(database_url)
    database = Database(database_url)
    try:
        primary_key = sa.inspect(database.engine).get_pk_constraint("market_data")
        hypertable = _is_hypertable(database)
    finally:
        database.dispose()
    assert primary_key["constrained_columns"] == ["symbol", "timeframe", "ts"]
    if database.backend == "postgresql" and _timescaledb_usable(database_url):
        assert hypertable
    else:
        assert not hypertable


def _timescaledb_usable(url: str) -> bool:
    database = Database(url)
    try:
        return database.run(
            lambda connection: (
                connection.execute(
                    sa.text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
                ).first()
                is not None
            )
        )
    finally:
        database.dispose()


def _is_hypertable(database: Database) -> bool:
    if database.backend != "postgresql":
        return False

    def query(connection: sa.Connection) -> bool:
        if (
            connection.execute(
                sa.text("SELECT to_regclass('timescaledb_information.hypertables')")
            ).scalar()
            is None
        ):
            return False
        found = connection.execute(
            sa.text(
                "SELECT 1 FROM timescaledb_information.hypertables "
                "WHERE hypertable_name = 'market_data' AND hypertable_schema = current_schema()"
            )
        )
        return found.first() is not None

    return database.run(query)


def _sqlite_table_sql(url: str, table: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return str(
                connection.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_sqlite_bulk_tables_become_without_rowid_and_keep_their_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rowid' / 'trademind.db'}"
    migrate.upgrade(url, "0003")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO market_data (symbol, timeframe, ts, open, high, low, close, volume, "
            "source, ingested_at) VALUES ('AAPL', '1d', '2024-01-02 00:00:00.000000', "
            "1, 2, 0.5, 1.5, 100, 'csv', '2024-01-03 00:00:00.000000')"
        )
    engine.dispose()
    assert "WITHOUT ROWID" not in _sqlite_table_sql(url, "market_data")
    migrate.upgrade(url)
    for table in ("market_data", "indicators"):
        assert _sqlite_table_sql(url, table).rstrip().endswith("WITHOUT ROWID")
    database = Database(url)
    try:
        with database.session() as session:
            stored = MarketDataRepository(session).bars(
                "AAPL", "1d", datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 3, tzinfo=UTC)
            )
        assert [(bar.ts, bar.close) for bar in stored] == [(datetime(2024, 1, 2, tzinfo=UTC), 1.5)]
    finally:
        database.dispose()
    migrate.downgrade(url, "0003")
    assert "WITHOUT ROWID" not in _sqlite_table_sql(url, "market_data")


def test_sqlite_database_runs_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wal' / 'trademind.db'}"
    migrate.upgrade(url)
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        database.dispose()


@pytest.mark.postgres
def test_postgres_uses_jsonb_numeric_and_timestamptz(postgres_schema_url: str) -> None:
    migrate.upgrade(postgres_schema_url)
    database = Database(postgres_schema_url)
    try:
        inspector = sa.inspect(database.engine)
        trades = {column["name"]: column["type"] for column in inspector.get_columns("trades")}
        decisions = {c["name"]: c["type"] for c in inspector.get_columns("agent_decisions")}
    finally:
        database.dispose()
    assert isinstance(trades["agent_signals"], postgresql.JSONB)
    assert isinstance(decisions["payload"], postgresql.JSONB)
    assert isinstance(trades["price"], sa.Numeric)
    assert (trades["price"].precision, trades["price"].scale) == (24, 8)
    assert isinstance(trades["executed_at"], sa.DateTime)
    assert trades["executed_at"].timezone


@pytest.mark.postgres
def test_models_round_trip_on_postgres(postgres_schema_url: str) -> None:
    database = Database(postgres_schema_url)
    database.ensure_schema()
    executed_at = datetime(2024, 3, 15, 9, 30, 0, 250000, tzinfo=timezone(timedelta(hours=-4)))
    signals = {"technical": {"vote": "buy", "confidence": 0.7}, "notes": ["a", 1, None]}
    try:
        with database.session() as session:
            account = Account(
                name="pg",
                mode="paper",
                broker="paper",
                starting_cash=Decimal(1),
                created_at=executed_at,
                last_used_at=executed_at,
            )
            session.add(account)
            session.flush()
            order = Order(
                account_id=account.id,
                client_order_id="pg-1",
                broker="paper",
                mode="paper",
                symbol="MSFT",
                side="buy",
                order_type="market",
                quantity=Decimal("3.33333333"),
                created_at=executed_at,
                updated_at=executed_at,
            )
            session.add(order)
            session.flush()
            session.add(
                Trade(
                    account_id=account.id,
                    order_id=order.id,
                    mode="paper",
                    symbol="MSFT",
                    side="buy",
                    quantity=Decimal("3.33333333"),
                    price=Decimal("9999999999999999.99999999"),
                    executed_at=executed_at,
                    agent_signals=signals,
                    created_at=executed_at,
                )
            )
            session.add(
                AgentDecision(
                    mode="paper",
                    agent="orchestrator",
                    symbol="MSFT",
                    action="hold",
                    confidence=0.5,
                    payload={"k": Decimal("0.1")},
                    decided_at=executed_at,
                )
            )
        with database.session() as session:
            trade = session.scalars(sa.select(Trade)).one()
            decision = session.scalars(sa.select(AgentDecision)).one()
            found = session.scalars(
                sa.select(Trade.id).where(
                    Trade.agent_signals["technical"]["vote"].as_string() == "buy"
                )
            ).all()
    finally:
        database.dispose()
    assert trade.price == Decimal("9999999999999999.99999999")
    assert trade.quantity == Decimal("3.33333333")
    assert trade.executed_at == executed_at
    assert trade.executed_at.tzinfo is UTC
    assert trade.agent_signals == signals
    assert decision.payload == {"k": "0.1"}
    assert found == [trade.id]


@pytest.mark.postgres
def test_upserts_on_postgres(postgres_schema_url: str) -> None:
    database = Database(postgres_schema_url)
    database.ensure_schema()
    day = datetime(2024, 1, 2, tzinfo=UTC)
    bar = BarRecord("AAPL", "1d", day, 1.0, 2.0, 0.5, 1.5, 100.0, "csv")
    try:
        with database.session() as session:
            MarketDataRepository(session).upsert_bars([bar], ingested_at=day)
            MarketDataRepository(session).upsert_bars(
                [BarRecord("AAPL", "1d", day, 1.0, 2.0, 0.5, 1.75, 100.0, "csv")], ingested_at=day
            )
            IndicatorRepository(session).upsert(
                [IndicatorRecord("AAPL", "1d", day, "rsi_14", 40.0)], computed_at=day
            )
            IndicatorRepository(session).upsert(
                [IndicatorRecord("AAPL", "1d", day, "rsi_14", 41.0)], computed_at=day
            )
        with database.session() as session:
            latest = MarketDataRepository(session).latest_bar("AAPL", "1d")
            values = IndicatorRepository(session).values("AAPL", "1d", day, day + timedelta(days=1))
    finally:
        database.dispose()
    assert latest is not None
    assert latest.close == 1.75
    assert [(v.name, v.value) for v in values] == [("rsi_14", 41.0)]


def _alembic(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini"), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_alembic_command_line_uses_the_app_metadata(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli' / 'trademind.db'}"
    upgraded = _alembic("-x", f"url={url}", "upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr
    assert _tables(url) == MODEL_TABLES | {"alembic_version"}
    check = _alembic("-x", f"url={url}", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_offline_sql_for_postgres_needs_no_server() -> None:
    result = _alembic("-x", "url=postgresql://nobody@127.0.0.1:1/none", "upgrade", "head", "--sql")
    assert result.returncode == 0, result.stderr
    assert "CREATE TABLE market_data" in result.stdout
    assert "agent_signals JSONB NOT NULL" in result.stdout
    assert "NUMERIC(24, 8)" in result.stdout


def test_scratch_shapes_match_the_real_schema_at_every_revision(database_url: str) -> None:
    """Issue 9, defect 4: `db downgrade` learns what each step drops from the table and column
    sets of every revision, built on a scratch SQLite database. A migration whose tables or
    columns differ on this backend would make that guess wrong: this test notices it."""
    from trademind.db import schema_loss

    shapes = schema_loss.revision_shapes()
    assert set(shapes) == {info.revision for info in migrate.history()}
    for info in reversed(migrate.history()):
        migrate.upgrade(database_url, info.revision)
        database = Database(database_url)
        try:
            real = database.run(schema_loss.shape_of)
        finally:
            database.dispose()
        assert real == shapes[info.revision], info.revision
    assert set(shapes[migrate.head_revision()]) == MODEL_TABLES
