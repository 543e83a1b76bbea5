"""The portfolio and trades views as JSON and CSV text.

Money and quantities are written as exact decimal text (``"101.25"``), times as ISO 8601
in UTC, enums as their values: a script reads back exactly what the ledger holds.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any


def plain(value: Any) -> Any:
    """``value`` (dataclasses, tuples, Decimal, datetime, enums, nested) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return _scalar(value)


def _scalar(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def decimal_text(value: Decimal) -> str:
    """Fixed-point text without trailing zeros: ``100.10000000`` -> ``100.1``, ``0E-8`` ->
    ``0`` (the same text whichever scale the database or the ledger gave the value)."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def json_text(value: Any) -> str:
    return json.dumps(plain(value), indent=2) + "\n"


def csv_text(items: Sequence[Any], columns: Sequence[str]) -> str:
    """One CSV row per dataclass in ``items`` with ``columns`` (fields of each) as header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for item in items:
        row = plain(item)
        writer.writerow(["" if row[column] is None else row[column] for column in columns])
    return out.getvalue()
