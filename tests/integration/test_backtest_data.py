"""Backtest data references: stored bars come back as read-only arrays, gaps are named."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from trademind.core.errors import ValidationError
from trademind.data.store import BarStore
from trademind.db.session import Database
from trademind.services.backtest_bars import DataRef, load_bars, read_bars

WRITTEN_AT = datetime(2024, 6, 3, 15, 0, tzinfo=UTC)  # the time the writer's clock gives
DAYS = pd.date_range("2024-01-02", periods=5, freq="D", tz="UTC")


def _store(database: Database) -> None:
    closes = np.array([10.0, 11.0, 12.0, 13.0, 14.0])
    frame = pd.DataFrame(
        {
            "ts": DAYS,
            "open": closes - 0.5,
            "high": closes + 1,
            "low": closes - 1,
            "close": closes,
            "volume": np.full(5, 1000.0),
            "adj_close": closes / 2,  # a 2:1 adjustment: adjusted prices are halved
        }
    )
    BarStore(database).upsert_bars("AAPL", "1d", "csv", frame, now=WRITTEN_AT)


def test_reads_the_range_adjusted_and_read_only(database: Database) -> None:
    _store(database)
    ref = DataRef(database.url, ("AAPL",), "1d", DAYS[1].to_pydatetime(), DAYS[3].to_pydatetime())
    (bars,) = read_bars(database, ref)
    assert bars.symbol == "AAPL"
    assert bars.ts.tolist() == [day.value for day in DAYS[1:4]]
    np.testing.assert_array_equal(bars.close, [5.5, 6.0, 6.5])
    np.testing.assert_array_equal(bars.open, [5.25, 5.75, 6.25])
    with pytest.raises(ValueError, match="read-only"):
        bars.close[0] = 1.0
    raw = read_bars(database, DataRef(database.url, ("AAPL",), "1d", adjusted=False))[0]
    assert raw.close.tolist() == [10.0, 11.0, 12.0, 13.0, 14.0]


def test_a_reference_is_picklable_and_loads_in_its_own_connection(database: Database) -> None:
    _store(database)
    ref = pickle.loads(pickle.dumps(DataRef(database.url, ("AAPL",), "1d")))
    assert len(load_bars(ref)[0]) == 5


def test_missing_symbol_and_empty_range_are_named(database: Database) -> None:
    _store(database)
    with pytest.raises(ValidationError, match=r"no 1d bars stored for MSFT.*--source sample"):
        read_bars(database, DataRef(database.url, ("AAPL", "MSFT"), "1d"))
    later = DataRef(
        database.url,
        ("AAPL",),
        "1d",
        datetime(2025, 1, 1, tzinfo=UTC),
        datetime(2025, 2, 1, tzinfo=UTC),
    )
    with pytest.raises(ValidationError, match="stored bars run from 2024-01-02 to 2024-01-06"):
        read_bars(database, later)


def test_describe_masks_a_password() -> None:
    ref = DataRef("postgresql://trader:hunter2@db/trademind", ("AAPL",), "1d")
    assert "hunter2" not in str(ref.describe())
