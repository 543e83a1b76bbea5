"""The shipped bar repository fake reads what the database store reads, and services read
bars through either one alike."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trademind.core.errors import ValidationError
from trademind.data.bar_reader import BarReader
from trademind.data.store import BarStore
from trademind.db.session import Database
from trademind.services.backtest_bars import DataRef, read_series
from trademind.testing.bars import FakeBarRepository

DAYS = pd.bdate_range("2024-01-02", periods=30, tz="UTC")


def _frame(days: pd.DatetimeIndex = DAYS) -> pd.DataFrame:
    close = np.linspace(100.0, 129.0, len(days))
    return pd.DataFrame(
        {
            "ts": days,
            "open": close - 0.5,
            "high": close + 1.0,
            "low": close - 1.0,
            "close": close,
            "volume": np.full(len(days), 1e6),
            "adj_close": close * 0.98,
        }
    )


@pytest.fixture
def store(tmp_path: Path) -> BarStore:
    database = Database(f"sqlite:///{tmp_path / 'bars.db'}")
    database.ensure_schema()
    store = BarStore(database)
    store.upsert_bars("AAPL", "1d", "test", _frame(), now=datetime(2024, 6, 1, tzinfo=UTC))
    return store


def test_the_store_and_the_fake_implement_the_port(store: BarStore) -> None:
    readers: list[BarReader] = [store, FakeBarRepository()]  # checked by mypy
    assert [reader.coverage("MSFT", "1d") for reader in readers] == [None, None]


@pytest.mark.parametrize("adjusted", [False, True])
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (None, None),
        (datetime(2024, 1, 10, tzinfo=UTC), None),
        (None, datetime(2024, 1, 25, tzinfo=UTC)),
        (datetime(2024, 1, 10, tzinfo=UTC), datetime(2024, 1, 25, tzinfo=UTC)),
    ],
)
def test_reads_equal_the_database_store(
    store: BarStore, start: datetime | None, end: datetime | None, adjusted: bool
) -> None:
    fake = FakeBarRepository()
    fake.add("aapl", "1d", _frame())
    expected = store.read_bars("AAPL", "1d", start, end, adjusted=adjusted)
    got = fake.read_bars("AAPL", "1d", start, end, adjusted=adjusted)
    pd.testing.assert_frame_equal(got, expected)


def test_coverage_names_the_stored_range(store: BarStore) -> None:
    fake = FakeBarRepository()
    fake.add("AAPL", "1d", _frame())
    stored, held = store.coverage("AAPL", "1d"), fake.coverage("AAPL", "1d")
    assert stored is not None
    assert held is not None
    assert (held.first, held.last, held.rows) == (stored.first, stored.last, stored.rows)
    assert fake.coverage("MSFT", "1d") is None
    assert fake.read_bars("MSFT", "1d", adjusted=False).empty


def test_adding_again_replaces_bars_at_the_same_times() -> None:
    fake = FakeBarRepository()
    fake.add("AAPL", "1d", _frame(DAYS[:20]))
    later = _frame(DAYS[10:]).assign(close=1.0)
    fake.add("AAPL", "1d", later)
    frame = fake.read_bars("AAPL", "1d", adjusted=False)
    assert list(frame["ts"]) == list(DAYS)
    assert (frame["close"].iloc[10:] == 1.0).all()
    assert (frame["close"].iloc[:10] != 1.0).all()


def test_services_read_bars_through_the_fake_and_name_what_is_missing() -> None:
    fake = FakeBarRepository()
    fake.add("AAPL", "1d", _frame())
    ref = DataRef("sqlite://", ("AAPL",), "1d", adjusted=False)
    (bars,) = read_series(fake, ref)
    assert bars.symbol == "AAPL"
    np.testing.assert_array_equal(bars.close, _frame()["close"].to_numpy())
    assert fake.reads == [("AAPL", "1d")]
    with pytest.raises(ValidationError, match="no 1d bars stored for MSFT: ingest them first"):
        read_series(fake, DataRef("sqlite://", ("MSFT",), "1d"))
    after = DataRef("sqlite://", ("AAPL",), "1d", start=datetime(2025, 1, 1, tzinfo=UTC))
    with pytest.raises(ValidationError, match="stored bars run from 2024-01-02 to 2024-02-12"):
        read_series(fake, after)
