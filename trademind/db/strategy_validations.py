"""Reading and writing ``strategy_validations`` rows (`trademind safety validate`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.db.models import StrategyValidation

if TYPE_CHECKING:
    from trademind.db.session import Database

_TABLE: Final = cast(sa.Table, StrategyValidation.__table__)


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationRecord:
    """One validation as stored (``id`` None before it is)."""

    strategy: str
    params_hash: str
    params: dict[str, Any]
    symbols: tuple[str, ...]
    validated_at: datetime
    passed: bool
    reasons: tuple[dict[str, Any], ...]
    figures: dict[str, Any] = field(default_factory=dict)
    backtest_run_id: int | None = None
    id: int | None = None


class ValidationRepository:
    """The validations of ``database``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def add(self, record: ValidationRecord) -> int:
        """Store ``record``; its new id."""
        values = {
            "validated_at": record.validated_at,
            "strategy": record.strategy,
            "params_hash": record.params_hash,
            "params": record.params,
            "symbols": list(record.symbols),
            "passed": record.passed,
            "reasons": list(record.reasons),
            "figures": record.figures,
            "backtest_run_id": record.backtest_run_id,
        }

        def work(connection: sa.Connection) -> int:
            key = connection.execute(sa.insert(_TABLE).values(**values)).inserted_primary_key
            return int(key[0]) if key is not None else 0

        return self._database.run(work)

    def latest(self, strategy: str, params_hash: str) -> ValidationRecord | None:
        """The newest validation of ``strategy`` with the parameters ``params_hash`` names."""
        query = (
            sa.select(_TABLE)
            .where(_TABLE.c.strategy == strategy, _TABLE.c.params_hash == params_hash)
            .order_by(_TABLE.c.validated_at.desc(), _TABLE.c.id.desc())
            .limit(1)
        )
        row = self._database.run(lambda connection: connection.execute(query).first())
        return None if row is None else _record(row)


def _record(row: sa.Row[Any]) -> ValidationRecord:
    return ValidationRecord(
        id=row.id,
        strategy=row.strategy,
        params_hash=row.params_hash,
        params=dict(row.params or {}),
        symbols=tuple(row.symbols or ()),
        validated_at=row.validated_at,
        passed=bool(row.passed),
        reasons=tuple(row.reasons or ()),
        figures=dict(row.figures or {}),
        backtest_run_id=row.backtest_run_id,
    )
