"""Data quality: screen incoming rows (quarantine the bad ones) and verify stored series.

:func:`screen_rows` runs on every ingest, before anything is written: rows with a missing
timestamp, NaN or infinite prices or volume, zero or negative prices, negative volume, OHLC
that contradict each other, implausible magnitudes or an implausible close (far off the closes
around it; :mod:`trademind.data.plausibility`), or conflicting duplicates of one timestamp come
back as :class:`QuarantinedRow` with the check and a detail; the good rows go on to the store.

:func:`verify_bars` runs on a stored series and lists :class:`QualityIssue` for everything
suspicious, including rows stored before a check existed and what only shows across bars:
missing sessions and bars on non-sessions (NYSE calendar), zero-volume runs, implausible
returns, return outliers, unadjusted splits (cross-checked with the splits the source reports)
and stale stretches. Thresholds are module constants documented in docs/market-data.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from trademind.data import calendar as calendars
from trademind.data.corporate import ReportedSplit
from trademind.data.plausibility import (
    DEFAULT_MAX_CLOSE_RATIO,
    implausible_closes,
    magnitude_masks,
    plausible_magnitudes,
)
from trademind.data.providers.timestamps import STEPS
from trademind.data.quality_returns import Finding, return_findings
from trademind.data.quality_returns import day as _day
from trademind.data.quality_returns import ratio_text as _ratio_text
from trademind.data.quality_returns import stamp as _stamp
from trademind.data.quality_returns import when as _when
from trademind.data.schema import INTRADAY_TIMEFRAMES, PRICE_COLUMNS, conform_bar_frame

OHLC_TOLERANCE: Final = 1e-9  # relative, for float noise in the OHLC ordering checks
ZERO_VOLUME_RUN: Final = 5  # consecutive zero-volume bars reported as a run
STALE_RUN: Final = 10  # consecutive bars with identical OHLC reported as stale
NYSE_HOURS_SHARE: Final = 0.99  # intraday session checks run when this share is in NYSE hours
MAX_ISSUES_PER_CHECK: Final = 50  # beyond this, one summary issue per check

Mask = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

CHECKS: Final = (
    "missing_ts",
    "nan",
    "non_positive_price",
    "negative_volume",
    "ohlc_inconsistent",
    "implausible_price",
    "implausible_volume",
    "implausible_return",
    "duplicate_ts",
    "missing_sessions",
    "non_session_bar",
    "zero_volume_run",
    "no_volume",
    "return_outlier",
    "wick_outlier",
    "unadjusted_split",
    "stale_series",
)


@dataclass(frozen=True)
class QuarantinedRow:
    """An incoming row kept out of the store; ``raw`` is JSON-safe (NaN as None)."""

    ts: datetime | None
    check: str
    detail: str
    raw: dict[str, Any]


@dataclass(frozen=True)
class QualityIssue:
    """Something wrong or suspicious in a stored series (``ts`` None: the whole series)."""

    symbol: str
    timeframe: str
    check: str
    ts: datetime | None
    detail: str


def screen_rows(
    frame: pd.DataFrame,
    *,
    symbol: str,
    timeframe: str,
    max_close_ratio: float = DEFAULT_MAX_CLOSE_RATIO,
    splits: Sequence[ReportedSplit] | None = None,
) -> tuple[pd.DataFrame, list[QuarantinedRow]]:
    """Split an incoming bar frame into good rows (conformed, sorted) and quarantined ones.

    Of identical duplicate rows the first goes on and each repeat is quarantined (so the
    ingest report accounts for every row read); when rows of one timestamp disagree, all of
    them are quarantined, since nothing tells which is right. A close more than
    ``max_close_ratio`` times off the median close of the bars around it is quarantined as
    ``implausible_return``, unless a split the source reports (``splits``) explains it.
    """
    bars = conform_bar_frame(frame).sort_values("ts", kind="stable").reset_index(drop=True)
    repeats = bars.duplicated(keep="first") & bars["ts"].notna()
    quarantined = [
        _quarantine(row, "duplicate_ts", f"identical repeat of the row for {_when(row['ts'])}")
        for _, row in bars.loc[repeats].iterrows()
    ]
    bars = bars.loc[~repeats]
    conflicting = bars["ts"].notna() & bars.duplicated("ts", keep=False)
    counts = bars.loc[conflicting, "ts"].value_counts()
    for index in bars.index[conflicting]:
        ts = bars.at[index, "ts"]
        detail = f"{counts[ts]} rows for {_when(ts)} with different values"
        quarantined.append(_quarantine(bars.loc[index], "duplicate_ts", detail))
    remaining = bars.loc[~conflicting]
    findings = row_findings(remaining)
    for index, problems in findings.items():
        detail = "; ".join(detail for _, detail in problems)
        quarantined.append(_quarantine(remaining.loc[index], problems[0][0], detail))
    good = remaining.drop(index=list(findings))
    good, implausible = _implausible_returns(good, max_close_ratio, splits)
    quarantined.extend(implausible)
    quarantined.sort(key=lambda row: (row.ts is None, row.ts or datetime.min))
    return conform_bar_frame(good), quarantined


def _implausible_returns(
    bars: pd.DataFrame, max_ratio: float, splits: Sequence[ReportedSplit] | None
) -> tuple[pd.DataFrame, list[QuarantinedRow]]:
    """``bars`` without the closes far off their neighbours', and those rows quarantined."""
    ordered = bars.sort_values("ts", kind="stable")
    flagged, medians = implausible_closes(ordered, max_ratio=max_ratio, splits=splits)
    if not flagged.any():
        return bars, []
    rows = []
    for position in np.flatnonzero(flagged).tolist():
        row = ordered.iloc[position]
        detail = (
            f"close {row['close']:g} is {_ratio_text(row['close'], medians[position])} the "
            f"median close {medians[position]:g} of the bars around it (limit: "
            f"{max_ratio:g} times, data.max_close_ratio)"
        )
        rows.append(_quarantine(row, "implausible_return", detail))
    return ordered.loc[~flagged], rows


