"""Reading and writing ``ab_tests`` rows (`trademind ab run`, `ab list`, `ab show`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.db.models import AbTest

if TYPE_CHECKING:
    from trademind.db.session import Database

_TABLE: Final = cast(sa.Table, AbTest.__table__)


@dataclass(frozen=True, slots=True, kw_only=True)
class AbTestRecord:
    """One A/B test as stored (``id`` None before it is); the columns of ``ab_tests``."""

    created_at: datetime
    variant_a: str
    variant_b: str
    strategy: str
    symbols: tuple[str, ...]
    window_start: datetime
    window_end: datetime
    days: int
    resamples: int
    block_days: int
    seed: int
    sharpe_diff: float
    sharpe_low: float
    sharpe_high: float
    return_diff: float
    drawdown_diff: float
    significant: bool
    result: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


class AbTestRepository:
    """The A/B tests of ``database``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def add(self, record: AbTestRecord) -> int:
        """Store ``record``; its new id."""
        values = {
            name: getattr(record, name)
            for name in (column.name for column in _TABLE.c)
            if name != "id"
        }
        values["symbols"] = list(record.symbols)

        def work(connection: sa.Connection) -> int:
            key = connection.execute(sa.insert(_TABLE).values(**values)).inserted_primary_key
            return int(key[0]) if key is not None else 0

        return self._database.run(work)

    def get(self, test_id: int) -> AbTestRecord | None:
        query = sa.select(_TABLE).where(_TABLE.c.id == test_id)
        row = self._database.run(lambda connection: connection.execute(query).first())
        return None if row is None else _record(row)

    def recent(self, limit: int) -> list[AbTestRecord]:
        """The latest ``limit`` tests, newest first."""
        query = sa.select(_TABLE).order_by(_TABLE.c.created_at.desc(), _TABLE.c.id.desc())
        rows = self._database.run(lambda connection: list(connection.execute(query.limit(limit))))
        return [_record(row) for row in rows]


def _record(row: sa.Row[Any]) -> AbTestRecord:
    values = dict(row._mapping)
    values["symbols"] = tuple(values["symbols"] or ())
    values["result"] = dict(values["result"] or {})
    values["significant"] = bool(values["significant"])
    return AbTestRecord(**values)
