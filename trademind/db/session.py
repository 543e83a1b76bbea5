"""The database handle: one engine, transactional sessions, schema upgrade on demand."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine

from trademind.core.errors import DatabaseError
from trademind.core.secrets import mask_url_password

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
RELAXED = "trademind_relaxed"
"""Set in a pooled SQLite connection's info while it runs with ``synchronous=NORMAL``."""


def parse_url(url: str) -> URL:
    """Parse a database URL, choosing psycopg 3 for PostgreSQL. Never echoes the raw URL."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise DatabaseError(
            "the database URL is not a valid SQLAlchemy URL "
            "(expected e.g. sqlite:///path/trademind.db or postgresql+psycopg://user@host/db)"
        ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def mask_url(url: URL | str) -> str:
    """The URL as text with any password replaced by the mask (``**********``)."""
    parsed = url if isinstance(url, URL) else parse_url(url)
    return mask_url_password(parsed.render_as_string(hide_password=False))


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for other backends and in-memory databases."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def describe_failure(url: URL, exc: BaseException) -> str:
    """One line naming the (masked) database and the cause, free of the password."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    text = lines[0] if lines else type(cause).__name__
    if url.password:
        text = text.replace(str(url.password), "***")
    return f"database {mask_url(url)} is not usable: {text}"


def _is_unusable_database(exc: sa.exc.DBAPIError) -> bool:
    return (
        exc.connection_invalidated
        or isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError)
        or type(exc) is sa.exc.DatabaseError
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_JSON_ENCODER: Final = json.JSONEncoder(default=_json_default, allow_nan=False)
"""``json.dumps(value, default=_json_default, allow_nan=False)`` without building an encoder
per call (the text is the same)."""


def _json_dumps(value: Any) -> str:
    """JSON columns accept Decimal (as a string) and datetimes (ISO 8601) besides plain JSON."""
    return _JSON_ENCODER.encode(value)


def _configure_sqlite(engine: Engine, database_file: Path | None) -> None:
    @event.listens_for(engine, "do_connect")
    def _create_parent_directory(*_: Any) -> None:
        if database_file is None:
            return
        try:
            database_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(
                f"database {database_file} is not usable: cannot create its directory "
                f"{database_file.parent} ({exc.strerror or exc})"
            ) from exc

    @event.listens_for(engine, "checkin")
    def _unrelax(dbapi_connection: Any, record: Any) -> None:
        """A relaxed session's connection back to full sync before anyone else uses it."""
        if record.info.pop(RELAXED, False) and dbapi_connection is not None:
            dbapi_connection.execute("PRAGMA synchronous=FULL")

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if database_file is not None:
                # Takes effect only while the file is still empty (a new database): larger
                # pages make bulk bar and indicator writes cheaper; existing files keep theirs.
                cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()


