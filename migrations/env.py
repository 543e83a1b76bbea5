"""Alembic environment: metadata and database URL come from the TradeMind application.

The connection is taken from ``config.attributes["connection"]`` when TradeMind runs the
migrations (``trademind db upgrade``, ``Database.ensure_schema``). Run as ``uv run alembic ...``
the URL is ``-x url=...`` if given, else the configured one (``database.url`` /
``TRADEMIND__DATABASE__URL``, default SQLite in the data directory).
"""

from __future__ import annotations

import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context

from trademind.db.models import metadata as target_metadata

config = context.config
log = logging.getLogger("alembic.env")

if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _configured_url() -> str:
    """The URL from ``-x url=...`` or from TradeMind's settings (imported only when needed)."""
    explicit = context.get_x_argument(as_dictionary=True).get("url")
    if explicit:
        return explicit
    from trademind.config import load_settings

    return load_settings().database_url()


def _configure(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``) instead of running it."""
    from trademind.db.session import parse_url

    url = parse_url(_configured_url())
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.get_backend_name() == "sqlite",
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if isinstance(connection, sa.Connection):
        _configure(connection)
        return
    from trademind.db.session import Database

    database = Database(_configured_url())
    log.info("migrating %s", database.url)
    try:
        database.run(_configure, schema_change=True)
    finally:
        database.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
