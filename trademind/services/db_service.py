"""Database schema use cases: upgrade, downgrade, status and history of the migrations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trademind.core.errors import ConfirmationRequiredError, UsageError
from trademind.db import migrate, schema_loss
from trademind.db.schema_loss import DowngradePlan
from trademind.db.session import Database, mask_url, parse_url
from trademind.services.json_ready import json_fields


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaStatus:
    """Where a database's schema stands relative to the shipped migrations."""

    revision: str | None
    head: str
    backend: str
    url: str

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head

    def to_json(self) -> dict[str, Any]:
        return json_fields(self) | {"up_to_date": self.up_to_date}


def check_revision(revision: str) -> str:
    """``revision`` when the shipped migrations know it ('head', 'base', ``-N``/``+N`` or a
    (partial) revision id), else a usage error naming the known ids; no database is opened."""
    relative = revision[:1] in ("-", "+") and revision[1:].isdigit()
    if revision in ("head", "heads", "base") or relative:
        return revision
    from alembic.util import CommandError

    try:
        found = migrate.scripts().get_revision(revision)
    except (CommandError, KeyError, ValueError):
        found = None
    if found is None:
        known = ", ".join(info.revision for info in migrate.history())
        raise UsageError(
            f"unknown revision {revision!r}: use 'head', 'base', -N or one of {known} "
            "(see `trademind db history`)"
        )
    return revision


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


def plan_downgrade(url: str, revision: str) -> DowngradePlan:
    """What ``downgrade revision`` would revert and delete on the database at ``url``."""
    if migrate.current(url) is None:  # never migrated (or a missing SQLite file): nothing to lose
        return DowngradePlan(None, revision, (), ())
    database = Database(url)
    try:
        return database.run(lambda connection: schema_loss.plan_downgrade(connection, revision))
    finally:
        database.dispose()


def downgrade_database(url: str, revision: str, *, allow_data_loss: bool = False) -> SchemaStatus:
    """Revert migrations down to ``revision``.

    A downgrade that drops a table holding rows or a column holding values (``base`` drops
    every table) is refused unless ``allow_data_loss`` is true; the error names each table and
    column with its row count, and nothing is changed. One that loses nothing just runs.
    """
    if not allow_data_loss:
        plan = plan_downgrade(url, revision)
        if plan.loses_data:
            raise ConfirmationRequiredError(refusal(plan))
    migrate.downgrade(url, revision)
    return schema_status(url)


def refusal(plan: DowngradePlan) -> str:
    """The one-line message of a downgrade refused for want of confirmation."""
    return (
        f"downgrading to {plan.target!r} would delete {plan.loss_text()}; nothing was changed: "
        "confirm with --yes"
    )


def migration_history() -> list[migrate.RevisionInfo]:
    """Every shipped migration, newest first."""
    return migrate.history()
