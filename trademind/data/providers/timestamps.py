"""Timestamp conventions shared by the providers.

* Daily and longer bars: ``ts`` is the session date (as the source wrote it, in the exchange's
  own calendar) at 00:00 UTC, never shifted by a timezone conversion.
* Intraday bars: ``ts`` is the bar's open time converted to UTC from the source's timezone.
"""

from __future__ import annotations

import re
import warnings
from typing import Final

import pandas as pd

from trademind.data.schema import INTRADAY_TIMEFRAMES

# A time of day followed by a UTC offset: "09:30:00-05:00", "14:30Z", "09:30:00 +0100".
OFFSET_SUFFIX: Final = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})$")
_OFFSET_ONLY: Final = r"\s*(?:Z|[+-]\d{2}:?\d{2})$"
# Cheap pre-checks on a whole column joined by newlines (a literal first character is fast).
_MAYBE_OFFSET: Final = (re.compile(r"-\d\d:?\d\d(?:\n|\Z)"), re.compile(r"\+\d\d:?\d\d(?:\n|\Z)"))

_DATE_FORMATS: Final = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d.%m.%Y",
    "%d-%m-%Y",
)
_TIME_FORMATS: Final = ("", " %H:%M", " %H:%M:%S", " %H%M%S", " %H%M")
_FORMAT_SAMPLE: Final = 2000

STEPS: Final = {
    "1m": pd.Timedelta(minutes=1),
    "2m": pd.Timedelta(minutes=2),
    "5m": pd.Timedelta(minutes=5),
    "15m": pd.Timedelta(minutes=15),
    "30m": pd.Timedelta(minutes=30),
    "60m": pd.Timedelta(minutes=60),
    "1h": pd.Timedelta(minutes=60),
    "90m": pd.Timedelta(minutes=90),
    "1d": pd.Timedelta(days=1),
    "1wk": pd.Timedelta(days=7),
}


def is_intraday(timeframe: str) -> bool:
    return timeframe in INTRADAY_TIMEFRAMES


def session_dates_utc(stamps: pd.Series) -> pd.Series:
    """Wall-clock dates of naive or aware timestamps, as 00:00 UTC (the daily-bar convention)."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)
    dates: pd.Series = stamps.dt.normalize().dt.tz_localize("UTC")
    return dates.astype("datetime64[ns, UTC]")


def stripped(text: pd.Series) -> pd.Series:
    """``text.str.strip()``, skipped (it is slow on a million rows) when nothing needs it."""
    joined = "\n".join(text)
    edges = (" \n", "\n ", "\t")
    if any(edge in joined for edge in edges) or joined[:1] == " " or joined[-1:] == " ":
        return text.str.strip()
    return text


def offset_rows(text: pd.Series) -> pd.Series:
    """True for the values that end in a UTC offset; one scan of the column when none does."""
    joined = "\n".join(text)
    maybe = "Z" in joined or "z" in joined or any(p.search(joined) for p in _MAYBE_OFFSET)
    if not maybe:
        return pd.Series(False, index=text.index)
    return text.str.contains(OFFSET_SUFFIX.pattern, regex=True, case=False)


def strip_offsets(text: pd.Series) -> pd.Series:
    """Remove a trailing UTC offset ("-05:00", "Z") so the wall-clock time remains."""
    return text.str.replace(_OFFSET_ONLY, "", regex=True, flags=re.IGNORECASE)


def parse_naive(text: pd.Series) -> pd.Series:
    """Parse date/time strings without offsets; NaT where a value does not parse.

    ISO 8601 first (``2013-01-02``, ``2013-01-02 09:30:00``); if most values fail, the explicit
    format among common ones (``01/02/2013``, ``20130102``, ``02.01.2013`` with optional
    times) that parses most of the first rows is used for the whole column.
    """
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    present = text.ne("")
    failed = parsed.isna() & present
    if failed.sum() * 2 <= present.sum():
        return parsed
    sample = text[present].head(_FORMAT_SAMPLE)
    best_format, best_count = None, int((~parsed[present].head(_FORMAT_SAMPLE).isna()).sum())
    for date_format in _DATE_FORMATS:
        for time_format in _TIME_FORMATS:
            fmt = date_format + time_format
            count = int(pd.to_datetime(sample, format=fmt, errors="coerce").notna().sum())
            if count > best_count:
                best_format, best_count = fmt, count
    if best_format is None:
        return parsed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(text, format=best_format, errors="coerce")


def parse_with_offsets(text: pd.Series) -> pd.Series:
    """Parse strings that all carry UTC offsets into UTC timestamps (NaT where unparsable)."""
    parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    return parsed.astype("datetime64[ns, UTC]")


def timeframe_of_step(step: pd.Timedelta) -> str | None:
    """The timeframe whose bar spacing is ``step`` (``5m`` for five minutes), if any."""
    for name, value in STEPS.items():
        if value == step and name != "60m":
            return name
    if pd.Timedelta(days=28) <= step <= pd.Timedelta(days=31):
        return "1mo"
    return None


def modal_step(ts: pd.Series) -> pd.Timedelta | None:
    """The most common spacing between consecutive distinct timestamps (None below 3 bars)."""
    unique = pd.Series(ts.dropna().unique()).sort_values()
    if len(unique) < 3:
        return None
    steps = unique.diff().dropna()
    steps = steps[steps > pd.Timedelta(0)]
    if steps.empty:
        return None
    return pd.Timedelta(steps.mode().iloc[0])


def step_matches(timeframe: str, step: pd.Timedelta) -> bool:
    """True when a series spaced ``step`` apart is plausibly of ``timeframe``."""
    if timeframe == "1mo":
        return pd.Timedelta(days=28) <= step <= pd.Timedelta(days=31)
    if timeframe == "5d":
        return pd.Timedelta(days=5) <= step <= pd.Timedelta(days=7)
    return STEPS[timeframe] == step


def describe_step(step: pd.Timedelta) -> str:
    """``5 minutes``, ``1 day``, ``7 days``, ``2 hours 30 minutes`` for messages."""
    minutes = int(step.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{count} {unit}{'s' if count != 1 else ''}" for count, unit in parts if count]
    return " ".join(words) or f"{step.total_seconds():g} seconds"
