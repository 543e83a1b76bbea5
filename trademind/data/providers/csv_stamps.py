"""Timestamps of CSV rows: one date (and time) text per row to a UTC ``ts``, with reasons.

Daily files: the written date at 00:00 UTC (an offset, if any, is ignored: the date is the
session). Intraday files: rows with a UTC offset are converted with it; rows without one are
local times in the provider's ``timezone``. A file mixing rows with and without offsets keeps
the majority and rejects the others ("mixed timezones"). The file's timeframe is checked
against the requested one (times of day in a daily request, dates only in an intraday request,
the most common spacing between bars).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from trademind.core.errors import ValidationError
from trademind.data.providers import timestamps

REPEATED_HEADER: Final = "repeated header row"


def parse_stamps(
    table: pd.DataFrame,
    columns: dict[str, str],
    *,
    timeframe: str,
    timezone: str,
    name: str,
    reasons: dict[int, list[str]],
) -> pd.Series:
    """UTC timestamps per row (NaT where rejected); adds the reasons of failed rows."""
    stamp_column = columns.get("ts", columns.get("date", ""))
    text = timestamps.stripped(table[stamp_column])
    if "time" in columns:
        time_text = timestamps.stripped(table[columns["time"]])
        text = (text + " " + time_text).where(time_text.ne(""), text)
    text = text.reset_index(drop=True)
    present = text.ne("")
    has_offset = timestamps.offset_rows(text)
    usable = _reject_mixed_offsets(text, present, has_offset, reasons)
    if timestamps.is_intraday(timeframe):
        _check_times_present(text, present, timeframe, name)
        ts = _intraday_stamps(text, usable, has_offset, timezone, reasons)
    else:
        ts = _daily_stamps(text, usable, has_offset, reasons, name=name, timeframe=timeframe)
    header_names = {column.lower() for column in table.columns}
    failed = np.flatnonzero((ts.isna() & usable).to_numpy())
    for position in failed.tolist():
        if position in reasons:
            continue
        value = text.iloc[position]
        if not value:
            reasons[position] = ["missing date"]
        elif value.split(" ")[0].lower() in header_names:
            reasons[position] = [REPEATED_HEADER]
        else:
            reasons[position] = [f"unparsable date {value!r}"]
    return ts


def _reject_mixed_offsets(
    text: pd.Series, present: pd.Series, has_offset: pd.Series, reasons: dict[int, list[str]]
) -> pd.Series:
    with_offset = int((present & has_offset).sum())
    without_offset = int((present & ~has_offset).sum())
    if not with_offset or not without_offset:
        return pd.Series(True, index=text.index)
    keep_offsets = with_offset >= without_offset
    minority = present & (has_offset != keep_offsets)
    reason = (
        "timestamp has no UTC offset while the file's other rows have one (mixed timezones)"
        if keep_offsets
        else "timestamp has a UTC offset while the file's other rows have none (mixed timezones)"
    )
    for position in np.flatnonzero(minority.to_numpy()).tolist():
        reasons[position] = [reason]
    return ~minority


def _daily_stamps(
    text: pd.Series,
    usable: pd.Series,
    has_offset: pd.Series,
    reasons: dict[int, list[str]],
    *,
    name: str,
    timeframe: str,
) -> pd.Series:
    wall_text = timestamps.strip_offsets(text) if bool(has_offset.any()) else text
    parsed = timestamps.parse_naive(wall_text.where(usable, ""))
    with_time = (parsed.notna() & (parsed != parsed.dt.normalize())).to_numpy()
    if with_time.sum() * 2 > int(parsed.notna().sum()):
        example = text.iloc[int(np.argmax(with_time))]
        raise ValidationError(
            f"{name} holds intraday bars (e.g. {example!r}), not {timeframe} bars: "
            "request an intraday interval such as 5m"
        )
    for position in np.flatnonzero(with_time).tolist():
        reasons[position] = [f"time of day in a daily file: {text.iloc[position]!r}"]
    parsed = parsed.where(~with_time)
    return timestamps.session_dates_utc(parsed)


def _intraday_stamps(
    text: pd.Series,
    usable: pd.Series,
    has_offset: pd.Series,
    timezone: str,
    reasons: dict[int, list[str]],
) -> pd.Series:
    ts = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    aware = usable & has_offset
    if aware.any():
        ts[aware] = timestamps.parse_with_offsets(text[aware])
    naive = usable & ~has_offset
    if naive.any():
        wall = timestamps.parse_naive(text[naive])
        local = wall.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
        lost = wall.notna() & local.isna()
        for position in np.flatnonzero(lost.to_numpy()).tolist():
            index = wall.index[position]
            reasons[index] = [
                f"local time {text.iloc[index]!r} is ambiguous or does not exist in "
                f"{timezone} (daylight-saving change)"
            ]
        ts[naive] = local.dt.tz_convert("UTC")
    return ts


def _check_times_present(text: pd.Series, present: pd.Series, timeframe: str, name: str) -> None:
    """An intraday request on a file of dates only (no ':' anywhere) is the wrong interval."""
    if int(present.sum()) >= 2 and ":" not in "\n".join(text):
        raise ValidationError(
            f"{name} holds daily bars (dates without times), not {timeframe} bars: request 1d"
        )


def check_cadence(ts: pd.Series, timeframe: str, name: str) -> None:
    step = timestamps.modal_step(ts)
    if step is None or timestamps.step_matches(timeframe, step):
        return
    found = timestamps.timeframe_of_step(step)
    spacing = timestamps.describe_step(step)
    holds = f"{found} bars" if found else "bars"
    raise ValidationError(
        f"{name} holds {holds} (most common spacing {spacing}), not {timeframe} bars: "
        f"request {found or 'the matching interval'}"
    )
