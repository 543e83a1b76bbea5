"""Declarative base, constraint naming convention and the shared column vocabulary.

The values a ``mode``, ``side``, ``status`` or ``action`` column allows are the domain enums of
:mod:`trademind.core` (``TradingMode``, ``OrderSide``, ``OrderStatus``, ``Action``), turned into
CHECK constraints by :func:`one_of`; only database-only vocabularies are listed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeEngine

from trademind.db.types import ExactDecimal, JsonDocument, UtcDateTime

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


class Base(DeclarativeBase):
    """Base of every TradeMind model.

    ``Mapped[datetime]`` is an aware-UTC timestamp, ``Mapped[Decimal]`` an exact decimal,
    ``Mapped[float]`` a float64 and ``Mapped[dict[str, Any]]``/``Mapped[list[Any]]`` a JSON
    document (JSONB on PostgreSQL).
    """

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UtcDateTime(),
        Decimal: ExactDecimal(),
        float: sa.Double(),
        dict[str, Any]: JsonDocument,
        list[Any]: JsonDocument,
    }


BigId: Final[TypeEngine[int]] = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""Surrogate keys: BIGINT on PostgreSQL, INTEGER on SQLite (its auto-increment rowid alias)."""
