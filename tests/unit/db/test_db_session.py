"""The Database handle: SQLite pragmas, transactions, masked URLs and one-line errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from trademind.core.errors import DatabaseError
from trademind.db.models import ConfigChange
from trademind.db.session import Database, mask_url, parse_url

STAMP = datetime(2024, 6, 3, 15, 0, tzinfo=UTC)


def _pragma(database: Database, name: str) -> object:
    with database.engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_sqlite_uses_wal_foreign_keys_and_a_busy_timeout(database: Database) -> None:
    assert _pragma(database, "journal_mode") == "wal"
    assert _pragma(database, "foreign_keys") == 1
    assert _pragma(database, "busy_timeout") == 5000
    assert _pragma(database, "page_size") == 16_384  # a new file gets the larger pages


def test_sqlite_directory_is_created_on_first_connect_not_before(tmp_path: Path) -> None:
    file = tmp_path / "a" / "b" / "trademind.db"
    database = Database(f"sqlite:///{file}")
    assert not file.parent.exists()
    database.check_connection()
    assert file.exists()
    database.dispose()


def test_session_commits_on_success(database: Database) -> None:
    with database.session() as session:
        session.add(
            ConfigChange(key="app.timezone", new_value="UTC", source="cli", changed_at=STAMP)
        )
    with database.session() as session:
        assert session.scalars(sa.select(ConfigChange.key)).all() == ["app.timezone"]


def test_session_rolls_back_on_exception(database: Database) -> None:
    def add_then_fail() -> None:
        with database.session() as session:
            session.add(
                ConfigChange(key="app.timezone", new_value="UTC", source="cli", changed_at=STAMP)
            )
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        add_then_fail()
    with database.session() as session:
        assert session.scalars(sa.select(ConfigChange)).all() == []


def test_url_masks_the_password() -> None:
    database = Database("postgresql+psycopg://trader:s3cret@db.example:5432/trademind")
    assert database.url == "postgresql+psycopg://trader:**********@db.example:5432/trademind"
    assert "s3cret" not in repr(database)
    assert database.backend == "postgresql"


def test_plain_postgresql_urls_use_psycopg_3() -> None:
    assert parse_url("postgresql://u@h/d").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u@h/d").drivername == "postgresql+psycopg"
    assert mask_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unreachable_postgres_is_a_one_line_database_error() -> None:
    database = Database("postgresql+psycopg://trader:s3cret@127.0.0.1:1/trademind")
    with pytest.raises(DatabaseError) as caught:
        database.check_connection()
    message = str(caught.value)
    assert "postgresql+psycopg://trader:**********@127.0.0.1:1/trademind" in message
    assert "s3cret" not in message
    assert "\n" not in message
    assert "refused" in message.lower() or "failed" in message.lower()


def test_unusable_sqlite_path_is_a_database_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    database = Database(f"sqlite:///{blocker / 'sub' / 'trademind.db'}")
    with pytest.raises(DatabaseError, match="cannot create its directory"):
        database.check_connection()


def test_sqlite_file_that_is_not_a_database_is_a_database_error(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite" * 100)
    database = Database(f"sqlite:///{garbage}")
    with pytest.raises(DatabaseError, match=r"garbage\.db"):
        database.ensure_schema()


def test_invalid_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(DatabaseError, match="not a valid SQLAlchemy URL") as caught:
        Database("not a url with p4ssword")
    assert "p4ssword" not in str(caught.value)


def test_unknown_driver_is_a_database_error() -> None:
    with pytest.raises(DatabaseError, match="no driver"):
        Database("mysql+nosuchdriver://u:pw@h/d")


def test_ensure_schema_upgrades_once_and_is_idempotent(sqlite_url: str) -> None:
    from trademind.db import migrate

    database = Database(sqlite_url)
    database.ensure_schema()
    database.ensure_schema()
    assert migrate.current(sqlite_url) == migrate.head_revision()
    assert "config_changes" in sa.inspect(database.engine).get_table_names()
    database.dispose()


def test_a_bulk_transaction_relaxes_sync_for_itself_only(database: Database) -> None:
    def synchronous(connection: sa.Connection) -> object:
        return connection.exec_driver_sql("PRAGMA synchronous").scalar()

    assert database.run(synchronous, bulk=True) == 1  # NORMAL inside the bulk write
    assert database.run(synchronous) == 2  # FULL again on the same pooled connection
    assert _pragma(database, "synchronous") == 2


def test_a_relaxed_session_commits_without_full_sync_for_itself_only(database: Database) -> None:
    with database.session(relaxed=True) as session:
        inside = session.connection().exec_driver_sql("PRAGMA synchronous").scalar()
        when = datetime(2026, 1, 1, tzinfo=UTC)
        session.add(ConfigChange(changed_at=when, key="k", new_value="b", source="test"))
    assert inside == 1  # NORMAL inside the relaxed transaction
    with database.session() as session:
        assert session.scalars(sa.select(ConfigChange.key)).all() == ["k"]  # committed
        assert session.connection().exec_driver_sql("PRAGMA synchronous").scalar() == 2
    assert _pragma(database, "synchronous") == 2


def test_a_relaxed_session_commits_when_the_full_pool_closes_its_connection(
    database: Database,
) -> None:
    """The commit hands the connection back to the pool; a pool with no room left closes it.
    Putting the setting back afterwards failed there (under API load: a replay's step ended
    in "Cannot operate on a closed database")."""
    pool = database.engine.pool
    held = [pool.connect() for _ in range(pool.size() + 1)]  # the pool's and one overflow
    with database.session(relaxed=True) as session:
        session.add(ConfigChange(changed_at=STAMP, key="k", new_value="b", source="test"))
        for connection in held[:-1]:
            connection.close()  # the idle queue is full again: the next one back is closed
    held[-1].close()
    with database.session() as session:
        assert session.scalars(sa.select(ConfigChange.key)).all() == ["k"]
    assert _pragma(database, "synchronous") == 2
