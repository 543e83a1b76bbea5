"""Quality: screening incoming rows into good and quarantined, verifying stored series."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trademind.data.calendar import sessions_between
from trademind.data.providers import BarRequest
from trademind.data.providers.csv import CsvProvider
from trademind.data.quality import MAX_ISSUES_PER_CHECK, QualityIssue, screen_rows, verify_bars
from trademind.data.schema import BAR_COLUMNS


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def session_bars(
    first: str = "2021-01-04", last: str = "2022-06-30", seed: int = 3
) -> pd.DataFrame:
    """Calm daily bars on exactly the NYSE sessions between ``first`` and ``last``."""
    sessions = sessions_between(day(first), day(last))
    rng = np.random.default_rng(seed)
    count = len(sessions)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, count)))
    open_ = np.concatenate(([100.0], close[:-1])) * np.exp(rng.normal(0, 0.002, count))
    return pd.DataFrame(
        {
            "ts": sessions.tz_localize("UTC"),
            "open": open_,
            "high": np.maximum(open_, close) * (1 + rng.uniform(0, 0.01, count)),
            "low": np.minimum(open_, close) * (1 - rng.uniform(0, 0.01, count)),
            "close": close,
            "volume": rng.integers(1_000_000, 2_000_000, count).astype(float),
            "adj_close": np.nan,
        }
    )


def checks(issues: list[QualityIssue]) -> list[str]:
    return [issue.check for issue in issues]


def verify(frame: pd.DataFrame, timeframe: str = "1d") -> list[QualityIssue]:
    return verify_bars(frame, symbol="TEST", timeframe=timeframe)


@pytest.fixture(scope="module")
def aapl(daily_dir: Path) -> pd.DataFrame:
    return CsvProvider(daily_dir).fetch(BarRequest("AAPL", "1d")).bars


# --- screen_rows -------------------------------------------------------------------------


def test_clean_rows_all_pass_conformed_and_sorted() -> None:
    bars = session_bars()
    good, quarantined = screen_rows(bars.iloc[::-1], symbol="TEST", timeframe="1d")
    assert quarantined == []
    assert list(good.columns) == list(BAR_COLUMNS)
    pd.testing.assert_frame_equal(good, bars)


@pytest.mark.parametrize(
    ("column", "value", "check", "detail"),
    [
        ("close", np.nan, "nan", "close is nan"),
        ("volume", np.inf, "nan", "volume is inf"),
        ("adj_close", -np.inf, "nan", "adj_close is -inf"),
        ("open", 0.0, "non_positive_price", "open 0.0 is not positive"),
        ("adj_close", -2.0, "non_positive_price", "adj_close -2.0 is not positive"),
        ("volume", -5.0, "negative_volume", "volume -5.0 is negative"),
        ("low", 1000.0, "ohlc_inconsistent", "low 1000.0 is above high"),
        ("high", 1.0, "ohlc_inconsistent", "high 1.0 is below max(open, close)"),
    ],
)
def test_each_row_check_quarantines_with_its_reason(
    column: str, value: float, check: str, detail: str
) -> None:
    bars = session_bars()
    bars.loc[10, column] = value
    good, quarantined = screen_rows(bars, symbol="TEST", timeframe="1d")
    [row] = quarantined
    assert row.check == check
    assert detail in row.detail
    assert row.ts == bars["ts"].iloc[10].to_pydatetime()
    assert len(good) == len(bars) - 1
    assert bars["ts"].iloc[10] not in set(good["ts"])


def test_low_above_the_body_is_inconsistent() -> None:
    bars = session_bars()
    bars.loc[5, "low"] = min(bars.loc[5, "open"], bars.loc[5, "close"]) + 0.01
    [row] = screen_rows(bars, symbol="TEST", timeframe="1d")[1]
    assert row.detail.startswith(f"low {bars.loc[5, 'low']} is above min(open, close)")


def test_float_noise_is_tolerated_in_the_ohlc_checks() -> None:
    bars = session_bars()
    bars.loc[5, "high"] = max(bars.loc[5, "open"], bars.loc[5, "close"]) * (1 - 1e-13)
    bars.loc[6, "low"] = min(bars.loc[6, "open"], bars.loc[6, "close"]) * (1 + 1e-13)
    assert screen_rows(bars, symbol="TEST", timeframe="1d")[1] == []


def test_an_identical_repeat_is_quarantined_and_conflicting_duplicates_all_are() -> None:
    bars = session_bars()
    same = bars.iloc[[20]]
    different = bars.iloc[[30]].assign(close=bars.loc[30, "close"] * 1.01)
    incoming = pd.concat([bars, same, different, different])
    good, quarantined = screen_rows(incoming, symbol="TEST", timeframe="1d")
    assert len(good) == len(bars) - 1
    assert (good["ts"] == bars.loc[20, "ts"]).sum() == 1
    assert len(good) + len(quarantined) == len(incoming)  # every row accounted for
    assert [(row.check, row.detail) for row in quarantined] == [
        ("duplicate_ts", f"identical repeat of the row for {bars.loc[20, 'ts']:%Y-%m-%d}"),
        ("duplicate_ts", f"identical repeat of the row for {bars.loc[30, 'ts']:%Y-%m-%d}"),
        ("duplicate_ts", f"2 rows for {bars.loc[30, 'ts']:%Y-%m-%d} with different values"),
        ("duplicate_ts", f"2 rows for {bars.loc[30, 'ts']:%Y-%m-%d} with different values"),
    ]


def test_a_row_failing_several_checks_is_quarantined_once_with_every_reason() -> None:
    bars = session_bars()
    bars.loc[7, ["close", "volume"]] = [-1.0, -3.0]
    [row] = screen_rows(bars, symbol="TEST", timeframe="1d")[1]
    assert row.check == "non_positive_price"
    assert "close -1.0 is not positive" in row.detail
    assert "volume -3.0 is negative" in row.detail


def test_quarantined_raw_values_are_json_safe() -> None:
    bars = session_bars()
    bars.loc[3, "close"] = np.nan
    [row] = screen_rows(bars, symbol="TEST", timeframe="1d")[1]
    assert row.raw["close"] is None
    assert row.raw["adj_close"] is None
    assert row.raw["ts"] == bars.loc[3, "ts"].isoformat()
    assert isinstance(row.raw["open"], float)


def test_a_missing_timestamp_is_quarantined() -> None:
    bars = session_bars().astype({"ts": "datetime64[ns, UTC]"})
    bars.loc[4, "ts"] = pd.NaT
    [row] = screen_rows(bars, symbol="TEST", timeframe="1d")[1]
    assert (row.check, row.ts, row.detail) == ("missing_ts", None, "timestamp is missing")


def test_broken_row_duplicate_date_and_negative_close_in_a_shared_file(
    daily_dir: Path, tmp_path: Path
) -> None:
    """The issue's acceptance case, up to the store: reject, quarantine, keep the rest."""
    lines = (daily_dir / "AAPL.csv").read_text().splitlines()
    broken_date = lines[101].split(",")[0]
    lines[101] = f"{broken_date},19.5,oops,19.1"  # a broken row
    duplicate = lines[201].split(",")
    duplicate[4] = str(float(duplicate[4]) + 1)  # same date, another close
    negative = lines[301].split(",")
    negative[4] = "-1.0"
    lines[301] = ",".join(negative)
    lines.insert(202, ",".join(duplicate))
    (tmp_path / "AAPL.csv").write_text("\n".join(lines) + "\n")

    result = CsvProvider(tmp_path).fetch(BarRequest("AAPL", "1d"))
    [rejected] = result.rejected
    assert rejected.line == 102
    assert rejected.reason == "text 'oops' in high"
    good, quarantined = screen_rows(result.bars, symbol="AAPL", timeframe="1d")
    assert sorted((row.check, f"{row.ts:%Y-%m-%d}") for row in quarantined) == sorted(
        [
            ("duplicate_ts", duplicate[0]),
            ("duplicate_ts", duplicate[0]),
            ("non_positive_price", negative[0]),
        ]
    )
    assert len(good) == 2768 - 3
    issues = verify_bars(good, symbol="AAPL", timeframe="1d")
    assert [(issue.check, issue.detail) for issue in issues] == [
        ("missing_sessions", f"1 missing session {broken_date}"),
        ("missing_sessions", f"1 missing session {duplicate[0]}"),
        ("missing_sessions", f"1 missing session {negative[0]}"),
    ]


