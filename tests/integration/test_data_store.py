"""The bar store on real SQLite and PostgreSQL: counts, idempotence, atomicity, quarantine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from trademind.core.errors import DatabaseError, ValidationError
from trademind.data.quality import QuarantinedRow
from trademind.data.store import BarStore
from trademind.db.models import DataQuarantine, Indicator, MarketData
from trademind.db.repositories import MarketDataRepository
from trademind.db.session import Database

DAY = datetime(2024, 1, 2, tzinfo=UTC)
WRITTEN_AT = datetime(2024, 6, 3, 15, 0, tzinfo=UTC)  # the time the writer's clock gives


@pytest.fixture
def store(database: Database) -> BarStore:
    return BarStore(database, batch_rows=7)  # small batches: several per write


def bars(count: int, *, first: datetime = DAY, close: float = 100.0) -> pd.DataFrame:
    closes = close + np.arange(count, dtype=float)
    return pd.DataFrame(
        {
            "ts": pd.date_range(first, periods=count, freq="D", tz="UTC"),
            "open": closes - 0.5,
            "high": closes + 1.0,
            "low": closes - 1.0,
            "close": closes,
            "volume": np.full(count, 1e6),
            "adj_close": closes * 0.99,
        }
    )


def _rows(database: Database) -> list[tuple[object, ...]]:
    with database.session() as session:
        return [
            tuple(row)
            for row in session.execute(
                sa.select(
                    MarketData.symbol,
                    MarketData.ts,
                    MarketData.close,
                    MarketData.adj_close,
                    MarketData.ingested_at,
                ).order_by(MarketData.symbol, MarketData.ts)
            )
        ]


def test_insert_update_unchanged_counts(store: BarStore) -> None:
    first = store.upsert_bars("AAPL", "1d", "csv", bars(30), now=WRITTEN_AT)
    assert (first.inserted, first.updated, first.unchanged) == (30, 0, 0)
    changed = bars(35)
    changed.loc[3, "close"] = 555.0
    changed.loc[4, "adj_close"] = np.nan
    second = store.upsert_bars("AAPL", "1d", "csv", changed, now=WRITTEN_AT)
    assert (second.inserted, second.updated, second.unchanged) == (5, 2, 28)
    stored = store.read_bars("AAPL", "1d", adjusted=False)
    assert len(stored) == 35
    assert stored.loc[3, "close"] == 555.0
    assert np.isnan(stored.loc[4, "adj_close"])


def test_reingesting_identical_bars_changes_nothing(store: BarStore, database: Database) -> None:
    store.upsert_bars("AAPL", "1d", "csv", bars(40), now=WRITTEN_AT)
    before = _rows(database)
    later = WRITTEN_AT + timedelta(days=1)
    again = store.upsert_bars("AAPL", "1d", "csv", bars(40), now=later)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 40)
    assert _rows(database) == before  # ingested_at included: still the first write's time


def test_fresh_range_and_overlapping_range_in_one_series(store: BarStore) -> None:
    store.upsert_bars("MSFT", "1d", "csv", bars(10), now=WRITTEN_AT)
    later = store.upsert_bars(
        "MSFT", "1d", "csv", bars(10, first=DAY + timedelta(days=10)), now=WRITTEN_AT
    )
    assert later.inserted == 10
    overlapping = store.upsert_bars("MSFT", "1d", "csv", bars(20, close=200.0), now=WRITTEN_AT)
    assert (overlapping.inserted, overlapping.updated, overlapping.unchanged) == (0, 20, 0)
    coverage = store.coverage("msft", "1d")
    assert coverage is not None
    assert (coverage.first, coverage.last, coverage.rows) == (
        DAY,
        DAY + timedelta(days=19),
        20,
    )


@pytest.mark.parametrize(
    ("first", "offset"),
    [
        (DAY, pd.Timedelta(hours=14, minutes=30, microseconds=250)),  # stored as Python text
        (DAY, pd.Timedelta(hours=14, minutes=30, seconds=59)),  # whole seconds: SQL formats them
        (datetime(1969, 12, 25, tzinfo=UTC), pd.Timedelta(hours=9)),  # before the Unix epoch
    ],
)
def test_reads_round_trip_values_and_agree_with_the_orm(
    store: BarStore, database: Database, first: datetime, offset: pd.Timedelta
) -> None:
    frame = bars(12, first=first)
    frame["ts"] = frame["ts"] + offset
    frame.loc[2, "close"] = 0.1 + 0.2  # a float that must survive exactly
    store.upsert_bars("NVDA", "1d", "yfinance", frame, now=WRITTEN_AT)
    back = store.read_bars("NVDA", "1d", adjusted=False)
    pd.testing.assert_frame_equal(back, frame)
    with database.session() as session:
        orm = MarketDataRepository(session).bars(
            "NVDA", "1d", frame["ts"].iloc[0].to_pydatetime(), datetime(2100, 1, 1, tzinfo=UTC)
        )
    assert [bar.ts for bar in orm] == [ts.to_pydatetime() for ts in frame["ts"]]
    assert [bar.close for bar in orm] == frame["close"].tolist()


def test_read_range_is_inclusive_and_adjusted_on_request(store: BarStore) -> None:
    store.upsert_bars("AAPL", "1d", "csv", bars(10), now=WRITTEN_AT)
    window = store.read_bars(
        "AAPL", "1d", DAY + timedelta(days=2), DAY + timedelta(days=4), adjusted=False
    )
    assert window["ts"].dt.day.tolist() == [4, 5, 6]
    adjusted = store.read_bars("AAPL", "1d", adjusted=True)
    raw = store.read_bars("AAPL", "1d", adjusted=False)
    np.testing.assert_allclose(adjusted["close"], raw["adj_close"])
    np.testing.assert_allclose(adjusted["open"], raw["open"] * 0.99)


def test_symbols_are_normalised_at_the_edge(store: BarStore) -> None:
    store.upsert_bars("brk.b", "1d", "csv", bars(3), now=WRITTEN_AT)
    again = store.upsert_bars("BRK/B", "1d", "csv", bars(3), now=WRITTEN_AT)
    assert again.unchanged == 3
    assert store.symbols() == [("BRK-B", "1d")]
    assert len(store.read_bars("Brk-B", "1d", adjusted=False)) == 3


def test_a_failing_write_leaves_nothing_and_other_symbols_proceed(
    store: BarStore, database: Database
) -> None:
    store.upsert_bars("GOOD", "1d", "csv", bars(5), now=WRITTEN_AT)

    class Exploding:
        ts = DAY
        check = "nan"
        detail = "boom"

        @property
        def raw(self) -> object:
            raise RuntimeError("quarantine write failed")

    with pytest.raises(RuntimeError):
        store.write("BAD", "1d", "csv", bars(50), [Exploding()], now=WRITTEN_AT)
    assert store.coverage("BAD", "1d") is None
    store.upsert_bars("OTHER", "1d", "csv", bars(5), now=WRITTEN_AT)
    assert store.symbols() == [("GOOD", "1d"), ("OTHER", "1d")]


def test_a_database_error_mid_write_rolls_back_the_bars(
    store: BarStore, database: Database
) -> None:
    """The quarantine insert fails (NOT NULL) after the bars went in: none of them stays."""
    row = QuarantinedRow(ts=DAY, check=None, detail="no check name", raw={})  # type: ignore[arg-type]
    with pytest.raises(DatabaseError, match="storing FAIL 1d failed"):
        store.write("FAIL", "1d", "csv", bars(20), [row], now=WRITTEN_AT)
    assert store.coverage("FAIL", "1d") is None


def test_invalid_frames_are_refused_before_anything_is_written(store: BarStore) -> None:
    duplicated = pd.concat([bars(3), bars(1)], ignore_index=True)
    with pytest.raises(ValidationError, match="duplicate"):
        store.upsert_bars("AAPL", "1d", "csv", duplicated, now=WRITTEN_AT)
    with pytest.raises(ValidationError, match="interval"):
        store.upsert_bars("AAPL", "2h", "csv", bars(3), now=WRITTEN_AT)
    assert store.symbols() == []


def _quarantined(day: int, check: str = "non_positive_price") -> QuarantinedRow:
    return QuarantinedRow(
        ts=DAY + timedelta(days=day),
        check=check,
        detail=f"close -1.0 on day {day}",
        raw={"close": -1.0, "volume": float("nan")},
    )


def test_quarantine_is_deduplicated_and_reopened(store: BarStore, database: Database) -> None:
    rows = [_quarantined(1), _quarantined(2), _quarantined(2)]
    assert store.quarantine("aapl", "1d", "csv", rows, now=WRITTEN_AT) == 2
    assert store.quarantine("AAPL", "1d", "csv", rows, now=WRITTEN_AT) == 0
    unparsable = QuarantinedRow(ts=None, check="unparsable", detail="line 7: bad", raw={"a": "x"})
    assert store.quarantine("AAPL", "1d", "csv", [unparsable], now=WRITTEN_AT) == 1
    assert store.quarantine("AAPL", "1d", "csv", [unparsable], now=WRITTEN_AT) == 0
    records = store.open_quarantine(["AAPL"])
    assert [(r.check, r.ts) for r in records] == [
        ("non_positive_price", DAY + timedelta(days=1)),
        ("non_positive_price", DAY + timedelta(days=2)),
        ("unparsable", None),
    ]
    assert records[-1].raw == {"a": "x"}
    assert records[-1].detail == "line 7: bad"
    assert {record.symbol for record in records} == {"AAPL"}
    with database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(DataQuarantine)) == 3
        raws = session.scalars(sa.select(DataQuarantine.raw)).all()
    assert {"close": -1.0, "volume": "nan"} in raws

    with database.session() as session:  # stamped with the writer's time, not the wall clock
        assert set(session.scalars(sa.select(DataQuarantine.quarantined_at))) == {WRITTEN_AT}

    resolved_at = WRITTEN_AT + timedelta(hours=1)
    deleted = store.delete_bars("AAPL", now=resolved_at)
    assert deleted.quarantine_resolved == 3
    assert store.open_quarantine() == []
    with database.session() as session:
        assert set(session.scalars(sa.select(DataQuarantine.resolved_at))) == {resolved_at}
    reopened_at = WRITTEN_AT + timedelta(hours=2)
    # the same bad rows again: re-opened, at the time of the new write
    assert store.quarantine("AAPL", "1d", "csv", rows, now=reopened_at) == 2
    with database.session() as session:
        stamps = session.scalars(
            sa.select(DataQuarantine.quarantined_at).where(DataQuarantine.resolved_at.is_(None))
        ).all()
    assert stamps == [reopened_at, reopened_at]


def test_delete_bars_removes_bars_and_indicators_of_one_symbol(
    store: BarStore, database: Database
) -> None:
    store.upsert_bars("AAPL", "1d", "csv", bars(5), now=WRITTEN_AT)
    store.upsert_bars("AAPL", "1wk", "csv", bars(2), now=WRITTEN_AT)
    store.upsert_bars("MSFT", "1d", "csv", bars(5), now=WRITTEN_AT)
    with database.session() as session:
        for symbol in ("AAPL", "MSFT"):
            session.add(
                Indicator(
                    symbol=symbol,
                    timeframe="1d",
                    ts=DAY,
                    name="rsi_14",
                    value=1.0,
                    computed_at=WRITTEN_AT,
                )
            )
    deleted = store.delete_bars("aapl", "1d", now=WRITTEN_AT)
    assert (deleted.bars, deleted.indicators) == (5, 1)
    assert store.symbols() == [("AAPL", "1wk"), ("MSFT", "1d")]
    with database.session() as session:
        assert session.scalars(sa.select(Indicator.symbol)).all() == ["MSFT"]


def test_summary_lists_series_with_their_open_issues(store: BarStore) -> None:
    store.upsert_bars("AAPL", "1d", "csv", bars(5), now=WRITTEN_AT)
    store.write("MSFT", "1d", "csv", bars(3), [_quarantined(9)], now=WRITTEN_AT)
    store.quarantine("TSLA", "1d", "csv", [_quarantined(1)], now=WRITTEN_AT)
    summary = {(s.symbol, s.timeframe): s for s in store.summary()}
    assert set(summary) == {("AAPL", "1d"), ("MSFT", "1d"), ("TSLA", "1d")}
    assert summary["AAPL", "1d"].open_issues == 0
    assert summary["MSFT", "1d"].open_issues == 1
    msft = summary["MSFT", "1d"].coverage
    assert msft is not None
    assert msft.rows == 3
    assert msft.last_ingested_at == WRITTEN_AT
    assert summary["TSLA", "1d"].coverage is None


def test_large_frames_in_many_batches(database: Database) -> None:
    store = BarStore(database, batch_rows=1000)
    frame = bars(5003)
    frame["ts"] = pd.date_range(DAY, periods=5003, freq="min", tz="UTC")
    frame.loc[::3, "adj_close"] = np.nan  # mixed NULLs in the COPY stream
    assert store.upsert_bars("BIG", "1m", "csv", frame, now=WRITTEN_AT).inserted == 5003
    pd.testing.assert_frame_equal(store.read_bars("BIG", "1m", adjusted=False), frame)
    assert store.upsert_bars("BIG", "1m", "csv", frame, now=WRITTEN_AT).unchanged == 5003
