"""The across-bar price checks of ``data verify``: implausible returns, splits, outliers, wicks.

Split-like gaps (:func:`trademind.data.corporate.detect_unadjusted_splits`) are cross-checked
with the splits the source reports before anything is called a split: a gap on the date and
ratio of a reported split is an ``unadjusted_split``; a split-like gap on a source that reports
splits but none there is *not* a split (the return checks judge it like any other gap, e.g. a
+50% take-over); without a split list (CSV, the sample, stored bars) it is a *possible*
unadjusted split to check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from trademind.data.corporate import ReportedSplit, detect_unadjusted_splits, reported_split_for
from trademind.data.plausibility import implausible_closes, persistent_jumps
from trademind.data.schema import PRICE_COLUMNS

SPIKE_LOG_RETURN: Final = 0.25  # |log return| floor of a spike that reverses on the next bar
LONE_LOG_RETURN: Final = 0.7  # |log return| floor of a single jump (about +101% / -50%)
SPIKE_SIGMAS: Final = 10.0  # ... and at least this many robust standard deviations
LONE_SIGMAS: Final = 20.0
WICK_LOG: Final = 0.25  # high above max(open, close) or low below min(open, close), in log
WICK_RANGES: Final = 15.0  # ... and at least this many median bar ranges

Finding = tuple[str, pd.Timestamp | None, str]


def return_findings(
    bars: pd.DataFrame, *, max_ratio: float, splits: Sequence[ReportedSplit] | None
) -> list[Finding]:
    """Every across-bar price finding of ``bars`` (sorted, finite plausible prices)."""
    found: list[Finding] = []
    spikes, medians = implausible_closes(bars, max_ratio=max_ratio, splits=splits)
    jumps = persistent_jumps(bars, spikes, max_ratio=max_ratio, splits=splits)
    close = bars["close"].to_numpy(dtype=np.float64)
    for position in np.flatnonzero(spikes).tolist():
        detail = (
            f"close {close[position]:g} is {ratio_text(close[position], medians[position])} "
            f"the median close {medians[position]:g} of the bars around it"
        )
        found.append(("implausible_return", stamp(bars["ts"].iloc[position]), detail))
    previous = np.flatnonzero(~spikes)
    for position in np.flatnonzero(jumps).tolist():
        before = close[previous[previous < position][-1]]
        detail = (
            f"close {close[position]:g} is {percent(close[position] / before)} from {before:g} "
            "and stays at the new level: a data error or a split the source did not adjust; check"
        )
        found.append(("implausible_return", stamp(bars["ts"].iloc[position]), detail))
    flagged = {stamp(bars["ts"].iloc[p]) for p in np.flatnonzero(spikes | jumps).tolist()}
    split_found = _split_findings(bars, splits)
    found.extend(split_found)
    flagged |= {item[1] for item in split_found}
    found.extend(item for item in _outlier_findings(bars) if item[1] not in flagged)
    found.extend(_wick_findings(bars))
    return found


def _split_findings(bars: pd.DataFrame, splits: Sequence[ReportedSplit] | None) -> list[Finding]:
    found: list[Finding] = []
    for suspect in detect_unadjusted_splits(bars):
        moment = pd.Timestamp(suspect.ts)
        gap = _gap_text(bars, moment, suspect.ratio)
        if splits is None:
            detail = (
                f"possible unadjusted {suspect.nearest} split: {gap} "
                "(the source reports no splits; check)"
            )
        else:
            reported = reported_split_for(suspect, splits)
            if reported is None:
                continue  # the source reports splits, none here: not a split
            detail = (
                f"unadjusted {reported.label} split the source reports on {day(moment)}: {gap}; "
                "the bars before it are not adjusted (re-ingest the symbol)"
            )
        found.append(("unadjusted_split", moment, detail))
    return found


def _gap_text(bars: pd.DataFrame, moment: pd.Timestamp, ratio: float) -> str:
    position = int(np.flatnonzero((bars["ts"] == moment).to_numpy())[0])
    before, after = bars["close"].iloc[position - 1], bars["open"].iloc[position]
    return f"close {before:g} then open {after:g} (ratio {ratio:.3f})"


def _outlier_findings(bars: pd.DataFrame) -> list[Finding]:
    if len(bars) < 3:
        return []
    close = bars["close"].to_numpy(dtype=np.float64)
    log_return = np.concatenate(([np.nan], np.diff(np.log(close))))
    deviation = np.nanmedian(np.abs(log_return - np.nanmedian(log_return)))
    sigma = 1.4826 * float(deviation)
    spike = max(SPIKE_LOG_RETURN, SPIKE_SIGMAS * sigma)
    lone = max(LONE_LOG_RETURN, LONE_SIGMAS * sigma)
    size = np.nan_to_num(np.abs(log_return))
    following = np.concatenate((log_return[1:], [np.nan]))
    reverses = (size >= spike) & (np.nan_to_num(np.abs(following)) >= spike)
    reverses &= np.sign(log_return) != np.sign(following)
    after_spike = np.concatenate(([False], reverses[:-1]))
    jumps = (size >= lone) & ~reverses & ~after_spike
    found: list[Finding] = []
    for position in np.flatnonzero(reverses | jumps).tolist():
        before, now = close[position - 1], close[position]
        change = f"close {now:g} is {percent(now / before)} from {before:g}"
        detail = f"{change} and reverses on the next bar" if reverses[position] else change
        found.append(("return_outlier", stamp(bars["ts"].iloc[position]), detail))
    return found


def _wick_findings(bars: pd.DataFrame) -> list[Finding]:
    if bars.empty:
        return []
    o, h, lo, c = (bars[column].to_numpy(dtype=np.float64) for column in PRICE_COLUMNS)
    body_high, body_low = np.maximum(o, c), np.minimum(o, c)
    upper, lower = np.log(h / body_high), np.log(body_low / lo)
    threshold = max(WICK_LOG, WICK_RANGES * float(np.median(np.log(h / lo))))
    found: list[Finding] = []
    for position in np.flatnonzero((upper >= threshold) | (lower >= threshold)).tolist():
        if upper[position] >= threshold:
            ratio = h[position] / body_high[position]
            detail = f"high {h[position]:g} is {percent(ratio)} above max(open, close)"
        else:
            ratio = lo[position] / body_low[position]
            detail = f"low {lo[position]:g} is {percent(ratio)} below min(open, close)"
        found.append(("wick_outlier", stamp(bars["ts"].iloc[position]), detail))
    return found


def ratio_text(value: float, reference: float) -> str:
    """``"25.0x"`` above or ``"1/25.0"`` of a reference, for far-off values."""
    ratio = value / reference
    return f"{ratio:.1f} times" if ratio >= 1 else f"1/{1 / ratio:.1f} of"


def stamp(value: Any) -> pd.Timestamp | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value)


def day(moment: pd.Timestamp) -> str:
    return f"{moment:%Y-%m-%d}"


def when(moment: Any) -> str:
    moment = pd.Timestamp(moment)
    if moment.hour == moment.minute == moment.second == 0:
        return day(moment)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def percent(ratio: float) -> str:
    return f"{(ratio - 1) * 100:+.0f}%"
