"""Declarative base, constraint naming convention and the shared column vocabulary."""

from __future__ import annotations

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

TRADING_MODES: Final = ("paper", "live", "backtest", "replay")
ORDER_SIDES: Final = ("buy", "sell")
ORDER_STATUSES: Final = (
    "created",
    "submitted",
    "accepted",
    "partially_filled",
    "filled",
    "cancel_requested",
    "cancelled",
    "rejected",
    "expired",
)
DECISION_ACTIONS: Final = ("buy", "sell", "hold")
SEVERITIES: Final = ("info", "warning", "critical")
BACKTEST_STATUSES: Final = ("running", "completed", "failed")

SYMBOL_LENGTH: Final = 32
SHORT_TEXT: Final = 32
NAME_LENGTH: Final = 64


def one_of(column: str, values: tuple[str, ...], name: str | None = None) -> sa.CheckConstraint:
    """A named CHECK constraint restricting ``column`` to ``values`` (a portable enum)."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_allowed")


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
