"""Declarative base, constraint naming convention and the shared column vocabulary.

The values a ``mode``, ``side``, ``status`` or ``action`` column allows are the domain enums of
:mod:`trademind.core`, turned into CHECK constraints by :func:`one_of`. The vocabulary (naming
convention, metadata, database-only values, ``one_of``, ``BigId``) lives in
:mod:`trademind.db.vocabulary` (Core only) and is re-exported here.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from trademind.db.types import ExactDecimal, JsonDocument, UtcDateTime
from trademind.db.vocabulary import (
    BACKTEST_STATUSES,
    NAME_LENGTH,
    NAMING_CONVENTION,
    SEVERITIES,
    SHORT_TEXT,
    SYMBOL_LENGTH,
    BigId,
    one_of,
)
from trademind.db.vocabulary import (
    metadata as shared_metadata,
)

__all__ = [
    "BACKTEST_STATUSES",
    "NAME_LENGTH",
    "NAMING_CONVENTION",
    "SEVERITIES",
    "SHORT_TEXT",
    "SYMBOL_LENGTH",
    "Base",
    "BigId",
    "one_of",
]


class Base(DeclarativeBase):
    """Base of every TradeMind model.

    ``Mapped[datetime]`` is an aware-UTC timestamp, ``Mapped[Decimal]`` an exact decimal,
    ``Mapped[float]`` a float64 and ``Mapped[dict[str, Any]]``/``Mapped[list[Any]]`` a JSON
    document (JSONB on PostgreSQL).
    """

    metadata = shared_metadata
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UtcDateTime(),
        Decimal: ExactDecimal(),
        float: sa.Double(),
        dict[str, Any]: JsonDocument,
        list[Any]: JsonDocument,
    }