# --- verify_bars -------------------------------------------------------------------------


def test_the_shared_daily_files_are_clean(daily_dir: Path) -> None:
    provider = CsvProvider(daily_dir)
    for symbol in provider.available_symbols():
        bars = provider.fetch(BarRequest(symbol, "1d")).bars
        assert verify_bars(bars, symbol=symbol, timeframe="1d") == [], symbol


def test_the_volume_less_future_gives_one_issue_and_no_session_checks(fut_file: Path) -> None:
    bars = CsvProvider(fut_file).fetch(BarRequest("FUT-2006-5MIN", "5m")).bars
    [issue] = verify_bars(bars, symbol="FUT-2006-5MIN", timeframe="5m")
    assert (issue.check, issue.ts) == ("no_volume", None)
    assert issue.detail == "volume is 0 on all 2142 bars (no volume data)"


def test_a_run_of_missing_sessions_is_one_issue(aapl: pd.DataFrame) -> None:
    gone = aapl["ts"].between(day("2020-03-02"), day("2020-03-04")) | (
        aapl["ts"] == day("2021-07-06")
    )
    issues = verify(aapl.loc[~gone])
    assert [(i.check, i.ts, i.detail) for i in issues] == [
        (
            "missing_sessions",
            day("2020-03-02").to_pydatetime(),
            "3 missing sessions 2020-03-02..2020-03-04",
        ),
        ("missing_sessions", day("2021-07-06").to_pydatetime(), "1 missing session 2021-07-06"),
    ]


