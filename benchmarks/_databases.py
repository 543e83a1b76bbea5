"""Throw-away databases for benchmarks: a SQLite file and a PostgreSQL database of the run."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from trademind.db import migrate
from trademind.db.session import Database

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def sqlite_database() -> Iterator[tuple[Database, sa.Engine]]:
    """A migrated TradeMind database and a plain engine on a second file for the reference."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'trademind.db'}"
        migrate.upgrade(url)
        database = Database(url)
        reference = sa.create_engine(f"sqlite:///{Path(folder) / 'reference.db'}")
        try:
            yield database, reference
        finally:
            database.dispose()
            reference.dispose()


@contextmanager
def postgres_database(server: str = POSTGRES_SERVER) -> Iterator[tuple[Database, sa.Engine]]:
    """A migrated TradeMind database created for this run (dropped afterwards)."""
    name = f"trademind_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        database = Database(url)
        reference = sa.create_engine(url)
        try:
            yield database, reference
        finally:
            database.dispose()
            reference.dispose()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
