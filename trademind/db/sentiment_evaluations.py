"""Writing and reading ``sentiment_evaluations`` rows (`trademind agents eval-sentiment`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.db.models import SentimentEvaluation

if TYPE_CHECKING:
    from trademind.db.session import Database

_TABLE: Final = cast(sa.Table, SentimentEvaluation.__table__)


@dataclass(frozen=True, slots=True, kw_only=True)
class EvaluationRecord:
    """One evaluation as stored (``id`` None before it is)."""

    evaluated_at: datetime
    model: str
    dataset: str
    dataset_sha256: str
    count: int
    accuracy: float
    coverage: float
    covered_accuracy: float | None
    macro_f1: float
    ece: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    cost_usd: float
    metrics: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


class SentimentEvaluationRepository:
    """The sentiment evaluations of ``database``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def add(self, record: EvaluationRecord) -> int:
        """Store ``record``; its new id."""
        values = {key: value for key, value in asdict(record).items() if key != "id"}

        def work(connection: sa.Connection) -> int:
            key = connection.execute(sa.insert(_TABLE).values(**values)).inserted_primary_key
            return int(key[0]) if key is not None else 0

        return self._database.run(work)

    def recent(self, limit: int = 20) -> list[EvaluationRecord]:
        """The newest evaluations first."""
        query = sa.select(_TABLE).order_by(_TABLE.c.evaluated_at.desc(), _TABLE.c.id.desc())
        rows = self._database.run(lambda c: c.execute(query.limit(limit)).all())
        return [EvaluationRecord(**dict(row._mapping)) for row in rows]
