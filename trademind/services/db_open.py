"""Open the configured database: the one step every database command shares.

A module of its own, light to import (SQLAlchemy only), so that opening the database does not
import what the commands of one group need (pandas, numpy, numba, Alembic).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trademind.db.session import Database

if TYPE_CHECKING:
    from trademind.config.readonly import ReadSettings


def open_database(settings: ReadSettings) -> Database:
    """The configured database, migrated to the newest schema when ``database.auto_migrate``."""
    database = Database(settings.database_url(), echo=settings.database.echo)
    if settings.database.auto_migrate:
        database.ensure_schema()
    return database
