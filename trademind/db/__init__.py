"""Persistence: SQLAlchemy models, the engine/session wrapper, migrations and repositories.

Alembic (``migrations/``) owns the schema; :class:`trademind.db.session.Database` opens it.
"""
