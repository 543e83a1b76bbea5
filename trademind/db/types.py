"""Column types that behave the same on SQLite and PostgreSQL.

- :class:`UtcDateTime`: timezone-aware UTC datetimes in and out; naive datetimes are rejected.
- :class:`ExactDecimal`: money and quantities as :class:`~decimal.Decimal` with 8 decimal places,
  ``NUMERIC(24, 8)`` on PostgreSQL and exact decimal text on SQLite (which has no decimal type).
- :data:`JsonDocument`: ``JSON`` on SQLite, ``JSONB`` on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

DECIMAL_PRECISION = 24
DECIMAL_SCALE = 8
_QUANTUM = Decimal(1).scaleb(-DECIMAL_SCALE)
_MAX_ABS = Decimal(10) ** (DECIMAL_PRECISION - DECIMAL_SCALE)


class _JsonDocumentType(TypeDecorator[Any]):
    """``JSONB`` on PostgreSQL, ``JSON`` elsewhere; the PostgreSQL dialect is imported only when
    a PostgreSQL connection uses the column (importing it costs every command ~50 ms)."""

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(sa.JSON())


JsonDocument: TypeEngine[Any] = _JsonDocumentType()
"""JSON documents: ``JSONB`` on PostgreSQL (indexable, compact), ``JSON`` elsewhere."""


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always an aware UTC ``datetime`` in Python.

    Binding a naive datetime raises ``ValueError``: a time without a zone is ambiguous, and
    guessing is how look-ahead and DST bugs enter a trading system. Aware values in any zone
    are converted to UTC. PostgreSQL stores ``timestamptz``; SQLite stores the UTC wall time
    as ISO text (which sorts chronologically) and gets its zone back on load.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} rejected: timestamps must be timezone-aware"
            )
        as_utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return as_utc.replace(tzinfo=None)
        return as_utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def to_exact_decimal(value: Decimal | int) -> Decimal:
    """Return ``value`` rounded half-even to 8 decimal places, or raise on what cannot be stored.

    Floats are refused: a binary float is not an exact amount of money. NaN, infinities and
    values with more than 16 integer digits (beyond ``NUMERIC(24, 8)``) are refused too.
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(
            f"expected Decimal or int for an exact decimal column, got {type(value).__name__}"
        )
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{number} cannot be stored in an exact decimal column")
    if abs(number) >= _MAX_ABS:
        raise ValueError(f"{number} exceeds NUMERIC({DECIMAL_PRECISION}, {DECIMAL_SCALE})")
    try:
        return number.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the range check above
        raise ValueError(f"{number} cannot be stored in an exact decimal column") from exc


class ExactDecimal(TypeDecorator[Decimal]):
    """Exact decimals (money, prices at the ledger, share quantities) with 8 decimal places.

    ``NUMERIC(24, 8)`` on PostgreSQL; on SQLite, fixed-point ``TEXT`` such as ``"101.25000000"``
    because SQLite would otherwise store a binary float. Both backends round half-even to 8
    places on the way in, so a value reads back the same on either. Always returns ``Decimal``.
    On SQLite do arithmetic and comparisons of these columns in Python, not in SQL.
    """

    impl = sa.Numeric(DECIMAL_PRECISION, DECIMAL_SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.Text())
        return dialect.type_descriptor(sa.Numeric(DECIMAL_PRECISION, DECIMAL_SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = to_exact_decimal(value)
        if dialect.name == "sqlite":
            return format(exact, "f")
        return exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return value
        return Decimal(str(value))

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal
