"""Implausible values (issue 9, defect 6) and split gaps cross-checked with reported splits
(issue 9, defect 13): quarantined at ingest, flagged in stored series."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from trademind.data.calendar import sessions_between
from trademind.data.corporate import ReportedSplit
from trademind.data.plausibility import MAX_PRICE, MAX_VOLUME, MIN_PRICE
from trademind.data.quality import QualityIssue, screen_rows, verify_bars


def calm(count: int = 120, seed: int = 5) -> pd.DataFrame:
    """Quiet daily bars on NYSE sessions (close around 100, 1% moves)."""
    sessions = sessions_between(pd.Timestamp("2023-01-03"), pd.Timestamp("2023-12-29"))[:count]
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, count)))
    open_ = np.concatenate(([100.0], close[:-1]))
    return pd.DataFrame(
        {
            "ts": sessions.tz_localize("UTC"),
            "open": open_,
            "high": np.maximum(open_, close) * 1.005,
            "low": np.minimum(open_, close) * 0.995,
            "close": close,
            "volume": np.full(count, 1e6),
            "adj_close": np.nan,
        }
    )


def scale(frame: pd.DataFrame, rows: slice | list[int], factor: float) -> pd.DataFrame:
    """``frame`` with the prices of ``rows`` multiplied by ``factor`` (a clean bar stays one)."""
    result = frame.copy()
    result.loc[rows, ["open", "high", "low", "close"]] *= factor
    return result


def screen(
    frame: pd.DataFrame,
    *,
    max_close_ratio: float = 10.0,
    splits: list[ReportedSplit] | None = None,
) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    good, quarantined = screen_rows(
        frame, symbol="TEST", timeframe="1d", max_close_ratio=max_close_ratio, splits=splits
    )
    return good, [(row.check, row.detail) for row in quarantined]


def found(issues: list[QualityIssue], check: str) -> list[QualityIssue]:
    return [issue for issue in issues if issue.check == check]


# --- magnitudes: quarantined at ingest, flagged when already stored -------------------------


def test_the_1e308_row_of_the_issue_is_quarantined_and_the_rest_stored() -> None:
    """Defect 6: `2023-03-02,1e308,1e308,1e308,1e308,1000` was stored."""
    bars = calm()
    bars.loc[40, ["open", "high", "low", "close"]] = 1e308
    good, quarantined = screen(bars)
    assert [check for check, _ in quarantined] == ["implausible_price"]
    assert "close 1e+308 is above 1e+07, not a plausible value" in quarantined[0][1]
    assert len(good) == len(bars) - 1
    assert good["close"].max() < 1000


@pytest.mark.parametrize(
    ("column", "value", "check", "words"),
    [
        ("high", MAX_PRICE * 10, "implausible_price", "high 100000000.0 is above 1e+07"),
        ("low", MIN_PRICE / 10, "implausible_price", "below 1e-06"),
        ("adj_close", 1e300, "implausible_price", "adj_close 1e+300 is above"),
        (
            "volume",
            MAX_VOLUME * 100,
            "implausible_volume",
            "1000000000000000.0 is above 1e+13",
        ),
    ],
)
def test_absurd_magnitudes_are_quarantined(
    column: str, value: float, check: str, words: str
) -> None:
    """Defect 6: every price column and the volume have a documented plausible range."""
    bars = calm()
    bars.loc[10, column] = value
    _, quarantined = screen(bars)
    assert [item[0] for item in quarantined][:1] == [check]
    assert words in quarantined[0][1]


def test_verify_flags_implausible_rows_stored_before_the_check_existed() -> None:
    """Defect 6: rows already in the store are flagged by `data verify`, with no warning."""
    bars = calm()
    bars.loc[40, ["open", "high", "low", "close"]] = 1e308
    bars.loc[70, "volume"] = 1e308
    issues = verify_bars(bars, symbol="TEST", timeframe="1d")
    assert [i.ts for i in found(issues, "implausible_price")] == [
        bars["ts"].iloc[40].to_pydatetime()
    ]
    assert [i.ts for i in found(issues, "implausible_volume")] == [
        bars["ts"].iloc[70].to_pydatetime()
    ]
    assert found(issues, "return_outlier") == []  # the absurd bar is not judged again


# --- returns --------------------------------------------------------------------------------


def test_a_bad_print_far_off_its_neighbours_is_quarantined() -> None:
    """Defect 6: a close 20 times its neighbours' (a typo, a unit mix-up) is implausible."""
    bars = scale(calm(), [50], 20.0)
    good, quarantined = screen(bars)
    assert [check for check, _ in quarantined] == ["implausible_return"]
    assert "times the median close" in quarantined[0][1]
    assert "data.max_close_ratio" in quarantined[0][1]
    assert len(good) == len(bars) - 1


