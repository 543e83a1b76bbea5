"""Repositories on SQLite: config change audit, bar and indicator upserts and range reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trademind.db.repositories import (
    BarRecord,
    ConfigChangeRepository,
    IndicatorRecord,
    IndicatorRepository,
    MarketDataRepository,
)
from trademind.db.session import Database

DAY0 = datetime(2024, 1, 2, tzinfo=UTC)
STAMP = datetime(2024, 6, 3, 15, 0, tzinfo=UTC)  # the writer's clock


def _bar(day: int, close: float, symbol: str = "AAPL") -> BarRecord:
    return BarRecord(
        symbol=symbol,
        timeframe="1d",
        ts=DAY0 + timedelta(days=day),
        open=close,
        high=close + 1,
        low=close - 1,
        close=close,
        volume=1000.0,
        source="csv",
    )


def test_config_change_is_recorded_with_an_id_and_utc_time(database: Database) -> None:
    with database.session() as session:
        change = ConfigChangeRepository(session).record(
            key="safety.daily_loss_limit",
            old_value="500",
            new_value="750",
            source="cli",
            file_path="/etc/trademind/config.yaml",
            changed_at=STAMP,
        )
        assert change.id is not None
    assert change.changed_at == STAMP
    assert change.changed_at.tzinfo is UTC
    with database.session() as session:
        (stored,) = ConfigChangeRepository(session).list_recent()
    assert (stored.key, stored.old_value, stored.new_value) == (
        "safety.daily_loss_limit",
        "500",
        "750",
    )
    assert stored.file_path == "/etc/trademind/config.yaml"


def test_list_recent_is_newest_first_and_limited(database: Database) -> None:
    with database.session() as session:
        repository = ConfigChangeRepository(session)
        for index in range(5):
            repository.record(
                key=f"k{index}",
                old_value=None,
                new_value=str(index),
                source="import",
                file_path=None,
                changed_at=STAMP,
            )
    with database.session() as session:
        recent = ConfigChangeRepository(session).list_recent(limit=3)
    assert [change.key for change in recent] == ["k4", "k3", "k2"]


def test_list_recent_refuses_a_non_positive_limit(database: Database) -> None:
    with database.session() as session, pytest.raises(ValueError, match="at least 1"):
        ConfigChangeRepository(session).list_recent(limit=0)


def test_values_with_sql_metacharacters_are_stored_verbatim(database: Database) -> None:
    hostile = "x'); DROP TABLE config_changes; --"
    with database.session() as session:
        ConfigChangeRepository(session).record(
            key=hostile,
            old_value=hostile,
            new_value=None,
            source="cli",
            file_path=None,
            changed_at=STAMP,
        )
    with database.session() as session:
        (stored,) = ConfigChangeRepository(session).list_recent()
    assert stored.key == hostile
    assert stored.new_value is None


def test_bar_upsert_replaces_and_latest_bar_is_the_newest(database: Database) -> None:
    with database.session() as session:
        repository = MarketDataRepository(session)
        assert (
            repository.upsert_bars([_bar(0, 10.0), _bar(1, 11.0), _bar(2, 12.0)], ingested_at=STAMP)
            == 3
        )
        assert (
            repository.upsert_bars([_bar(1, 11.5), _bar(5, 9.0, symbol="MSFT")], ingested_at=STAMP)
            == 2
        )
    with database.session() as session:
        repository = MarketDataRepository(session)
        latest = repository.latest_bar("AAPL", "1d")
        bars = repository.bars("AAPL", "1d", DAY0, DAY0 + timedelta(days=2))
        assert repository.latest_bar("AAPL", "1h") is None
    assert latest is not None
    assert latest.ts == DAY0 + timedelta(days=2)
    assert latest.ingested_at == STAMP
    assert [bar.close for bar in bars] == [10.0, 11.5]  # end is exclusive, day 1 replaced


def test_upsert_of_nothing_does_nothing(database: Database) -> None:
    with database.session() as session:
        assert MarketDataRepository(session).upsert_bars([], ingested_at=STAMP) == 0
        assert IndicatorRepository(session).upsert([], computed_at=STAMP) == 0


def test_indicator_upsert_and_range_read(database: Database) -> None:
    values = [
        IndicatorRecord("AAPL", "1d", DAY0 + timedelta(days=day), name, float(day))
        for day in range(3)
        for name in ("rsi_14", "sma_20")
    ]
    with database.session() as session:
        repository = IndicatorRepository(session)
        repository.upsert(values, computed_at=STAMP)
        repository.upsert([IndicatorRecord("AAPL", "1d", DAY0, "rsi_14", None)], computed_at=STAMP)
    with database.session() as session:
        repository = IndicatorRepository(session)
        window = repository.values("AAPL", "1d", DAY0, DAY0 + timedelta(days=2))
        only_rsi = repository.values("AAPL", "1d", DAY0, DAY0 + timedelta(days=9), names=["rsi_14"])
    assert [(row.ts.day, row.name, row.value) for row in window] == [
        (2, "rsi_14", None),
        (2, "sma_20", 0.0),
        (3, "rsi_14", 1.0),
        (3, "sma_20", 1.0),
    ]
    assert [row.value for row in only_rsi] == [None, 1.0, 2.0]
