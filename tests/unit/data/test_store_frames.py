"""The store's vectorised conversions: SQLite timestamp text, binary COPY rows, frame checks."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from trademind.core.errors import ValidationError
from trademind.data.store_frames import (
    as_utc,
    check_source,
    epoch_micros,
    frame_from_columns,
    parse_sqlite_timestamps,
    prepare_bars,
    sqlite_timestamp,
    sqlite_timestamps,
)
from trademind.db.copy_binary import (
    COPY_HEADER,
    COPY_TRAILER,
    PG_EPOCH_OFFSET_MICROS,
    encode_copy_rows,
)
from trademind.db.types import UtcDateTime


def _orm_text(moment: datetime) -> str:
    """What the ORM writes for ``moment`` on SQLite: UtcDateTime, then the DATETIME processor."""
    dialect = sqlite.dialect()
    column_type = UtcDateTime()
    naive = column_type.process_bind_param(moment, dialect)
    processor = column_type.dialect_impl(dialect).impl_instance.bind_processor(dialect)  # type: ignore[attr-defined]
    text = processor(naive) if processor else naive
    assert isinstance(text, str)
    return text


def _bars(stamps: list[str], **overrides: list[float]) -> pd.DataFrame:
    count = len(stamps)
    values = {
        "ts": pd.to_datetime(stamps, utc=True),
        "open": [10.0] * count,
        "high": [11.0] * count,
        "low": [9.0] * count,
        "close": [10.5] * count,
        "volume": [1000.0] * count,
        "adj_close": [np.nan] * count,
    }
    values.update(overrides)
    return pd.DataFrame(values)


moments = st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2200, 12, 31),
    timezones=st.just(UTC),
)


@given(st.lists(moments, min_size=1, max_size=30))
def test_sqlite_text_is_exactly_what_the_orm_writes(values: list[datetime]) -> None:
    micros = epoch_micros(pd.Series(pd.to_datetime(values, utc=True)))
    assert list(sqlite_timestamps(micros)) == [_orm_text(value) for value in values]


def test_sqlite_text_of_one_moment_matches_the_orm_in_any_zone() -> None:
    moment = datetime(2024, 3, 15, 9, 30, 1, 250, tzinfo=timezone(timedelta(hours=-4)))
    assert sqlite_timestamp(moment) == _orm_text(moment) == "2024-03-15 13:30:01.000250"


def test_sqlite_text_round_trips_to_the_same_micros() -> None:
    micros = np.array([0, 1_700_000_000_123_456, -86_400_000_000], dtype=np.int64)
    assert parse_sqlite_timestamps(list(sqlite_timestamps(micros))).tolist() == micros.tolist()


def _decode_rows(
    payload: bytes, prefix_lengths: list[int]
) -> list[tuple[list[bytes], int, list[float | None]]]:
    rows = []
    offset = 0
    while offset < len(payload):
        (count,) = struct.unpack_from(">h", payload, offset)
        offset += 2
        assert count == len(prefix_lengths) + 7
        prefix = []
        for expected in prefix_lengths:
            (length,) = struct.unpack_from(">i", payload, offset)
            assert length == expected
            prefix.append(payload[offset + 4 : offset + 4 + length])
            offset += 4 + length
        (length, ts) = struct.unpack_from(">iq", payload, offset)
        assert length == 8
        offset += 12
        values: list[float | None] = []
        for _ in range(6):
            (length,) = struct.unpack_from(">i", payload, offset)
            offset += 4
            if length == -1:
                values.append(None)
                continue
            values.append(struct.unpack_from(">d", payload, offset)[0])
            offset += 8
        rows.append((prefix, ts, values))
    return rows


def test_binary_copy_rows_follow_the_postgres_wire_format() -> None:
    micros = np.array([1_704_153_600_000_000, 1_704_240_000_000_000, 1_704_326_400_000_000])
    values = np.array(
        [
            [1.0, 2.0, 0.5, 1.5, 100.0, 1.25],
            [1.1, 2.1, 0.6, 1.6, 200.0, np.nan],
            [1.2, 2.2, 0.7, 1.7, 300.0, 1.45],
        ]
    )
    payload = encode_copy_rows((b"AAPL", b"1d"), micros, values)
    rows = _decode_rows(payload, [4, 2])
    assert [row[0] for row in rows] == [[b"AAPL", b"1d"]] * 3
    assert [row[1] for row in rows] == (micros - PG_EPOCH_OFFSET_MICROS).tolist()
    assert rows[0][2] == [1.0, 2.0, 0.5, 1.5, 100.0, 1.25]
    assert rows[1][2] == [1.1, 2.1, 0.6, 1.6, 200.0, None]
    assert rows[2][2][-1] == 1.45


@pytest.mark.parametrize("adj_close", [[np.nan, np.nan], [3.0, 4.0]])
def test_binary_copy_rows_with_all_or_no_adjusted_close(adj_close: list[float]) -> None:
    values = np.column_stack([np.ones(2)] * 5 + [np.array(adj_close)])
    rows = _decode_rows(encode_copy_rows((), np.array([0, 1]), values), [])
    expected = [None, None] if np.isnan(adj_close[0]) else adj_close
    assert [row[2][-1] for row in rows] == expected
    assert COPY_HEADER.startswith(b"PGCOPY\n\xff\r\n\x00")
    assert COPY_TRAILER == b"\xff\xff"


def test_prepare_bars_sorts_and_refuses_what_the_store_cannot_hold() -> None:
    bars = prepare_bars(_bars(["2024-01-03", "2024-01-02"], close=[2.0, 1.0]))
    assert bars["close"].tolist() == [1.0, 2.0]
    with pytest.raises(ValidationError, match="duplicate timestamps"):
        prepare_bars(_bars(["2024-01-02", "2024-01-02"]))
    with pytest.raises(ValidationError, match="'close'"):
        prepare_bars(_bars(["2024-01-02"], close=[np.nan]))
    with pytest.raises(ValidationError, match="infinite adj_close"):
        prepare_bars(_bars(["2024-01-02"], adj_close=[np.inf]))


def test_prepare_bars_shares_a_conforming_frame_and_conforms_any_other() -> None:
    frame = _bars(["2024-01-02", "2024-01-03"])
    shared = prepare_bars(frame)
    assert np.shares_memory(shared["close"].to_numpy(), frame["close"].to_numpy())
    assert shared is not frame
    reordered = frame[["ts", "close", "open", "high", "low", "volume", "adj_close"]]
    narrow = frame.assign(volume=frame["volume"].astype(np.float32))
    shifted = frame.set_axis([5, 6])
    for other in (reordered, narrow, shifted):
        conformed = prepare_bars(other)
        assert list(conformed.columns) == list(frame.columns)
        assert conformed["volume"].dtype == np.float64
        assert conformed.index.tolist() == [0, 1]
        assert not np.shares_memory(conformed["close"].to_numpy(), other["close"].to_numpy())


def test_frame_from_columns_builds_a_bar_frame() -> None:
    frame = frame_from_columns(
        [1_704_153_600_000_000],
        {
            "open": [1.0],
            "high": [2.0],
            "low": [0.5],
            "close": [1.5],
            "volume": [10.0],
            "adj_close": [None],
        },
    )
    assert frame["ts"].tolist() == [pd.Timestamp("2024-01-02", tz="UTC")]
    assert str(frame["ts"].dtype) == "datetime64[ns, UTC]"
    assert np.isnan(frame["adj_close"].iloc[0])


def test_as_utc_reads_dates_as_midnight_utc_and_refuses_naive_times() -> None:
    assert as_utc(date(2024, 1, 2), what="start") == datetime(2024, 1, 2, tzinfo=UTC)
    eastern = datetime(2024, 1, 2, 20, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert as_utc(eastern, what="end") == datetime(2024, 1, 3, 1, 0, tzinfo=UTC)
    with pytest.raises(ValidationError, match="timezone-aware"):
        as_utc(datetime(2024, 1, 2), what="start")


def test_source_labels_are_checked() -> None:
    assert check_source("yfinance") == "yfinance"
    for bad in ("", "CSV", "csv'; drop table market_data; --", "x" * 40):
        with pytest.raises(ValidationError):
            check_source(bad)