def row_findings(bars: pd.DataFrame) -> dict[Any, list[tuple[str, str]]]:
    """Row-level problems by index label: ``[(check, detail), ...]`` in :data:`CHECKS` order."""
    findings: dict[Any, list[tuple[str, str]]] = {}

    def add(mask: Mask, check: str, describe: Callable[[pd.Series], str]) -> None:
        for index in bars.index[np.asarray(mask, dtype=bool)]:
            findings.setdefault(index, []).append((check, describe(bars.loc[index])))

    add(bars["ts"].isna().to_numpy(), "missing_ts", lambda _row: "timestamp is missing")
    values: dict[str, FloatArray] = {
        c: bars[c].to_numpy(dtype=np.float64) for c in (*PRICE_COLUMNS, "volume", "adj_close")
    }
    finite = {column: np.isfinite(array) for column, array in values.items()}
    for column in (*PRICE_COLUMNS, "volume"):
        add(~finite[column], "nan", _describe(column, "is"))
    add(np.isinf(values["adj_close"]), "nan", _describe("adj_close", "is"))
    for column in (*PRICE_COLUMNS, "adj_close"):
        mask = finite[column] & (values[column] <= 0)
        add(mask, "non_positive_price", _describe(column, "is not positive"))
    add(finite["volume"] & (values["volume"] < 0), "negative_volume", _negative_volume)
    for mask, check, column, why in magnitude_masks(values, finite):
        add(mask, check, _describe(column, f"is {why}, not a plausible value"))
    all_finite = np.logical_and.reduce([finite[column] for column in PRICE_COLUMNS])
    for mask, describe in _ohlc_problems(values, all_finite):
        add(mask, "ohlc_inconsistent", describe)
    if not findings:
        return {}
    return {index: _merged(findings[index]) for index in bars.index if index in findings}


