"""Vectorised conversions between bar frames and what the databases store.

The bulk paths of the store never build a Python object per bar on their own: timestamps and
prices are converted column by column with numpy, and only the driver's final parameter lists
hold per-value Python objects.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from trademind.core.errors import ValidationError
from trademind.data.schema import BAR_COLUMNS, PRICE_COLUMNS, conform_bar_frame

VALUE_COLUMNS: Final = BAR_COLUMNS[1:]
"""open, high, low, close, volume, adj_close: the columns an upsert compares and replaces."""

SQLITE_TIMESTAMP_FORMAT: Final = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy's SQLite ``DATETIME`` (and so :class:`~trademind.db.types.UtcDateTime`)
stores a timestamp: the UTC wall time with microseconds, e.g. ``2024-01-02 00:00:00.000000``."""

_MICROS_PER_DAY: Final = 86_400_000_000
_MICROS_PER_SECOND: Final = 1_000_000
_SOURCE = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,31}$")


def check_source(source: str) -> str:
    """A provider label as stored in ``market_data.source`` (lower-case, at most 32 chars)."""
    if not _SOURCE.match(source):
        raise ValidationError(
            f"invalid data source label {source!r}: lower-case letters, digits, '_', '.', '-'"
        )
    return source


def prepare_bars(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame conformed to the bar schema and checked for what the store cannot hold.

    Rejects duplicate timestamps and missing or infinite prices or volumes (screening bad rows
    is :mod:`trademind.data.quality`'s job; this guard keeps a skipped screen from storing
    garbage). ``adj_close`` may be NaN (stored as NULL). Rows come back sorted by ``ts``.
    """
    bars = conform_bar_frame(frame, copy=False)  # the store only reads it
    if not bars["ts"].is_unique:
        duplicated = bars.loc[bars["ts"].duplicated(), "ts"].iloc[0]
        raise ValidationError(f"bar frame has duplicate timestamps (first: {duplicated})")
    for column in (*PRICE_COLUMNS, "volume"):
        if not np.isfinite(bars[column].to_numpy()).all():
            raise ValidationError(f"bar frame has missing or infinite values in {column!r}")
    if np.isinf(bars["adj_close"].to_numpy()).any():
        raise ValidationError("bar frame has an infinite adj_close")
    if not bars["ts"].is_monotonic_increasing:
        bars = bars.sort_values("ts", kind="stable").reset_index(drop=True)
    return bars


def epoch_micros(ts: pd.Series) -> npt.NDArray[np.int64]:
    """Microseconds since 1970-01-01 UTC of a ``datetime64[ns, UTC]`` column (floored)."""
    nanos = ts.dt.tz_convert("UTC").array.asi8
    return np.asarray(nanos, dtype=np.int64) // 1000


def sqlite_timestamps(micros: npt.NDArray[np.int64]) -> npt.NDArray[np.object_]:
    """UTC epoch microseconds as SQLite timestamp text, exactly as UtcDateTime writes it.

    Bars repeat few distinct days and few distinct times of day, so each distinct day and
    time is formatted once and the two parts are joined per bar.
    """
    if micros.size == 0:
        return np.empty(0, dtype=object)
    days, times = np.divmod(micros, _MICROS_PER_DAY)
    unique_days, day_index = np.unique(days, return_inverse=True)
    unique_times, time_index = np.unique(times, return_inverse=True)
    day_text = np.datetime_as_string(unique_days.astype("datetime64[D]"), unit="D").astype(object)
    time_text = np.array([_time_of_day(int(t)) for t in unique_times], dtype=object)
    joined: npt.NDArray[np.object_] = day_text[day_index] + time_text[time_index]  # str + str
    return joined


def _time_of_day(micros: int) -> str:
    seconds, fraction = divmod(micros, _MICROS_PER_SECOND)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f" {hours:02d}:{minutes:02d}:{secs:02d}.{fraction:06d}"


def sqlite_timestamp(moment: datetime) -> str:
    """One aware datetime as SQLite timestamp text (see :func:`sqlite_timestamps`)."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime(SQLITE_TIMESTAMP_FORMAT)


def as_utc(value: datetime | date | pd.Timestamp, *, what: str) -> datetime:
    """An aware UTC datetime; a plain date means its 00:00 UTC (how daily bars are keyed)."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError(f"{what} {value.isoformat()} must be timezone-aware")
        moment = value.astimezone(UTC)
        return moment.to_pydatetime() if isinstance(moment, pd.Timestamp) else moment
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def frame_from_columns(micros: npt.ArrayLike, values: dict[str, npt.ArrayLike]) -> pd.DataFrame:
    """A bar frame from epoch microseconds and the value columns (NULL adj_close -> NaN)."""
    ts = pd.to_datetime(np.asarray(micros, dtype=np.int64), unit="us", utc=True)
    frame = pd.DataFrame({"ts": ts.astype("datetime64[ns, UTC]")})
    for column in VALUE_COLUMNS:
        frame[column] = pd.to_numeric(pd.Series(values[column]), errors="coerce").astype("float64")
    return frame


def parse_sqlite_timestamps(texts: list[str]) -> npt.NDArray[np.int64]:
    """SQLite timestamp text back to UTC epoch microseconds."""
    if not texts:
        return np.empty(0, dtype=np.int64)
    parsed = pd.to_datetime(pd.Series(texts), format=SQLITE_TIMESTAMP_FORMAT, utc=True)
    return np.asarray(parsed.array.asi8, dtype=np.int64) // 1000  # type: ignore[attr-defined]