def _check_foreign_keys(connection: sa.Connection) -> None:
    """Raise DatabaseError when a row references a missing row (SQLite, after a migration)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise DatabaseError(
            f"schema change left {len(broken)} broken reference(s), e.g. {table} row {rowid} "
            f"to a missing {parent} row; nothing was changed"
        )


POOL_SIZE: Final = 10
"""Connections kept open: at least the server's worker threads (trademind/web/serve.py
``WORKER_THREADS``) and its loop, so that a busy dashboard does not open and close a
connection per request (SQLAlchemy's default keeps 5)."""
POOL_OVERFLOW: Final = 10
SQLITE_PAGE_SIZE: Final = 16_384
"""Page size of new SQLite files (SQLite's default is 4096)."""


class Database:
    """One database: engine, sessions and schema management.

    Creating it opens no connection. SQLite gets WAL journaling, enforced foreign keys and a
    busy timeout on every connection, and its directory is created on first connect.
    Connection problems surface as :class:`~trademind.core.errors.DatabaseError`.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self._url = parse_url(url)
        # A server's connection can die while pooled: PostgreSQL's is pinged at each checkout.
        # A SQLite file's cannot, and the ping cost a query per checkout (every API request).
        ping = self._url.get_backend_name() != "sqlite"
        pooled = ping or sqlite_file(self._url) is not None  # in-memory SQLite: its own pool
        sizes = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW} if pooled else {}
        try:
            self._engine = sa.create_engine(
                self._url, echo=echo, pool_pre_ping=ping, json_serializer=_json_dumps, **sizes
            )
        except (sa.exc.NoSuchModuleError, ImportError) as exc:
            raise DatabaseError(
                f"database {mask_url(self._url)}: no driver for {self._url.drivername!r} "
                f"({exc}); use sqlite:/// or postgresql+psycopg://"
            ) from None
        if self._url.get_backend_name() == "sqlite":
            _configure_sqlite(self._engine, sqlite_file(self._url))
        self._sessions: sessionmaker[Session] | None = None  # the ORM is imported on first use

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def url(self) -> str:
        """The URL with the password masked: safe for messages and logs."""
        return mask_url(self._url)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._url.get_backend_name()

    @contextmanager
    def session(self, *, relaxed: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any exception.

        ``relaxed`` commits without waiting for the disk: SQLite's ``synchronous=NORMAL`` in
        WAL mode, PostgreSQL's ``synchronous_commit=off`` for this transaction. The commit
        survives the process being killed (SIGKILL) and never corrupts the database; a power
        cut or an operating-system crash right after it may lose it (and the commits just
        before it). For data that can be produced again, e.g. a replay's ledger.
        """
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        with self.translate_errors():
            session = self._sessions()
            if relaxed:
                self._relax(session)
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def _relax(self, session: Session) -> None:
        """Relax this transaction's commit (see :meth:`session`). SQLite: the setting is put
        back as the connection returns to the pool (``checkin``, :func:`_configure_sqlite`):
        the commit has already handed the connection back, so by then another thread may
        hold it, or a full pool may have closed it."""
        connection = session.connection()
        if self.backend == "postgresql":
            connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            return
        # On the driver connection: a PRAGMA through SQLAlchemy would begin a transaction.
        driver: Any = connection.connection.driver_connection
        driver.execute("PRAGMA synchronous=NORMAL")
        connection.info[RELAXED] = True

    def run[T](
        self,
        work: Callable[[sa.Connection], T],
        *,
        bulk: bool = False,
        schema_change: bool = False,
    ) -> T:
        """Run ``work`` on one connection inside one transaction (committed on success).

        ``bulk`` marks a large write of re-fetchable data (bars, indicator values): on SQLite
        that transaction commits with ``synchronous=NORMAL``, WAL's recommended level. The file
        is never corrupted; a power cut right after the commit may lose that write (the data
        can be ingested again). Every other transaction keeps the default, ``FULL``.

        ``schema_change`` marks a migration: on SQLite foreign keys are off during the
        transaction (rebuilding a referenced table needs that, and SQLite only changes it
        outside a transaction) and ``PRAGMA foreign_key_check`` must find nothing before the
        commit, else :class:`~trademind.core.errors.DatabaseError` and nothing is committed.
        """
        with self.translate_errors(), self._engine.connect() as connection:
            relaxed = bulk and self.backend == "sqlite"
            unchecked = schema_change and self.backend == "sqlite"
            # On the driver connection: a PRAGMA through SQLAlchemy would begin a transaction.
            driver: Any = connection.connection.driver_connection
            if relaxed:
                driver.execute("PRAGMA synchronous=NORMAL")
            if unchecked:
                driver.execute("PRAGMA foreign_keys=OFF")
            try:
                with connection.begin():
                    result = work(connection)
                    if unchecked:
                        _check_foreign_keys(connection)
                    return result
            finally:
                if relaxed:
                    driver.execute("PRAGMA synchronous=FULL")
                if unchecked:
                    driver.execute("PRAGMA foreign_keys=ON")

    def check_connection(self) -> None:
        """Connect once and run ``SELECT 1``; raise DatabaseError when that fails."""
        self.run(lambda connection: connection.execute(sa.text("SELECT 1")).scalar_one())

    def ensure_schema(self) -> None:
        """Upgrade the schema to the newest migration when it is not there already.

        A database already at the head is recognised without importing Alembic
        (:mod:`trademind.db.revisions`); anything else goes through Alembic as before.
        """
        from trademind.db import revisions

        shipped = revisions.shipped_head()
        if shipped is not None and self.run(lambda c: revisions.is_current(c, shipped)):
            return
        from trademind.db import migrate

        head = migrate.head_revision()
        if self.run(migrate.current_on) == head:
            return
        log.info("upgrading database %s to revision %s", self.url, head)
        self.run(lambda connection: migrate.upgrade_on(connection, "head"), schema_change=True)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    @contextmanager
    def translate_errors(self) -> Iterator[None]:
        """Turn "cannot use this database" errors into a one-line DatabaseError.

        Unreachable servers, locked or corrupt files and dropped connections qualify; errors
        about the statement or the data (IntegrityError, ProgrammingError, ...) pass through.
        """
        try:
            yield
        except sa.exc.DBAPIError as exc:
            if not _is_unusable_database(exc):
                raise
            raise DatabaseError(describe_failure(self._url, exc)) from exc

    def __repr__(self) -> str:
        return f"Database({self.url!r})"
