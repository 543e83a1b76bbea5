"""What an ingest fetches: the time window asked for, the requests of an incremental fetch,
and their results merged into one (for :mod:`trademind.services.data_service`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from trademind.core.errors import UsageError, ValidationError
from trademind.data.corporate import ReportedSplit
from trademind.data.providers import BarProvider
from trademind.data.providers.base import BarRequest, NoDataError, ProviderResult, RejectedRow
from trademind.data.quality import QuarantinedRow
from trademind.data.store import Coverage

LAST_YEAR = 9999
"""Dates in year 9999 are refused: the window adds a day to ``--end``, past the calendar."""
UNPARSABLE = "unparsable"


@dataclass(frozen=True)
class Window:
    """The time range asked for: ``start <= ts < end`` (None: unbounded)."""

    start: datetime | None
    end: datetime | None


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _moment(value: date | datetime, name: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError(f"{name} {value.isoformat()} must be timezone-aware")
        return value.astimezone(UTC)
    return _midnight(value)


def check_window_options(
    *, start: date | datetime | None, end: date | datetime | None, days: int | None
) -> None:
    """What ``--start``/``--end``/``--days`` get wrong by themselves, before any data is read:
    a :class:`UsageError` (exit 2)."""
    if days is not None and start is not None:
        raise UsageError("give either --days or --start, not both")
    if days is not None and days <= 0:
        raise UsageError(f"--days must be a positive number of days, got {days}")
    for option, day in (("--start", start), ("--end", end)):
        if day is not None and day.year >= LAST_YEAR:
            raise UsageError(f"{option} {day:%Y-%m-%d} is out of range: use a year before 9999")
    if start is not None and end is not None and _day(start) > _day(end):
        raise UsageError(f"--start {start} is after --end {end}")


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def resolve_window(
    *,
    start: date | datetime | None,
    end: date | datetime | None,
    days: int | None,
    now: datetime,
    default_days: int | None,
) -> Window:
    """``--start/--end`` (dates: whole days, ``end`` included) or ``--days N`` (the last N
    calendar days up to ``end`` or now); ``default_days`` when neither start nor days."""
    check_window_options(start=start, end=end, days=days)
    if isinstance(end, datetime):
        end_at: datetime | None = _moment(end, "--end")
    else:
        end_at = None if end is None else _midnight(end) + timedelta(days=1)
    span = days if days is not None else (default_days if start is None else None)
    if span is not None:
        reference = (end_at - timedelta(days=1)).date() if end_at else now.astimezone(UTC).date()
        start_at: datetime | None = _midnight(reference - timedelta(days=span))
    else:
        start_at = None if start is None else _moment(start, "--start")
    if start_at is not None and end_at is not None and start_at >= end_at:
        raise UsageError(f"--start {start} is after --end {end}")
    return Window(start_at, end_at)


def plan_requests(
    symbol: str, timeframe: str, window: Window, coverage: Coverage | None
) -> list[BarRequest]:
    """The requests of an incremental fetch: only what lies before the first stored bar and
    from the last stored bar on (the last bar is fetched again: it may have been partial)."""
    if coverage is None:
        return [BarRequest(symbol, timeframe, window.start, window.end)]
    requests = []
    if window.start is None or window.start < coverage.first:
        before_end = coverage.first if window.end is None else min(coverage.first, window.end)
        if window.start is None or window.start < before_end:
            requests.append(BarRequest(symbol, timeframe, window.start, before_end))
    after_start = coverage.last if window.start is None else max(coverage.last, window.start)
    if window.end is None or after_start < window.end:
        requests.append(BarRequest(symbol, timeframe, after_start, window.end))
    return requests


def _fetch_one(provider: BarProvider, request: BarRequest) -> ProviderResult:
    """One request's result; an answer without bars or rejected rows is NoDataError."""
    result = provider.fetch(request)
    if result.bars.empty and not result.rejected:
        raise NoDataError(
            f"{request.symbol}: the {provider.name} source returned no bars for "
            f"{request.describe_range()}",
            request.symbol,
        )
    return result


def fetch_all(
    provider: BarProvider, requests: Sequence[BarRequest], *, stored: bool
) -> ProviderResult | None:
    """Every request's result merged; None when nothing new exists (and bars are stored)."""
    results: list[ProviderResult] = []
    for request in requests:
        try:
            results.append(_fetch_one(provider, request))
        except NoDataError:
            if not stored:
                raise
    if not results:
        return None
    frames = [result.bars for result in results if not result.bars.empty]
    bars = pd.concat(frames, ignore_index=True) if frames else results[0].bars
    return ProviderResult(
        symbol=results[0].symbol,
        timeframe=results[0].timeframe,
        source=results[0].source,
        bars=bars,
        rejected=tuple(row for result in results for row in result.rejected),
        notices=tuple(dict.fromkeys(n for result in results for n in result.notices)),
        splits=_merged_splits(results),
    )


def _merged_splits(results: Sequence[ProviderResult]) -> tuple[ReportedSplit, ...] | None:
    """Every result's reported splits once (None when no result's source reports splits)."""
    lists = [result.splits for result in results if result.splits is not None]
    if not lists:
        return None
    return tuple(dict.fromkeys(split for splits in lists for split in splits))


def unparsable_row(row: RejectedRow) -> QuarantinedRow:
    """A row the provider could not parse, as a quarantine entry (check ``unparsable``)."""
    where = f"line {row.line}" if row.line is not None else "unknown line"
    return QuarantinedRow(ts=None, check=UNPARSABLE, detail=f"{where}: {row.reason}", raw=row.raw)
