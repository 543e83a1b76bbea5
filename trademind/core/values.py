"""Checks shared by the domain types: exact decimals, bounded floats, texts, UTC times, enums.

Money and quantities are :class:`~decimal.Decimal` at the broker and ledger boundary. A float is
never turned into a Decimal behind anyone's back: :func:`exact` rejects it with a TypeError
(``Decimal(0.1)`` would carry the binary float's 55 digits). Code holding a float64 (the engine's
arrays) converts explicitly with :func:`decimal_from_float`, which keeps the shortest text that
reads back as the same float (``0.1`` becomes ``Decimal("0.1")``).

Value errors (out of range, missing, contradictory) raise
:class:`~trademind.core.errors.ValidationError`: a malformed order reaching a port is a clear
one-line message, not a traceback. Wrong types (a float for money, a naive datetime) are
programming errors and raise TypeError or ValueError.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from trademind.core.clock import ensure_utc
from trademind.core.errors import ValidationError


def exact(value: object, what: str) -> Decimal:
    """``value`` as a finite Decimal: a Decimal as is, an int exactly; a float is a TypeError."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        hint = " (convert explicitly with decimal_from_float)" if isinstance(value, float) else ""
        raise TypeError(f"{what} must be a Decimal or an int, got {type(value).__name__}{hint}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValidationError(f"{what} must be finite, got {value}")
    return number


def positive(value: object, what: str) -> Decimal:
    """:func:`exact`, and greater than zero."""
    number = exact(value, what)
    if number <= 0:
        raise ValidationError(f"{what} must be greater than 0, got {number}")
    return number


def not_negative(value: object, what: str) -> Decimal:
    """:func:`exact`, and zero or more."""
    number = exact(value, what)
    if number < 0:
        raise ValidationError(f"{what} must not be negative, got {number}")
    return number


def decimal_from_float(value: float) -> Decimal:
    """The float ``value`` as the shortest Decimal that reads back as it (``0.1`` -> ``0.1``)."""
    if isinstance(value, bool) or not isinstance(value, float | int):
        raise TypeError(f"expected a float, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValidationError(f"cannot convert {value} to an exact decimal")
    return Decimal(repr(float(value)))


def real(value: object, what: str) -> float:
    """``value`` (an int or a float, not a bool) as a finite float."""
    if isinstance(value, bool) or not isinstance(value, float | int):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValidationError(f"{what} must be finite, got {value}")
    return number


def within(value: object, low: float, high: float, what: str) -> float:
    """:func:`real`, and inside ``[low, high]``."""
    number = real(value, what)
    if not low <= number <= high:
        raise ValidationError(f"{what} must be in [{low:g}, {high:g}], got {number:g}")
    return number


def text(value: object, what: str, *, max_length: int | None = None) -> str:
    """A non-blank string (kept as given), at most ``max_length`` characters."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ValidationError(f"{what} must not be empty")
    if max_length is not None and len(value) > max_length:
        raise ValidationError(f"{what} must be at most {max_length} characters, got {len(value)}")
    return value


def free_text(value: object, what: str) -> str:
    """A string, possibly empty (explanations, reasons)."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, got {type(value).__name__}")
    return value


def utc(value: object, what: str) -> datetime:
    """A timezone-aware datetime converted to UTC (naive: ValueError; not a datetime: TypeError)."""
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(value).__name__}")
    return ensure_utc(value, what=what)


def duration(value: object, what: str) -> timedelta:
    """A timedelta of zero or more."""
    if not isinstance(value, timedelta):
        raise TypeError(f"{what} must be a timedelta, got {type(value).__name__}")
    if value < timedelta(0):
        raise ValidationError(f"{what} must not be negative, got {value}")
    return value


def member[E: StrEnum](kind: type[E], value: object, what: str) -> E:
    """``value`` as a member of ``kind``: a member as is, its text value converted."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            pass
    allowed = ", ".join(item.value for item in kind)
    raise ValidationError(f"{what}: {value!r} is not one of {allowed}")


SYMBOL_MAX_LENGTH = 32
_WHITESPACE = re.compile(r"\s")
"""What ``str.isspace`` calls whitespace (one search instead of a test per character)."""
"""The longest symbol the database holds (``market_data.symbol`` and the ledger's columns)."""


def symbol(value: object, what: str = "symbol") -> str:
    """A ticker: non-blank, no whitespace inside, at most :data:`SYMBOL_MAX_LENGTH` characters."""
    ticker = text(value, what, max_length=SYMBOL_MAX_LENGTH)
    if _WHITESPACE.search(ticker):
        raise ValidationError(f"{what} must not contain whitespace, got {ticker!r}")
    return ticker