def test_two_bad_prints_in_a_row_and_a_bad_first_row_are_both_caught() -> None:
    bars = scale(scale(calm(), [30, 31], 1 / 50), [0], 30.0)
    _, quarantined = screen(bars)
    assert [check for check, _ in quarantined] == ["implausible_return"] * 3


def test_real_crashes_and_take_overs_stay() -> None:
    """A -80% crash that persists and a +150% buy-out are real: the bound is wide on purpose."""
    bars = scale(scale(calm(), slice(40, None), 0.2), slice(80, None), 2.5)
    good, quarantined = screen(bars)
    assert quarantined == []
    assert len(good) == len(bars)


def test_a_persistent_jump_beyond_the_bound_is_kept_but_verify_reports_it() -> None:
    bars = scale(calm(), slice(60, None), 50.0)
    good, quarantined = screen(bars)
    assert quarantined == []
    issues = verify_bars(good, symbol="TEST", timeframe="1d")
    [jump] = found(issues, "implausible_return")
    assert jump.ts == bars["ts"].iloc[60].to_pydatetime()
    assert "stays at the new level" in jump.detail


def test_the_bound_is_configurable() -> None:
    bars = scale(calm(), [50], 4.0)
    assert screen(bars)[1] == []
    assert [c for c, _ in screen(bars, max_close_ratio=3.0)[1]] == ["implausible_return"]


def test_a_gap_the_source_reports_as_a_split_is_not_implausible() -> None:
    """Bars stored before a 1:20 reverse split, then the first bar after it: the split the
    source reports explains the jump, so the new bar is not quarantined."""
    bars = scale(calm(60), slice(None, 58), 1 / 20)  # the old scale up to the split
    split = ReportedSplit(ts=bars["ts"].iloc[59].to_pydatetime(), factor=0.05)
    assert [check for check, _ in screen(bars)[1]] == ["implausible_return"]
    assert screen(bars, splits=[split])[1] == []
    assert split.label == "1:20"


def test_too_few_bars_to_judge_are_kept() -> None:
    """A two-bar batch (an incremental refresh) cannot tell a bad print from a real move."""
    bars = scale(calm(2), [1], 30.0)
    assert screen(bars)[1] == []


# --- split gaps cross-checked with the source's splits (defect 13) ---------------------------


def _take_over(premium: float = 1.5) -> tuple[pd.DataFrame, datetime]:
    bars = scale(calm(), slice(60, None), premium)
    return bars, bars["ts"].iloc[60].to_pydatetime()


def test_a_take_over_gap_is_only_a_possible_split_without_a_split_list() -> None:
    """Defect 13: a +50% gap was called a 'probable unadjusted 2:3 split'."""
    bars, when = _take_over()
    [issue] = found(verify_bars(bars, symbol="TEST", timeframe="1d"), "unadjusted_split")
    assert issue.ts == when
    assert issue.detail.startswith("possible unadjusted 2:3 split")
    assert issue.detail.endswith("(the source reports no splits; check)")
    assert "probable" not in issue.detail


def test_a_source_that_reports_splits_but_none_there_makes_it_no_split() -> None:
    """Defect 13: the source reports splits, none on that day: the +50% gap of a take-over is
    not a split, and within the bound it is no problem either."""
    bars, _ = _take_over()
    elsewhere = ReportedSplit(ts=datetime(2020, 8, 31), factor=4.0)
    assert verify_bars(bars, symbol="TEST", timeframe="1d", splits=[elsewhere]) == []


def test_a_gap_on_a_reported_split_is_called_that_split() -> None:
    bars, when = _take_over(premium=0.5)  # prices halve: an unadjusted 2:1 split
    split = ReportedSplit(ts=when, factor=2.0)
    [issue] = found(
        verify_bars(bars, symbol="TEST", timeframe="1d", splits=[split]), "unadjusted_split"
    )
    assert issue.ts == when
    assert issue.detail.startswith("unadjusted 2:1 split the source reports on 2023-03-30")


def test_a_big_gap_without_a_reported_split_is_an_implausible_return() -> None:
    bars, when = _take_over(premium=1 / 20)  # a 20:1 look-alike, the source reports none
    issues = verify_bars(bars, symbol="TEST", timeframe="1d", splits=())
    assert found(issues, "unadjusted_split") == []
    assert [issue.ts for issue in found(issues, "implausible_return")] == [when]


def test_ingest_says_when_stored_bars_predate_a_reported_split() -> None:
    """Defect 13: with the source's split list, a gap on a reported split is that split."""
    from trademind.services.data_service import split_notices

    bars, when = _take_over(premium=0.5)
    [notice] = split_notices("TEST", bars, [ReportedSplit(ts=when, factor=2.0)])
    assert notice.startswith("TEST: the source reports a 2:1 split on 2023-03-30")
    assert "clear-cache --symbol TEST --bars --yes" in notice
    assert split_notices("TEST", bars, []) == ()
    assert split_notices("TEST", _take_over()[0], [ReportedSplit(ts=when, factor=2.0)]) == ()
