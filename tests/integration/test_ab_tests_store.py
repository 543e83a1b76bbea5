"""``ab_tests`` rows on SQLite and PostgreSQL: stored and read back as written, newest first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from trademind.db.ab_tests import AbTestRecord, AbTestRepository
from trademind.db.session import Database

T0 = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)


def _record(created: datetime) -> AbTestRecord:
    return AbTestRecord(
        created_at=created,
        variant_a="rules",
        variant_b="hybrid",
        strategy="ma_crossover",
        symbols=("AAPL", "MSFT"),
        window_start=datetime(2021, 1, 1, tzinfo=UTC),
        window_end=datetime(2024, 1, 1, tzinfo=UTC),
        days=753,
        resamples=5000,
        block_days=10,
        seed=2**32 - 1,
        sharpe_diff=0.012,
        sharpe_low=-0.05,
        sharpe_high=0.061,
        return_diff=0.0005,
        drawdown_diff=0.0005,
        significant=False,
        result={"verdict": "no significant difference", "curve": {"days": ["2021-01-04"]}},
    )


def test_rows_read_back_as_written_newest_first(database: Database) -> None:
    repository = AbTestRepository(database)
    first = repository.add(_record(T0))
    second = repository.add(replace(_record(T0 + timedelta(hours=1)), significant=True))
    assert repository.get(first) == replace(_record(T0), id=first)
    assert [r.id for r in repository.recent(10)] == [second, first]
    assert [r.id for r in repository.recent(1)] == [second]
    assert repository.get(second + 1) is None
    got = repository.get(second)
    assert got is not None
    assert got.significant is True
