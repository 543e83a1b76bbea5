"""The schema's shared vocabulary, SQLAlchemy Core only: the one ``MetaData`` (with the
constraint naming convention), database-only allowed values (the domain's come from the
enums of :mod:`trademind.core`), lengths, ``one_of`` and ``BigId``.

Light to import (no ORM), so that :mod:`trademind.db.tables` can define the tables read by
``data status`` and ``backtest list`` without building the ORM classes;
:mod:`trademind.db.base` re-exports every name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import sqlalchemy as sa
from sqlalchemy.types import TypeEngine

NAMING_CONVENTION: Final[dict[str, str]] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Every constraint gets a predictable name, so migrations are deterministic on every backend."""

SEVERITIES: Final = ("info", "warning", "critical")
BACKTEST_STATUSES: Final = ("running", "completed", "failed")

SYMBOL_LENGTH: Final = 32
SHORT_TEXT: Final = 32
NAME_LENGTH: Final = 64


def one_of(
    column: str, values: Iterable[str], name: str | None = None, *, nullable: bool = False
) -> sa.CheckConstraint:
    """A named CHECK constraint restricting ``column`` to ``values`` (a portable enum).

    ``values`` is usually a domain enum of :mod:`trademind.core` (``one_of("side", OrderSide)``):
    the database allows exactly the enum's values, in its order. ``nullable`` also allows NULL.
    """
    allowed = ", ".join(f"'{value}'" for value in values)
    condition = f"{column} IN ({allowed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return sa.CheckConstraint(condition, name=name or f"{column}_allowed")


metadata: Final = sa.MetaData(naming_convention=NAMING_CONVENTION)
"""Every table of TradeMind, ORM-mapped or not (``Base.metadata`` is this object)."""


BigId: Final[TypeEngine[int]] = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""Surrogate keys: BIGINT on PostgreSQL, INTEGER on SQLite (its auto-increment rowid alias)."""
