"""The ``data_quarantine`` table: bars the ingest refused, deduplicated by a fingerprint.

A fingerprint is the SHA-256 of (symbol, timeframe, source, ts, check, raw row): quarantining
the same bad row again adds nothing, and re-opens it if it had been resolved.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final, Protocol, cast

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from trademind.data.store_types import QuarantineRecord
from trademind.db.models import DataQuarantine

_IN_CHUNK: Final = 500
_TABLE: Final = cast(sa.Table, DataQuarantine.__table__)
_RECORD_FIELDS: Final = tuple(field.name for field in dataclasses.fields(QuarantineRecord))


class QuarantineRow(Protocol):
    """What the quality screen hands over for a refused row (QuarantinedRow satisfies it)."""

    @property
    def ts(self) -> datetime | None: ...
    @property
    def check(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def raw(self) -> Any: ...


def _jsonable(value: Any) -> Any:
    """A JSON-safe copy of a raw row value (NaN and infinities become text)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value.isoformat() if isinstance(value, datetime | date) else str(value)


def raw_document(raw: Any) -> dict[str, Any] | None:
    """The raw row as the JSON document stored in ``raw`` (a non-mapping goes under "value")."""
    if raw is None:
        return None
    document = _jsonable(raw)
    return document if isinstance(document, dict) else {"value": document}


def row_timestamp(value: Any) -> datetime | None:
    """The quarantined row's timestamp as an aware datetime (None when it has none)."""
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    moment: datetime = stamp.tz_convert("UTC").to_pydatetime()
    return moment


def fingerprint(
    series: tuple[str, str], source: str, ts: datetime | None, check: str, raw: Any
) -> str:
    key = [*series, source, ts.isoformat() if ts else None, check, raw]
    text = json.dumps(key, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _records(
    series: tuple[str, str], source: str, rows: Iterable[QuarantineRow], now: datetime
) -> list[dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for row in rows:
        ts = row_timestamp(row.ts)
        raw = raw_document(row.raw)
        key = fingerprint(series, source, ts, row.check, raw)
        records.setdefault(
            key,
            {
                "symbol": series[0],
                "timeframe": series[1],
                "ts": ts,
                "source": source,
                "check": row.check,
                "detail": row.detail,
                "raw": raw,
                "fingerprint": key,
                "quarantined_at": now,
                "resolved_at": None,
            },
        )
    return list(records.values())


def _open_among(connection: sa.Connection, prints: Sequence[str]) -> int:
    total = 0
    for begin in range(0, len(prints), _IN_CHUNK):
        chunk = list(prints[begin : begin + _IN_CHUNK])
        total += connection.execute(
            sa.select(sa.func.count())
            .select_from(_TABLE)
            .where(_TABLE.c.fingerprint.in_(chunk), _TABLE.c.resolved_at.is_(None))
        ).scalar_one()
    return total


def insert_quarantine(
    connection: sa.Connection,
    series: tuple[str, str],
    source: str,
    rows: Iterable[QuarantineRow],
    *,
    now: datetime,
) -> int:
    """Store ``rows`` quarantined at ``now``; returns how many are newly open (new, or re-opened
    after resolution)."""
    records = _records(series, source, rows, now)
    if not records:
        return 0
    prints = [record["fingerprint"] for record in records]
    before = _open_among(connection, prints)
    insert: Any = (
        postgresql.insert(_TABLE)
        if connection.dialect.name == "postgresql"
        else sqlite.insert(_TABLE)
    )
    statement = insert.on_conflict_do_update(
        index_elements=["fingerprint"],
        set_={"resolved_at": None, "quarantined_at": insert.excluded.quarantined_at},
        where=_TABLE.c.resolved_at.is_not(None),
    )
    connection.execute(statement, records)
    return _open_among(connection, prints) - before


def open_quarantine(
    connection: sa.Connection, symbols: Sequence[str] | None, timeframe: str | None
) -> list[QuarantineRecord]:
    statement = sa.select(_TABLE).where(_TABLE.c.resolved_at.is_(None))
    if symbols is not None:
        statement = statement.where(_TABLE.c.symbol.in_(list(symbols)))
    if timeframe is not None:
        statement = statement.where(_TABLE.c.timeframe == timeframe)
    statement = statement.order_by(  # rows without a timestamp last, on every backend
        _TABLE.c.symbol, _TABLE.c.timeframe, _TABLE.c.ts.is_(None), _TABLE.c.ts, _TABLE.c.id
    )
    return [
        QuarantineRecord(**{column: row[column] for column in _RECORD_FIELDS})
        for row in connection.execute(statement).mappings()
    ]


def resolve(connection: sa.Connection, symbol: str, timeframe: str | None, *, now: datetime) -> int:
    """Mark the open quarantine rows of a series resolved at ``now``; returns how many."""
    statement = (
        sa.update(_TABLE)
        .where(_TABLE.c.symbol == symbol, _TABLE.c.resolved_at.is_(None))
        .values(resolved_at=now)
    )
    if timeframe is not None:
        statement = statement.where(_TABLE.c.timeframe == timeframe)
    return connection.execute(statement).rowcount