def test_bars_on_weekends_and_holidays_are_reported(aapl: pd.DataFrame) -> None:
    before = aapl.loc[aapl["ts"].isin([day("2020-01-03"), day("2020-12-24")])]
    extra = before.assign(ts=[day("2020-01-04"), day("2020-12-25")])
    issues = verify(pd.concat([aapl, extra]))
    assert [(i.check, i.detail) for i in issues] == [
        ("non_session_bar", "bar on 2020-01-04 (Saturday), not a XNYS session"),
        ("non_session_bar", "bar on 2020-12-25 (Friday), not a XNYS session"),
    ]


def test_no_calendar_means_no_session_checks(aapl: pd.DataFrame) -> None:
    assert verify_bars(aapl.iloc[::2], symbol="AAPL", timeframe="1d", calendar=None) == []


def test_row_problems_and_duplicates_are_reported(aapl: pd.DataFrame) -> None:
    bars = aapl.copy()
    bars.loc[10, "close"] = np.nan
    bars.loc[20, "open"] = -1.0
    bars.loc[30, "low"] = bars.loc[30, "high"] * 1.5
    doubled = pd.concat([bars, bars.iloc[[40]]])
    found = [(issue.check, issue.ts) for issue in verify(doubled)]
    at = [ts.to_pydatetime() for ts in aapl["ts"]]
    assert found == [
        ("nan", at[10]),
        ("non_positive_price", at[20]),
        ("ohlc_inconsistent", at[20]),  # low above min(open, close) = -1.0
        ("ohlc_inconsistent", at[30]),
        ("duplicate_ts", at[40]),
    ]


def test_zero_volume_runs_from_five_bars(aapl: pd.DataFrame) -> None:
    bars = aapl.copy()
    bars.loc[100:104, "volume"] = 0.0
    bars.loc[200:203, "volume"] = 0.0  # four bars: not reported
    [issue] = verify(bars)
    assert issue.check == "zero_volume_run"
    assert issue.detail.startswith("5 consecutive bars with zero volume")


def test_a_series_without_any_volume_is_one_issue(aapl: pd.DataFrame) -> None:
    assert checks(verify(aapl.assign(volume=0.0))) == ["no_volume"]


def test_a_spike_that_reverts_is_an_outlier_real_moves_are_not(aapl: pd.DataFrame) -> None:
    whole_bar = aapl.copy()
    whole_bar.loc[500, ["open", "high", "low", "close"]] *= 8
    [issue] = verify(whole_bar)
    assert (issue.check, issue.ts) == ("return_outlier", aapl["ts"].iloc[500].to_pydatetime())
    assert re.search(r"is \+7\d\d% from .* and reverses on the next bar", issue.detail)
    assert "reverses on the next bar" in issue.detail
    close_only = aapl.copy()
    close_only.loc[500, "close"] *= 8
    assert sorted(checks(verify(close_only))) == ["ohlc_inconsistent", "return_outlier"]


