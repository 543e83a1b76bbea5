"""The periods `safety backtest` replays: named stress windows or ``--start``/``--end``, and
the bars before them that warm the strategy up.

A stress window is a name for a stretch of market history (:data:`STRESS_WINDOWS`); it is
replayed from the stored bars, never fetched: a window the store does not cover is an error
naming the missing range and the command that ingests it. ``--window`` and
``--start``/``--end`` exclude each other; neither replays every stored bar.

The trade service has no "feed without trading" start for a new session, so the replay
starts earlier: :func:`replay_start` is the bar ``warm-up`` bars (the strategy's
``warmup(params)``) before the window's first bar, so the strategy's first possible signal
falls on the window's first bar and nothing trades before it; only the window is reported.
The bars copied for the replay reach further back (:func:`history_start`) so the safety
layer's returns window (``safety.var.lookback_days`` trading days) is filled at the start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.core.errors import UsageError, ValidationError

if TYPE_CHECKING:
    from trademind.strategies.base import Bars


@dataclass(frozen=True, slots=True)
class StressWindow:
    name: str
    start: date
    end: date
    description: str


STRESS_WINDOWS: Final = (
    StressWindow("gfc-2008", date(2008, 9, 1), date(2009, 3, 31), "Lehman to the March 2009 low"),
    StressWindow(
        "flash-2010", date(2010, 5, 1), date(2010, 5, 31), "the 6 May 2010 flash crash month"
    ),
    StressWindow(
        "covid-2020", date(2020, 2, 1), date(2020, 4, 30), "the COVID-19 crash and rebound"
    ),
    StressWindow(
        "rates-2022", date(2022, 1, 1), date(2022, 10, 31), "the 2022 rate-hike bear market"
    ),
)
_BY_NAME: Final = {window.name: window for window in STRESS_WINDOWS}
COVERAGE_SLACK: Final = timedelta(days=7)
"""Stored bars may begin this long after a window's start (or end this long before its end)
and still cover it: weekends and holidays."""
TRADING_TO_CALENDAR: Final = 7.0 / 5.0
HISTORY_MARGIN_DAYS: Final = 30


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """The requested period: a named window, days, or None for the stored bars' edge."""

    name: str | None
    start: date | None
    end: date | None

    @property
    def label(self) -> str:
        first = "the first bar" if self.start is None else f"{self.start:%Y-%m-%d}"
        last = "the last bar" if self.end is None else f"{self.end:%Y-%m-%d}"
        window = f"{first}..{last}"
        return window if self.name is None else f"{self.name} ({window})"


def window_names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def resolve_span(window: str | None, start: date | None, end: date | None) -> Span:
    """The period asked for; usage errors for an unknown name, a name with dates, an end
    before the start."""
    if window is not None:
        if start is not None or end is not None:
            raise UsageError("--window and --start/--end exclude each other: give one or the other")
        found = _BY_NAME.get(window.strip().lower())
        if found is None:
            raise UsageError(
                f"unknown stress window {window!r} (known: {', '.join(window_names())})"
            )
        return Span(name=found.name, start=found.start, end=found.end)
    if start is not None and end is not None and end < start:
        raise UsageError(f"--end {end:%Y-%m-%d} is before --start {start:%Y-%m-%d}")
    return Span(name=None, start=start, end=end)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def history_start(span: Span, lookback_days: int, warmup_bars: int) -> date | None:
    """The first day of stored bars copied for the replay (None: all of them)."""
    if span.start is None:
        return None
    bars = max(lookback_days, warmup_bars)
    days = int(bars * TRADING_TO_CALENDAR) + HISTORY_MARGIN_DAYS
    return span.start - timedelta(days=days)


def _moment(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, UTC)


def check_coverage(
    span: Span, series: Sequence[Bars], timeframe: str, since: date | None = None
) -> None:
    """A ValidationError naming the first symbol whose stored bars do not cover ``span``."""
    for one in series:
        first, last = _moment(int(one.ts[0])), _moment(int(one.ts[-1]))
        late = span.start is not None and first - midnight(span.start) > COVERAGE_SLACK
        early = span.end is not None and midnight(span.end) - last > COVERAGE_SLACK
        if late or early:
            raise missing_range(span, one.symbol, timeframe, first, last, since)


def missing_range(  # noqa: PLR0917 - what the message names
    span: Span,
    symbol: str,
    timeframe: str,
    first: datetime,
    last: datetime,
    since: date | None = None,
) -> ValidationError:
    """The error for a span the stored bars do not cover; the ingest it names starts at
    ``since`` (the warm-up's first day) when given."""
    begin = since or span.start
    start = "" if begin is None else f" --start {begin:%Y-%m-%d}"
    end = "" if span.end is None else f" --end {span.end:%Y-%m-%d}"
    interval = "" if timeframe == "1d" else f" --interval {timeframe}"
    return ValidationError(
        f"{span.label} is not covered by the stored {timeframe} bars of {symbol} (they run "
        f"from {first:%Y-%m-%d} to {last:%Y-%m-%d}): ingest the missing range with "
        f"`trademind data ingest --symbols {symbol}{start}{end}{interval}`"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayPlan:
    """Where the replay starts, the reported window (``report_start <= ts < report_end``) and
    how many bars each symbol had before the window (fewer than the warm-up: a notice)."""

    replay_start: datetime
    report_start: datetime
    report_end: datetime
    short_warm_up: tuple[str, ...]


def replay_plan(span: Span, series: Sequence[Bars], warmup_bars: int) -> ReplayPlan:
    """The replay's first bar: ``warmup_bars`` bars before the window's first bar (module
    docstring); the window: the span, or the bars' first bar after the warm-up and last."""
    starts, short = [], []
    window_firsts = []
    for one in series:
        if span.start is None:
            first_in = min(warmup_bars, len(one.ts) - 1)
        else:
            first_in = int(np.searchsorted(one.ts, _ns(midnight(span.start)), side="left"))
        if first_in < warmup_bars:
            short.append(one.symbol)
        window_firsts.append(_moment(int(one.ts[min(first_in, len(one.ts) - 1)])))
        starts.append(_moment(int(one.ts[max(0, first_in - warmup_bars)])))
    report_start = midnight(span.start) if span.start is not None else min(window_firsts)
    if span.end is not None:
        report_end = midnight(span.end + timedelta(days=1))
    else:
        report_end = max(_moment(int(one.ts[-1])) for one in series) + timedelta(days=1)
    return ReplayPlan(
        replay_start=min(starts),
        report_start=report_start,
        report_end=report_end,
        short_warm_up=tuple(short),
    )


def _ns(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000) * 1000
