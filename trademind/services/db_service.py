"""Database schema use cases: upgrade, downgrade, status and history of the migrations."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from trademind.core.errors import ValidationError
from trademind.db import migrate
from trademind.db.session import Database, mask_url, parse_url


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database's schema stands relative to the shipped migrations."""

    revision: str | None
    head: str
    backend: str
    url: str

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"up_to_date": self.up_to_date}


def schema_status(url: str) -> SchemaStatus:
    """The current revision, the head revision and the backend of the database at ``url``."""
    parsed = parse_url(url)
    return SchemaStatus(
        revision=migrate.current(url),
        head=migrate.head_revision(),
        backend=parsed.get_backend_name(),
        url=mask_url(parsed),
    )


def upgrade_database(url: str, revision: str = "head") -> SchemaStatus:
    """Apply migrations up to ``revision`` (default: the newest) and return the new status."""
    migrate.upgrade(url, revision)
    return schema_status(url)


def downgrade_database(url: str, revision: str, *, allow_data_loss: bool = False) -> SchemaStatus:
    """Revert migrations down to ``revision``.

    Reaching ``base`` (by name or by a relative step such as ``-1``) drops every TradeMind table
    and the data in it, so it is refused unless ``allow_data_loss`` is true.
    """
    if not allow_data_loss and _reaches_base(url, revision):
        raise ValidationError(
            f"downgrading to {revision!r} reaches base: it drops every TradeMind table and all "
            "their data; confirm with --yes"
        )
    migrate.downgrade(url, revision)
    return schema_status(url)


def migration_history() -> list[migrate.RevisionInfo]:
    """Every shipped migration, newest first."""
    return migrate.history()


def _reaches_base(url: str, revision: str) -> bool:
    if revision == "base":
        return True
    database = Database(url)
    try:
        return database.run(lambda connection: migrate.resolves_to_base(connection, revision))
    finally:
        database.dispose()
