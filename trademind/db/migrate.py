"""Alembic, configured in code, so migrations run the same from a checkout or a wheel.

The scripts live in the shipped ``migrations`` resource; ``migrations/env.py`` uses the
connection handed over in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError

from trademind.core.errors import ValidationError
from trademind.db.session import Database, parse_url, sqlite_file
from trademind.resources import resource_path


@dataclass(frozen=True)
class RevisionInfo:
    """One migration script."""

    revision: str
    down_revision: str | None
    message: str
    is_head: bool


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic config pointing at the shipped migrations (and at ``connection`` if given)."""
    config = Config()
    config.set_main_option("script_location", str(resource_path("migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def scripts() -> ScriptDirectory:
    """The shipped migration scripts."""
    return ScriptDirectory.from_config(alembic_config())


_scripts = scripts


def head_revision() -> str:
    """The newest revision the shipped migrations know."""
    head = _scripts().get_current_head()
    if head is None:  # pragma: no cover - the package always ships revision 0001
        raise ValidationError("no migrations are shipped with this installation")
    return head


def history() -> list[RevisionInfo]:
    """Every migration, newest first."""
    scripts = _scripts()
    heads = set(scripts.get_heads())
    return [
        RevisionInfo(
            revision=script.revision,
            down_revision=_single(script.down_revision),
            message=(script.doc or "").strip(),
            is_head=script.revision in heads,
        )
        for script in scripts.walk_revisions()
    ]


def _single(down_revision: str | Sequence[str] | None) -> str | None:
    if down_revision is None or isinstance(down_revision, str):
        return down_revision
    return ", ".join(down_revision)


@contextmanager
def _revision_errors(revision: str) -> Iterator[None]:
    try:
        yield
    except (CommandError, RevisionError) as exc:
        raise ValidationError(f"cannot migrate to revision {revision!r}: {exc}") from exc


def current_on(connection: sa.Connection) -> str | None:
    """The revision the database on ``connection`` is at (None when never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_on(connection: sa.Connection, revision: str = "head") -> None:
    with _revision_errors(revision):
        command.upgrade(alembic_config(connection), revision)


def downgrade_on(connection: sa.Connection, revision: str) -> None:
    with _revision_errors(revision):
        command.downgrade(alembic_config(connection), revision)


def resolves_to_base(connection: sa.Connection, revision: str) -> bool:
    """Whether downgrading to ``revision`` (``base``, ``-N`` or an id) would drop every table."""
    if revision == "base":
        return True
    current = current_on(connection)
    if current is None:
        return False
    if revision.startswith("-") and revision[1:].isdigit():
        applied = list(_scripts().iterate_revisions(current, "base"))
        return int(revision[1:]) >= len(applied)
    return False


def downgrade_steps(current: str | None, revision: str) -> list[tuple[str, tuple[str, ...]]]:
    """The (revision, its parents) steps ``downgrade revision`` reverts from ``current``,
    newest first; empty when nothing is applied. An invalid target is a ValidationError."""
    if current is None:
        return []
    with _revision_errors(revision):
        # The resolution `alembic downgrade` itself uses (iterate_revisions refuses `-N` that
        # reaches base, which the command accepts).
        steps = scripts()._downgrade_revs(revision, current)
    return [(step.revision.revision, _parents(step.revision.down_revision)) for step in steps]


def _parents(down_revision: str | Sequence[str] | None) -> tuple[str, ...]:
    if down_revision is None:
        return ()
    return (down_revision,) if isinstance(down_revision, str) else tuple(down_revision)


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision`` (default: the newest)."""
    _with_database(url, lambda connection: upgrade_on(connection, revision))


def downgrade(url: str, revision: str) -> None:
    """Downgrade the database at ``url`` to ``revision`` (``base`` removes every table)."""
    _with_database(url, lambda connection: downgrade_on(connection, revision))


def current(url: str) -> str | None:
    """The revision of the database at ``url``; None when it was never migrated.

    A SQLite file that does not exist yet is reported as None without being created.
    """
    database_file = sqlite_file(parse_url(url))
    if database_file is not None and not database_file.exists():
        return None
    return _with_database(url, current_on)


def _with_database[T](url: str, work: Callable[[sa.Connection], T]) -> T:
    database = Database(url)
    try:
        return database.run(work, schema_change=True)
    finally:
        database.dispose()
