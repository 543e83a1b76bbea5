"""Shared fixtures: an isolated environment for every test, and the real services.

PostgreSQL and Redis run on 127.0.0.1 on development and CI machines. Each test run gets its
own PostgreSQL database and its own Redis key prefix, removed at the end of the run. Where a
service is unreachable its tests skip with the reason; with ``TRADEMIND_REQUIRE_SERVICES=1``
(set by ``.ci/run``) they fail instead, so CI always exercises them. The real market data set
(``../shared/data``) follows the same rule: tests find it through ``support.shared_data``.

Migrating a new SQLite file with Alembic costs a few tenths of a second, hundreds of times a
run; the tests that need a migrated database, not a migration, copy one migrated once per
run instead (:func:`migrated_sqlite_template`; ``database`` and ``migrated_data_dir``). The
migrations themselves are tested on new files (``test_migrations.py``, ``test_db_*``).
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from trademind.db.session import Database

POSTGRES_ADMIN_URL = os.environ.get(
    "TRADEMIND_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TRADEMIND_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RUN_ID = uuid.uuid4().hex[:12]


def _services_required() -> bool:
    return os.environ.get("TRADEMIND_REQUIRE_SERVICES", "") not in ("", "0", "false")


def _unavailable(service: str, reason: str) -> None:
    message = f"{service} unavailable: {reason}"
    if _services_required():
        pytest.fail(f"{message} (TRADEMIND_REQUIRE_SERVICES is set, so this is a failure)")
    pytest.skip(message)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No test sees the developer's TradeMind settings or data directory.

    Every ``TRADEMIND*`` variable is removed, the working directory is an empty temporary
    folder (so no ``config.yaml`` or ``.env`` is picked up by accident) and the data directory
    points into it.
    """
    for name in list(os.environ):
        if name.startswith("TRADEMIND") and name not in (
            "TRADEMIND_REQUIRE_SERVICES",
            "TRADEMIND_TEST_POSTGRES_URL",
            "TRADEMIND_TEST_REDIS_URL",
        ):
            monkeypatch.delenv(name)
    work = tmp_path / "work"
    work.mkdir()
    data_dir = tmp_path / "data"
    monkeypatch.chdir(work)
    monkeypatch.setenv("TRADEMIND__APP__DATA_DIR", str(data_dir))
    # No user-level config.yaml leaks in, and `config set` without a file never writes there.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # The settings snapshot (trademind.config.snapshot) is written into the test's tmp dir.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return data_dir


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Remove the handlers a test's CLI call installed, so no test logs into another's files."""
    yield
    from trademind.log import reset_logging

    reset_logging()


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The admin URL of the PostgreSQL server, or skip/fail when it is unreachable."""
    if not _port_open("127.0.0.1", 5432):
        _unavailable("PostgreSQL", "nothing listens on 127.0.0.1:5432")
    return POSTGRES_ADMIN_URL


@pytest.fixture(scope="session")
def postgres_database_url(postgres_server_url: str) -> Iterator[str]:
    """A PostgreSQL database created for this test run and dropped at its end."""
    import sqlalchemy as sa

    name = f"trademind_test_{RUN_ID}"
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        _unavailable("PostgreSQL", str(exc).splitlines()[0])
    url = sa.make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_schema_url(postgres_database_url: str) -> Iterator[str]:
    """A URL whose connections work in a fresh, empty schema of the run's database.

    ``search_path`` is set through the URL, so a test can create and drop everything without
    touching other tests' tables; the schema is dropped afterwards.
    """
    import sqlalchemy as sa

    schema = f"tm_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(postgres_database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(postgres_database_url).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database file migrated to the newest revision by Alembic, once per run: copy
    it (:func:`copy_migrated_sqlite`), never open it."""
    from trademind.db.session import Database

    path = tmp_path_factory.mktemp("migrated-template") / "trademind.db"
    database = Database(f"sqlite:///{path}")
    database.ensure_schema()
    database.dispose()
    assert not path.with_name(f"{path.name}-wal").exists(), "the template must be one file"
    return path


def copy_migrated_sqlite(template: Path, target: Path) -> Path:
    """``target``: a new copy of the migrated template (its parent made when missing)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    assert not target.exists(), f"{target} exists already"
    shutil.copyfile(template, target)
    return target


@pytest.fixture
def migrated_data_dir(isolated_environment: Path, migrated_sqlite_template: Path) -> Path:
    """The test's data directory holding a migrated, empty ``trademind.db`` (the default
    database), for command-line tests about anything but creating or migrating it."""
    copy_migrated_sqlite(migrated_sqlite_template, isolated_environment / "trademind.db")
    return isolated_environment


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated TradeMind database: once on SQLite (a copy of the run's migrated template),
    once in a fresh PostgreSQL schema."""
    from trademind.db.session import Database

    if request.param == "sqlite":
        template = request.getfixturevalue("migrated_sqlite_template")
        path = copy_migrated_sqlite(template, tmp_path / "db" / "trademind.db")
        url = f"sqlite:///{path}"
    else:
        url = str(request.getfixturevalue("postgres_schema_url"))
    database = Database(url)
    database.ensure_schema()
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis URL, or skip/fail when Redis does not answer PING."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1.0)
    try:
        client.ping()
    except redis.RedisError as exc:
        _unavailable("Redis", str(exc))
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_key_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix unique to this test; every key under it is deleted afterwards."""
    import redis

    prefix = f"trademind-test:{RUN_ID}:{uuid.uuid4().hex[:8]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
