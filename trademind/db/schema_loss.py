"""What a downgrade would delete: the tables and columns it drops, with the rows they hold.

Which tables and columns each migration drops is not declared anywhere by hand: the shipped
migrations are run once per process on a scratch in-memory SQLite database, and the table and
column sets after every revision are read back (:func:`revision_shapes`). A downgrade step from
revision R to its parent drops what R's shape has and the parent's lacks. New migrations are
covered without anyone listing what they drop; a test checks the scratch shapes against
PostgreSQL at every revision, so a migration whose tables differ by backend is noticed.

Only what exists in the real database and holds data counts: a dropped table with rows, a
dropped column with non-NULL values. Rebuilding a table (0004 on SQLite) keeps its rows and its
columns, so it loses nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from trademind.db import migrate

type Shape = Mapping[str, frozenset[str]]
"""Table name -> column names (``alembic_version`` left out)."""

_VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class Loss:
    """One table (``column`` None) or column a downgrade drops, and how much data it holds."""

    table: str
    column: str | None
    rows: int

    def describe(self) -> str:
        if self.column is None:
            return f"{self.table}: {self.rows} rows"
        return f"{self.table}.{self.column}: {self.rows} values"


@dataclass(frozen=True)
class DowngradePlan:
    """The revisions a downgrade reverts (newest first) and the data it would delete."""

    current: str | None
    target: str
    reverted: tuple[str, ...]
    losses: tuple[Loss, ...]

    @property
    def loses_data(self) -> bool:
        return any(loss.rows > 0 for loss in self.losses)

    def loss_text(self) -> str:
        """``data_quarantine: 12 rows, indicator_state: 3 rows`` (only what holds data)."""
        return ", ".join(loss.describe() for loss in self.losses if loss.rows > 0)


def shape_of(connection: sa.Connection) -> dict[str, frozenset[str]]:
    """The tables and columns of the database on ``connection`` (its default schema)."""
    inspector = sa.inspect(connection)
    return {
        table: frozenset(column["name"] for column in inspector.get_columns(table))
        for table in inspector.get_table_names()
        if table != _VERSION_TABLE
    }


@functools.cache
def revision_shapes() -> Mapping[str, Shape]:
    """The schema shape after every shipped revision."""
    shapes: dict[str, Shape] = {}
    engine = sa.create_engine("sqlite://")  # in memory: one connection, gone on dispose
    try:
        with engine.connect() as connection:
            for script in reversed(list(migrate.scripts().walk_revisions())):
                migrate.upgrade_on(connection, script.revision)
                connection.commit()
                shapes[script.revision] = shape_of(connection)
    finally:
        engine.dispose()
    return shapes


def dropped_by(revision: str, parents: tuple[str, ...]) -> dict[str, frozenset[str] | None]:
    """What reverting ``revision`` to ``parents`` (none: base) drops: table -> None (the whole
    table) or the set of its columns that go."""
    shapes = revision_shapes()
    after: dict[str, frozenset[str]] = {}
    for parent in parents:
        for table, columns in shapes[parent].items():
            after[table] = after.get(table, frozenset()) | columns
    dropped: dict[str, frozenset[str] | None] = {}
    for table, columns in shapes[revision].items():
        if table not in after:
            dropped[table] = None
        elif gone := columns - after[table]:
            dropped[table] = gone
    return dropped


def plan_downgrade(connection: sa.Connection, revision: str) -> DowngradePlan:
    """The revisions ``downgrade revision`` would revert and the data it would delete.

    An unknown or invalid target raises :class:`~trademind.core.errors.ValidationError`, as
    the downgrade itself would.
    """
    current = migrate.current_on(connection)
    steps = migrate.downgrade_steps(current, revision)
    dropped: dict[str, frozenset[str] | None] = {}
    for step, parents in steps:
        for table, columns in dropped_by(step, parents).items():
            dropped[table] = _merge(dropped.get(table, frozenset()), columns)
    existing = shape_of(connection)
    losses = tuple(
        loss
        for table, columns in sorted(dropped.items())
        if table in existing
        for loss in _count(connection, table, columns, existing[table])
    )
    return DowngradePlan(current, revision, tuple(step for step, _ in steps), losses)


def _merge(earlier: frozenset[str] | None, later: frozenset[str] | None) -> frozenset[str] | None:
    """Two steps' drops of one table: None (the whole table) wins over column sets."""
    if earlier is None or later is None:
        return None
    return earlier | later


def _count(
    connection: sa.Connection, table: str, columns: frozenset[str] | None, present: frozenset[str]
) -> list[Loss]:
    if columns is None:
        query = sa.select(sa.func.count()).select_from(sa.table(table))
        return [Loss(table, None, int(connection.execute(query).scalar_one()))]
    losses = []
    for column in sorted(columns & present):
        query = (
            sa.select(sa.func.count())
            .select_from(sa.table(table, sa.column(column)))
            .where(sa.column(column).is_not(None))
        )
        losses.append(Loss(table, column, int(connection.execute(query).scalar_one())))
    return losses
