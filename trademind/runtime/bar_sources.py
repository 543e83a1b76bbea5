"""Where the trading loop's bars come from: :class:`BarBatch`, the :class:`BarSource` port and
:class:`ReplaySource` (stored bars through a simulated clock).

A batch is every symbol's bar of one timestamp. Bars of several symbols are merged in time order
exactly as the backtest engine orders its events (:func:`trademind.backtest.engine.prepare.
flatten`: a stable sort of the concatenated timestamps, so bars of one timestamp come in the
order the symbols were given). A bar covers ``[ts, ts + timeframe)`` (:class:`~trademind.core.
market.Bar`), so it closes at ``ts + timeframe``: the replay sets its clock there before it
hands the batch on.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

import numpy as np

from trademind.core.errors import ValidationError
from trademind.core.market import Bar, BarBatch

__all__ = [
    "BarBatch",
    "BarSource",
    "ReplaySource",
    "bar_length",
    "bars_from_arrays",
    "merge_in_time_order",
]
from trademind.data.providers.timestamps import STEPS
from trademind.runtime.pacing import SettableClock, Sleeper, Speed
from trademind.strategies.base import Bars

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BarSource(Protocol):
    """Yields batches in time order; ends when there are no more bars (or it is stopped)."""

    def batches(self) -> AsyncIterator[BarBatch]: ...


def bar_length(timeframe: str) -> timedelta:
    """How long a bar of ``timeframe`` lasts (``1d`` -> one day, ``5m`` -> five minutes)."""
    step = STEPS.get(timeframe)
    if step is None:
        raise ValidationError(f"unknown timeframe {timeframe!r} (known: {', '.join(STEPS)})")
    return timedelta(seconds=step.total_seconds())


def bars_from_arrays(bars: Bars, timeframe: str) -> list[Bar]:
    """One symbol's array bars as core :class:`Bar` objects (each checked)."""
    stamps = np.asarray(bars.ts).astype("datetime64[ns]").astype(np.int64)
    return [
        Bar(
            symbol=bars.symbol,
            timeframe=timeframe,
            ts=_EPOCH + timedelta(microseconds=int(stamp) // 1000),
            open=float(bars.open[i]),
            high=float(bars.high[i]),
            low=float(bars.low[i]),
            close=float(bars.close[i]),
            volume=float(bars.volume[i]),
        )
        for i, stamp in enumerate(stamps)
    ]


def merge_in_time_order(series: Sequence[Sequence[Bar]]) -> list[tuple[datetime, list[Bar]]]:
    """Bars of every series grouped by timestamp, oldest first, ties in the series' order
    (the engine's stable sort). Each series must be strictly increasing in time."""
    for bars in series:
        for earlier, later in itertools.pairwise(bars):
            if later.ts <= earlier.ts:
                raise ValidationError(
                    f"{later.symbol}: bar timestamps are not strictly increasing at "
                    f"{later.ts.isoformat()}"
                )
    flat = [bar for bars in series for bar in bars]
    order = sorted(range(len(flat)), key=lambda index: flat[index].ts)  # sorted() is stable
    groups: list[tuple[datetime, list[Bar]]] = []
    for index in order:
        bar = flat[index]
        if groups and groups[-1][0] == bar.ts:
            groups[-1][1].append(bar)
        else:
            groups.append((bar.ts, [bar]))
    return groups


class ReplaySource:
    """Stored bars replayed through a simulated clock at a chosen :class:`Speed`.

    ``bars`` maps each symbol to its bars (arrays or core Bars), in the order symbols trade.
    Before each batch the clock is set to the batch's close; at a multiple of real time the
    source first sleeps the simulated time since the previous close divided by the multiple.
    """

    def __init__(
        self,
        bars: Mapping[str, Bars | Sequence[Bar]],
        *,
        timeframe: str,
        clock: SettableClock,
        speed: Speed | None = None,
        sleeper: Sleeper | None = None,
    ) -> None:
        self._length = bar_length(timeframe)
        self._series = [self._checked(symbol, given, timeframe) for symbol, given in bars.items()]
        if not self._series:
            raise ValidationError("no symbols to replay")
        self._clock = clock
        self._speed = speed or Speed()
        if not self._speed.is_max and sleeper is None:
            raise ValidationError(f"a replay at {self._speed} needs a sleeper")
        self._sleeper = sleeper

    @staticmethod
    def _checked(symbol: str, given: Bars | Sequence[Bar], timeframe: str) -> list[Bar]:
        bars = bars_from_arrays(given, timeframe) if isinstance(given, Bars) else list(given)
        if not bars:
            raise ValidationError(f"{symbol}: no bars to replay")
        if any(bar.symbol != symbol or bar.timeframe != timeframe for bar in bars):
            raise ValidationError(f"{symbol}: every bar must be a {timeframe} bar of {symbol}")
        return bars

    async def batches(self) -> AsyncIterator[BarBatch]:
        previous: datetime | None = None
        for ts, bars in merge_in_time_order(self._series):
            closed_at = ts + self._length
            if previous is not None and self._sleeper is not None:
                pause = self._speed.pause(closed_at - previous)
                if pause > 0:
                    await self._sleeper.sleep(pause)
            self._clock.set_time(closed_at)
            previous = closed_at
            yield BarBatch(closed_at=closed_at, bars=tuple(bars))
