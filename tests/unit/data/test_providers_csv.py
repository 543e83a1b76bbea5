"""The CSV provider: every supported layout, and every kind of bad input without a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from trademind.core.clock import LiveClock
from trademind.core.errors import ValidationError
from trademind.data.providers import (
    BarRequest,
    NoDataError,
    ProviderError,
    ProviderResult,
    build_provider,
)
from trademind.data.providers.csv import CsvProvider
from trademind.data.schema import BAR_COLUMNS

HEADER = "Date,Open,High,Low,Close,Volume\n"
ROWS = (
    "2024-01-02,10,11,9,10.5,1000\n"
    "2024-01-03,10.5,12,10,11.5,2000\n"
    "2024-01-04,11.5,12,11,11.8,1500\n"
    "2024-01-05,11.8,12.5,11.6,12.2,1800\n"
)


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def fetch(path: Path, timeframe: str = "1d", **options: Any) -> ProviderResult:
    return CsvProvider(path, **options).fetch(BarRequest("TEST", timeframe))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> pd.Timestamp:
    return pd.Timestamp(datetime(year, month, day, hour, minute, tzinfo=UTC))


def test_every_shared_daily_file_loads_whole_and_unchanged(daily_dir: Path) -> None:
    provider = build_provider("csv", path=daily_dir, clock=LiveClock())
    assert provider.available_symbols() == ["AAPL", "AMZN", "GOOGL", "META", "MSFT", "NVDA", "TSLA"]
    for symbol in provider.available_symbols():
        result = provider.fetch(BarRequest(symbol, "1d"))
        source = pd.read_csv(daily_dir / f"{symbol}.csv", float_precision="round_trip")
        assert result.rejected == ()
        assert list(result.bars.columns) == list(BAR_COLUMNS)
        assert len(result.bars) == len(source) == 2768
        assert result.bars["ts"].iloc[0] == utc(2013, 1, 2)
        assert result.bars["ts"].iloc[-1] == utc(2023, 12, 29)
        np.testing.assert_array_equal(result.bars["close"], source["Close"])
        np.testing.assert_array_equal(result.bars["volume"], source["Volume"].astype(float))
        assert result.bars["adj_close"].isna().all()
        assert result.source == "csv"


def test_request_range_is_start_inclusive_end_exclusive(daily_dir: Path) -> None:
    provider = CsvProvider(daily_dir)
    request = BarRequest(
        "MSFT", "1d", datetime(2020, 3, 2, tzinfo=UTC), datetime(2020, 3, 6, tzinfo=UTC)
    )
    bars = provider.fetch(request).bars
    assert list(bars["ts"].dt.day) == [2, 3, 4, 5]


def test_a_range_without_bars_is_no_data(daily_dir: Path) -> None:
    request = BarRequest("MSFT", "1d", datetime(2030, 1, 1, tzinfo=UTC), None)
    with pytest.raises(NoDataError, match=r"MSFT: .*no bars in 2030-01-01"):
        CsvProvider(daily_dir).fetch(request)


def test_date_time_file_reads_local_times_as_new_york_by_default(fut_file: Path) -> None:
    result = CsvProvider(fut_file).fetch(BarRequest("FUT-2006-5MIN", "5m"))
    assert len(result.bars) == 2142
    assert result.rejected == ()
    first = result.bars.iloc[0]
    assert first["ts"] == utc(2006, 1, 2, 14, 5)  # 09:05 in New York (EST, UTC-5)
    assert (first["open"], first["high"], first["low"], first["close"]) == (
        3578.73,
        3587.88,
        3578.73,
        3582.99,
    )
    assert result.bars["volume"].eq(0).all()


def test_date_time_file_in_another_timezone(fut_file: Path) -> None:
    result = CsvProvider(fut_file, timezone="Europe/Berlin").fetch(
        BarRequest("FUT-2006-5MIN", "5m")
    )
    assert result.bars["ts"].iloc[0] == utc(2006, 1, 2, 8, 5)  # 09:05 CET


def test_file_path_serves_its_own_symbol_only(fut_file: Path, tmp_path: Path) -> None:
    provider = CsvProvider(fut_file)
    assert provider.available_symbols() == ["FUT-2006-5MIN"]
    with pytest.raises(ProviderError, match="AAPL: no CSV data") as caught:
        provider.fetch(BarRequest("AAPL", "5m"))
    assert caught.value.symbol == "AAPL"


def test_directory_listing_normalises_names_and_ignores_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "brk.b.csv", HEADER + ROWS)
    write(tmp_path, "aapl.CSV", HEADER + ROWS)
    write(tmp_path, "notes.txt", "not bars")
    write(tmp_path, "not a symbol!.csv", HEADER + ROWS)
    provider = CsvProvider(tmp_path)
    assert provider.available_symbols() == ["AAPL", "BRK-B"]
    assert len(provider.fetch(BarRequest("BRK-B", "1d")).bars) == 4


def test_two_files_for_one_symbol_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "brk.b.csv", HEADER + ROWS)
    write(tmp_path, "BRK-B.csv", HEADER + ROWS)
    with pytest.raises(ProviderError, match="several files name this symbol"):
        CsvProvider(tmp_path).fetch(BarRequest("BRK-B", "1d"))


def test_missing_path_is_a_provider_error(tmp_path: Path) -> None:
    with pytest.raises(ProviderError, match="does not exist"):
        CsvProvider(tmp_path / "nowhere").fetch(BarRequest("AAPL", "1d"))


def test_adj_close_column_is_kept(tmp_path: Path) -> None:
    text = "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,10,11,9,10.5,10.1,1000\n"
    bars = fetch(write(tmp_path, "TEST.csv", text)).bars
    assert bars["adj_close"].tolist() == [10.1]
    assert bars["close"].tolist() == [10.5]


def test_headers_are_case_insensitive_and_trimmed(tmp_path: Path) -> None:
    text = " DATE , open ,HIGH,Low,CLOSE,volume,ADJ_CLOSE\n2024-01-02,10,11,9,10.5,1000,10.2\n"
    bars = fetch(write(tmp_path, "TEST.csv", text)).bars
    assert bars.iloc[0]["high"] == 11.0
    assert bars.iloc[0]["adj_close"] == 10.2


def test_column_mapping_reads_any_layout(tmp_path: Path) -> None:
    text = "Day,First,Max,Min,Last,Qty\n2024-01-02,10,11,9,10.5,1000\n"
    mapping = {
        "date": "day",
        "open": "First",
        "high": "Max",
        "low": "Min",
        "close": "Last",
        "volume": "Qty",
    }
    bars = fetch(write(tmp_path, "TEST.csv", text), column_map=mapping).bars
    assert bars.iloc[0][["open", "high", "low", "close", "volume"]].tolist() == [
        10,
        11,
        9,
        10.5,
        1000,
    ]


def test_column_mapping_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "TEST.csv", HEADER + ROWS)
    with pytest.raises(ValidationError, match=r"unknown field.*price"):
        CsvProvider(path, column_map={"price": "Close"})
    with pytest.raises(ProviderError, match=r"no column 'Last' \(mapped to close\)"):
        fetch(path, column_map={"close": "Last"})


def test_timestamp_column_with_offsets_converts_to_utc(tmp_path: Path) -> None:
    text = (
        "Datetime,Open,High,Low,Close,Volume\n"
        "2024-03-08 09:30:00-05:00,1,1,1,1,1\n"
        "2024-03-08 09:35:00-05:00,1,1,1,1,1\n"
        "2024-03-11 09:30:00-04:00,1,1,1,1,1\n"
        "2024-03-11 09:35:00-04:00,1,1,1,1,1\n"
    )
    bars = fetch(write(tmp_path, "TEST.csv", text), timeframe="5m").bars
    assert bars["ts"].tolist() == [
        utc(2024, 3, 8, 14, 30),
        utc(2024, 3, 8, 14, 35),
        utc(2024, 3, 11, 13, 30),
        utc(2024, 3, 11, 13, 35),
    ]


def test_daily_dates_with_offsets_keep_the_written_date(tmp_path: Path) -> None:
    text = HEADER + "2024-01-02 00:00:00+09:00,1,1,1,1,1\n2024-01-03 00:00:00+09:00,1,1,1,1,1\n"
    bars = fetch(write(tmp_path, "TEST.csv", text)).bars
    assert bars["ts"].tolist() == [utc(2024, 1, 2), utc(2024, 1, 3)]


def test_us_style_dates_parse(tmp_path: Path) -> None:
    text = HEADER + "01/02/2024,1,1,1,1,1\n01/03/2024,1,1,1,1,1\n01/04/2024,1,1,1,1,1\n"
    bars = fetch(write(tmp_path, "TEST.csv", text)).bars
    assert bars["ts"].tolist() == [utc(2024, 1, 2), utc(2024, 1, 3), utc(2024, 1, 4)]


def test_mixed_timezones_reject_the_minority_rows(tmp_path: Path) -> None:
    text = (
        "Datetime,Open,High,Low,Close,Volume\n"
        "2024-01-02 09:30:00-05:00,1,1,1,1,1\n"
        "2024-01-02 09:35:00,1,1,1,1,1\n"
        "2024-01-02 09:40:00-05:00,1,1,1,1,1\n"
        "2024-01-02 09:45:00-05:00,1,1,1,1,1\n"
    )
    result = fetch(write(tmp_path, "TEST.csv", text), timeframe="5m")
    assert len(result.bars) == 3
    [rejected] = result.rejected
    assert rejected.line == 3
    assert "mixed timezones" in rejected.reason


def test_ambiguous_local_time_at_dst_change_is_rejected(tmp_path: Path) -> None:
    text = (
        "Date,Time,Open,High,Low,Close,Volume\n"
        "2023-11-05,00:30,1,1,1,1,1\n"
        "2023-11-05,01:30,1,1,1,1,1\n"
        "2023-11-05,02:30,1,1,1,1,1\n"
        "2023-11-05,03:30,1,1,1,1,1\n"
    )
    result = fetch(write(tmp_path, "TEST.csv", text), timeframe="1h")
    [rejected] = result.rejected
    assert rejected.line == 3
    assert "daylight-saving" in rejected.reason
    assert len(result.bars) == 3


def test_missing_required_columns_are_named_with_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "TEST.csv", "Date,Open,Close\n2024-01-02,1,1\n")
    with pytest.raises(
        ProviderError, match=r"TEST\.csv lacks required column\(s\) high, low, volume"
    ):
        fetch(path)
    path = write(tmp_path, "TEST.csv", "Open,High,Low,Close,Volume\n1,1,1,1,1\n")
    with pytest.raises(ProviderError, match=r"lacks required column\(s\) date"):
        fetch(path)


@pytest.mark.parametrize("content", ["", "   \n\n", b"\xef\xbb\xbf"])
def test_empty_file_is_no_data(tmp_path: Path, content: str | bytes) -> None:
    with pytest.raises(NoDataError, match=r"TEST\.csv is empty"):
        fetch(write(tmp_path, "TEST.csv", content))


def test_header_without_rows_is_no_data(tmp_path: Path) -> None:
    with pytest.raises(NoDataError, match="has a header but no rows"):
        fetch(write(tmp_path, "TEST.csv", HEADER + "\n\n"))


def test_semicolon_file_says_the_delimiter_looks_wrong(tmp_path: Path) -> None:
    text = "Date;Open;High;Low;Close;Volume\n2024-01-02;1;1;1;1;1\n"
    with pytest.raises(ProviderError, match="delimiter looks wrong"):
        fetch(write(tmp_path, "TEST.csv", text))


def test_non_utf8_file_is_a_provider_error(tmp_path: Path) -> None:
    with pytest.raises(ProviderError, match="not UTF-8"):
        fetch(write(tmp_path, "TEST.csv", HEADER.encode() + b"2024-01-02,\xff\xfe,1,1,1,1\n"))


def test_bad_rows_are_rejected_with_line_numbers_and_the_rest_loads(tmp_path: Path) -> None:
    text = (
        HEADER
        + "2024-01-02,10,11,9,10.5,1000\n"
        + "Date,Open,High,Low,Close,Volume\n"  # line 3: repeated header
        + "\n"  # line 4: blank, skipped
        + "2024-13-45,10,11,9,10.5,1000\n"  # line 5: unparsable date
        + "2024-01-04,10,eleven,9,10.5,1000\n"  # line 6: text in a number
        + "2024-01-05,10,11,9,10.5,1000\n"
        + ",10,11,9,10.5,1000\n"  # line 8: no date
    )
    result = fetch(write(tmp_path, "TEST.csv", text))
    assert [(row.line, row.reason) for row in result.rejected] == [
        (3, "repeated header row"),
        (5, "unparsable date '2024-13-45'"),
        (6, "text 'eleven' in high"),
        (8, "missing date"),
    ]
    assert result.rejected[2].raw == {
        "Date": "2024-01-04",
        "Open": "10",
        "High": "eleven",
        "Low": "9",
        "Close": "10.5",
        "Volume": "1000",
    }
    assert result.bars["ts"].tolist() == [utc(2024, 1, 2), utc(2024, 1, 5)]


def test_missing_values_are_nan_not_rejected(tmp_path: Path) -> None:
    text = (
        HEADER
        + "2024-01-02,10,11,9,,1000\n2024-01-03,10,11,9,null,1000\n2024-01-04,10,11,9,10,N/A\n"
    )
    result = fetch(write(tmp_path, "TEST.csv", text))
    assert result.rejected == ()
    assert result.bars["close"].isna().tolist() == [True, True, False]
    assert result.bars["volume"].isna().tolist() == [False, False, True]


def test_rows_with_extra_fields_are_rejected_and_the_rest_loads(tmp_path: Path) -> None:
    text = HEADER + ROWS + "2024-01-08,1,2,3,4,5,6\n2024-01-09,12,13,11,12.5,900\n"
    result = fetch(write(tmp_path, "TEST.csv", text))
    [rejected] = result.rejected
    assert rejected.line == 6
    assert rejected.reason == "row has 7 fields, the header has 6"
    assert rejected.raw["field7"] == "6"
    assert len(result.bars) == 5


def test_rejected_rows_outside_the_range_are_left_out(tmp_path: Path) -> None:
    text = HEADER + ROWS + "2024-02-01,x,1,1,1,1\n"
    path = write(tmp_path, "TEST.csv", text)
    request = BarRequest("TEST", "1d", None, datetime(2024, 1, 31, tzinfo=UTC))
    assert CsvProvider(path).fetch(request).rejected == ()
    assert len(CsvProvider(path).fetch(BarRequest("TEST", "1d")).rejected) == 1


def test_intraday_file_requested_as_daily_is_a_validation_error(fut_file: Path) -> None:
    with pytest.raises(ValidationError, match=r"holds intraday bars.*not 1d bars"):
        CsvProvider(fut_file).fetch(BarRequest("FUT-2006-5MIN", "1d"))


@pytest.mark.parametrize(
    ("timeframe", "message"), [("1m", "holds 5m bars"), ("1h", "holds 5m bars")]
)
def test_intraday_file_with_another_spacing_is_refused(
    fut_file: Path, timeframe: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        CsvProvider(fut_file).fetch(BarRequest("FUT-2006-5MIN", timeframe))


def test_daily_file_requested_as_intraday_or_weekly_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "TEST.csv", HEADER + ROWS)
    with pytest.raises(ValidationError, match="holds daily bars"):
        fetch(path, timeframe="5m")
    with pytest.raises(ValidationError, match=r"holds 1d bars .*not 1wk"):
        fetch(path, timeframe="1wk")


def test_a_stray_time_in_a_daily_file_rejects_that_row(tmp_path: Path) -> None:
    text = HEADER + ROWS + "2024-01-08 10:30,1,1,1,1,1\n"
    result = fetch(write(tmp_path, "TEST.csv", text))
    [rejected] = result.rejected
    assert rejected.reason == "time of day in a daily file: '2024-01-08 10:30'"


def test_duplicates_and_bad_values_are_left_for_quality(tmp_path: Path) -> None:
    text = HEADER + ROWS + "2024-01-03,10.5,12,10,99,2000\n2024-01-08,1,1,1,-1,1\n"
    result = fetch(write(tmp_path, "TEST.csv", text))
    assert result.rejected == ()
    assert result.bars["ts"].is_monotonic_increasing
    assert (result.bars["ts"] == utc(2024, 1, 3)).sum() == 2
    assert result.bars["close"].iloc[-1] == -1


def test_unknown_timezone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unknown timezone 'Mars/Olympus'"):
        CsvProvider(tmp_path, timezone="Mars/Olympus")


def test_a_changed_file_is_read_again_and_results_do_not_share_data(tmp_path: Path) -> None:
    path = write(tmp_path, "TEST.csv", HEADER + ROWS)
    provider = CsvProvider(path)
    first = provider.fetch(BarRequest("TEST", "1d"))
    first.bars.loc[0, "close"] = -99.0
    assert provider.fetch(BarRequest("TEST", "1d")).bars.loc[0, "close"] == 10.5
    write(tmp_path, "TEST.csv", HEADER + ROWS + "2024-01-08,12,13,11,12.5,900\n")
    assert len(provider.fetch(BarRequest("TEST", "1d")).bars) == 5
