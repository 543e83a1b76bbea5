"""What the bar store returns: upsert counts, coverage of a series, quarantine records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class UpsertCounts:
    """Outcome of one upsert: new bars, changed bars, bars already stored with equal values."""

    inserted: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


@dataclass(frozen=True)
class Coverage:
    """The stored range of one (symbol, timeframe) series."""

    first: datetime
    last: datetime
    rows: int
    last_ingested_at: datetime


@dataclass(frozen=True)
class SeriesSummary:
    """One stored series with its coverage and its open quarantine count (for ``data status``).

    A series whose every row was quarantined has ``coverage`` None.
    """

    symbol: str
    timeframe: str
    coverage: Coverage | None
    open_issues: int


@dataclass(frozen=True)
class QuarantineRecord:
    """One stored quarantined row."""

    id: int
    symbol: str
    timeframe: str
    ts: datetime | None
    source: str
    check: str
    detail: str
    raw: dict[str, Any] | None
    quarantined_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class DeletedSeries:
    """What :meth:`BarStore.delete_bars` removed (and how many quarantine rows it resolved)."""

    bars: int
    indicators: int
    quarantine_resolved: int