def _merged(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One entry per check for a row, its details joined."""
    details: dict[str, list[str]] = {}
    for check, detail in problems:
        details.setdefault(check, []).append(detail)
    return [(check, "; ".join(texts)) for check, texts in details.items()]


def _describe(column: str, verb: str) -> Callable[[pd.Series], str]:
    if verb == "is":
        return lambda row: f"{column} is {row[column]}"
    return lambda row: f"{column} {row[column]} {verb}"


def _negative_volume(row: pd.Series) -> str:
    return f"volume {row['volume']} is negative"


def _ohlc_problems(
    values: dict[str, FloatArray], finite: Mask
) -> list[tuple[Mask, Callable[[pd.Series], str]]]:
    o, h, lo, c = (values[column] for column in PRICE_COLUMNS)
    with np.errstate(invalid="ignore"):
        tolerance = OHLC_TOLERANCE * np.max(np.abs(np.stack([o, h, lo, c])), axis=0)
        body_low, body_high = np.minimum(o, c), np.maximum(o, c)
        return [
            (finite & (lo - h > tolerance), _low_above_high),
            (finite & (lo - body_low > tolerance), _low_above_body),
            (finite & (body_high - h > tolerance), _high_below_body),
        ]


def _low_above_high(row: pd.Series) -> str:
    return f"low {row['low']} is above high {row['high']}"


def _low_above_body(row: pd.Series) -> str:
    return f"low {row['low']} is above min(open, close) {min(row['open'], row['close'])}"


def _high_below_body(row: pd.Series) -> str:
    return f"high {row['high']} is below max(open, close) {max(row['open'], row['close'])}"


def verify_bars(
    frame: pd.DataFrame,
    *,
    symbol: str,
    timeframe: str,
    calendar: str | None = calendars.NYSE,
    max_close_ratio: float = DEFAULT_MAX_CLOSE_RATIO,
    splits: Sequence[ReportedSplit] | None = None,
) -> list[QualityIssue]:
    """Every problem found in a stored series; [] when it is clean.

    ``splits``: the splits the source reports (None: it reports none, as CSV files and the
    sample; stored bars keep no split list either).
    """
    bars = conform_bar_frame(frame).sort_values("ts", kind="stable").reset_index(drop=True)
    found: list[Finding] = []
    duplicated = bars["ts"].notna() & bars.duplicated("ts", keep=False)
    for ts, count in bars.loc[duplicated, "ts"].value_counts(sort=False).items():
        found.append(("duplicate_ts", _stamp(ts), f"{count} bars at {_when(ts)}"))
    for index, problems in row_findings(bars).items():
        ts = _stamp(bars.at[index, "ts"])
        found.extend((check, ts, detail) for check, detail in problems)
    timeline = bars.loc[bars["ts"].notna()].drop_duplicates("ts").reset_index(drop=True)
    if calendar is not None and not timeline.empty:
        found.extend(_session_findings(timeline, timeframe, calendar))
    found.extend(_volume_findings(timeline.loc[timeline["volume"].notna()]))
    priced = _priced(timeline)
    found.extend(_stale_findings(priced))
    found.extend(return_findings(priced, max_ratio=max_close_ratio, splits=splits))
    return _issues(found, symbol, timeframe)


def _priced(timeline: pd.DataFrame) -> pd.DataFrame:
    """Bars whose four prices are finite, positive and plausible (OHLC order may be wrong)."""
    prices = timeline[list(PRICE_COLUMNS)].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        usable = (np.isfinite(prices) & (prices > 0)).all(axis=1) & plausible_magnitudes(prices)
    priced: pd.DataFrame = timeline.loc[usable].reset_index(drop=True)
    return priced


def _session_findings(bars: pd.DataFrame, timeframe: str, calendar: str) -> list[Finding]:
    if timeframe == "1d":
        return _daily_session_findings(bars, calendar)
    if timeframe in INTRADAY_TIMEFRAMES:
        return _intraday_session_findings(bars, timeframe, calendar)
    return []


def _daily_session_findings(bars: pd.DataFrame, calendar: str) -> list[Finding]:
    dates = pd.DatetimeIndex(bars["ts"].dt.tz_localize(None).dt.normalize())
    sessions = calendars.sessions_between(dates.min(), dates.max(), calendar)
    found: list[Finding] = []
    missing = sessions.difference(dates)
    for start, end in _runs(sessions.isin(missing)):
        count = end - start + 1
        first, last = sessions[start], sessions[end]
        span = _day(first) if count == 1 else f"{_day(first)}..{_day(last)}"
        noun = "session" if count == 1 else "sessions"
        found.append(
            ("missing_sessions", first.tz_localize("UTC"), f"{count} missing {noun} {span}")
        )
    for date in dates.difference(sessions):
        detail = f"bar on {_day(date)} ({date:%A}), not a {calendar} session"
        found.append(("non_session_bar", date.tz_localize("UTC"), detail))
    return found


def _intraday_session_findings(bars: pd.DataFrame, timeframe: str, calendar: str) -> list[Finding]:
    ts = bars["ts"]
    schedule = calendars.session_schedule(ts.min(), ts.max(), calendar)
    day = ts.dt.tz_localize(None).dt.normalize()
    opens = day.map(schedule["open"])
    closes = day.map(schedule["close"])
    inside = (ts >= opens) & (ts < closes)
    if inside.mean() < NYSE_HOURS_SHARE:
        return []  # not an NYSE-hours series (another exchange, or extended hours)
    found: list[Finding] = [
        ("non_session_bar", stamp, f"bar at {_when(stamp)} is outside {calendar} trading hours")
        for stamp in ts[~inside]
    ]
    step = STEPS[timeframe]
    ranges = [
        pd.date_range(pd.Timestamp(opened), pd.Timestamp(closed), freq=step, inclusive="left")
        for opened, closed in zip(schedule["open"], schedule["close"], strict=True)
    ]
    expected = pd.DatetimeIndex([], tz="UTC").append(ranges) if ranges else pd.DatetimeIndex([])
    expected = expected[(expected >= ts.min()) & (expected <= ts.max())]
    for start, end in _runs(~expected.isin(pd.DatetimeIndex(ts))):
        count = end - start + 1
        span = f"{_when(expected[start])}..{_when(expected[end])}"
        found.append(
            ("missing_sessions", expected[start], f"{count} missing {timeframe} bars {span}")
        )
    return found


def _volume_findings(bars: pd.DataFrame) -> list[Finding]:
    if bars.empty:
        return []
    zero = (bars["volume"] == 0).to_numpy()
    if zero.all():
        return [("no_volume", None, f"volume is 0 on all {len(bars)} bars (no volume data)")]
    found: list[Finding] = []
    for start, end in _runs(zero):
        if end - start + 1 >= ZERO_VOLUME_RUN:
            first, last = bars["ts"].iloc[start], bars["ts"].iloc[end]
            detail = (
                f"{end - start + 1} consecutive bars with zero volume {_when(first)}..{_when(last)}"
            )
            found.append(("zero_volume_run", first, detail))
    return found


def _stale_findings(bars: pd.DataFrame) -> list[Finding]:
    prices = bars[list(PRICE_COLUMNS)]
    same = (prices == prices.shift(1)).all(axis=1).to_numpy()
    found: list[Finding] = []
    for start, end in _runs(same):
        count = end - start + 2  # a run of k repeats is k + 1 identical bars
        if count >= STALE_RUN:
            first, last = bars["ts"].iloc[start - 1], bars["ts"].iloc[end]
            detail = f"{count} consecutive bars with identical OHLC {_when(first)}..{_when(last)}"
            found.append(("stale_series", first, detail))
    return found


def _issues(found: Iterable[Finding], symbol: str, timeframe: str) -> list[QualityIssue]:
    ordered = sorted(
        found, key=lambda item: (item[1] is None, item[1] or pd.Timestamp(0, tz="UTC"))
    )
    issues: list[QualityIssue] = []
    per_check: dict[str, int] = {}
    for check, ts, detail in ordered:
        per_check[check] = per_check.get(check, 0) + 1
        if per_check[check] <= MAX_ISSUES_PER_CHECK:
            issues.append(QualityIssue(symbol, timeframe, check, _py(ts), detail))
    for check, count in per_check.items():
        if count > MAX_ISSUES_PER_CHECK:
            more = count - MAX_ISSUES_PER_CHECK
            issues.append(QualityIssue(symbol, timeframe, check, None, f"... and {more} more"))
    return issues


def _runs(mask: Mask | pd.Series) -> list[tuple[int, int]]:
    """``(first, last)`` positions of each run of True."""
    flags = np.asarray(mask, dtype=bool)
    if not flags.any():
        return []
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _quarantine(row: pd.Series, check: str, detail: str) -> QuarantinedRow:
    raw: dict[str, Any] = {}
    for column, value in row.items():
        if column == "ts":
            raw["ts"] = None if pd.isna(value) else pd.Timestamp(value).isoformat()
        elif value is None or np.isnan(value):
            raw[str(column)] = None
        elif np.isinf(value):
            raw[str(column)] = "inf" if value > 0 else "-inf"
        else:
            raw[str(column)] = float(value)
    return QuarantinedRow(ts=_py(row["ts"]), check=check, detail=detail, raw=raw)


def _py(ts: Any) -> datetime | None:
    return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).to_pydatetime()