def test_a_lone_huge_jump_is_an_outlier(aapl: pd.DataFrame) -> None:
    bars = aapl.copy()
    bars.loc[1500:, ["open", "high", "low", "close"]] *= 2.6
    [issue] = verify(bars)
    assert (issue.check, issue.ts) == ("return_outlier", aapl["ts"].iloc[1500].to_pydatetime())


def test_a_wick_spike_is_an_outlier(aapl: pd.DataFrame) -> None:
    bars = aapl.copy()
    bars.loc[700, "high"] *= 3
    bars.loc[900, "low"] /= 3
    issues = verify(bars)
    assert checks(issues) == ["wick_outlier", "wick_outlier"]
    assert "above max(open, close)" in issues[0].detail
    assert "below min(open, close)" in issues[1].detail


def test_an_unadjusted_split_is_reported_once_not_as_an_outlier(aapl: pd.DataFrame) -> None:
    bars = aapl.copy()
    bars.loc[:999, ["open", "high", "low", "close"]] *= 4
    [issue] = verify(bars)
    assert issue.check == "unadjusted_split"
    assert issue.ts == aapl["ts"].iloc[1000].to_pydatetime()
    assert issue.detail.startswith("possible unadjusted 4:1 split")
    assert issue.detail.endswith("(the source reports no splits; check)")


def test_stale_stretches_from_ten_identical_bars(aapl: pd.DataFrame) -> None:
    bars = aapl.copy()
    prices = ["open", "high", "low", "close"]
    bars.loc[301:309, prices] = bars.loc[300, prices].to_numpy()  # ten identical bars
    bars.loc[601:608, prices] = bars.loc[600, prices].to_numpy()  # nine: not reported
    [issue] = verify(bars)
    assert issue.check == "stale_series"
    assert issue.ts == aapl["ts"].iloc[300].to_pydatetime()
    assert issue.detail.startswith("10 consecutive bars with identical OHLC")


def test_many_issues_of_one_check_are_capped_with_a_summary(aapl: pd.DataFrame) -> None:
    bars = aapl.copy()
    bars.loc[0 : MAX_ISSUES_PER_CHECK + 9, "volume"] = np.nan
    issues = verify(bars)
    assert len(issues) == MAX_ISSUES_PER_CHECK + 1
    assert (issues[-1].check, issues[-1].ts, issues[-1].detail) == ("nan", None, "... and 10 more")


def nyse_five_minute_bars() -> pd.DataFrame:
    stamps = pd.DatetimeIndex(
        np.concatenate(
            [
                pd.date_range(f"{date} 09:30", f"{date} 15:55", freq="5min", tz="America/New_York")
                .tz_convert("UTC")
                .to_numpy()
                for date in ("2024-01-02", "2024-01-03", "2024-01-04")
            ]
        ),
        tz="UTC",
    )
    count = len(stamps)
    close = 100 + np.sin(np.arange(count) / 10)
    return pd.DataFrame(
        {
            "ts": stamps,
            "open": close - 0.01,
            "high": close + 0.05,
            "low": close - 0.05,
            "close": close,
            "volume": np.full(count, 1000.0),
            "adj_close": np.nan,
        }
    )


def test_intraday_nyse_bars_are_checked_against_trading_hours() -> None:
    bars = nyse_five_minute_bars()
    assert verify(bars, "5m") == []
    late = bars.iloc[[10]].assign(
        ts=pd.Timestamp("2024-01-03 17:00", tz="America/New_York").tz_convert("UTC")
    )
    gappy = pd.concat([bars.drop(index=[100, 101, 102]), late])
    issues = verify(gappy, "5m")
    assert bars.loc[100, "ts"] == pd.Timestamp("2024-01-03 16:20", tz="UTC")  # 11:20 in New York
    assert [(i.check, i.detail) for i in issues] == [
        ("missing_sessions", "3 missing 5m bars 2024-01-03 16:20 UTC..2024-01-03 16:30 UTC"),
        ("non_session_bar", "bar at 2024-01-03 22:00 UTC is outside XNYS trading hours"),
    ]
    assert verify_bars(gappy, symbol="TEST", timeframe="5m", calendar=None) == []
