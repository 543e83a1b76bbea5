"""An in-memory bar repository: the :class:`~trademind.data.bar_reader.BarReader` port without
a database, for tests of code that reads stored bars."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pandas as pd

from trademind.data.corporate import adjusted_frame
from trademind.data.schema import (
    BAR_COLUMNS,
    check_timeframe,
    conform_bar_frame,
    empty_bar_frame,
    normalise_symbol,
)
from trademind.data.store_types import Coverage

if TYPE_CHECKING:
    from collections.abc import Iterator

INGESTED_AT = datetime(2024, 1, 1, tzinfo=UTC)


class FakeBarRepository:
    """Bar frames by (symbol, timeframe), read as the database store reads them: filtered by
    ``start <= ts <= end``, oldest first, adjusted on request. ``reads`` records each read."""

    def __init__(self, ingested_at: datetime = INGESTED_AT) -> None:
        self._series: dict[tuple[str, str], pd.DataFrame] = {}
        self._ingested_at = ingested_at
        self.reads: list[tuple[str, str]] = []

    def add(self, symbol: str, timeframe: str, frame: pd.DataFrame) -> None:
        """Store ``frame`` (a bar frame; ``adj_close`` may be missing) as the whole series;
        bars already held at the same times are replaced."""
        key = (normalise_symbol(symbol), check_timeframe(timeframe))
        new = conform_bar_frame(frame)
        old = self._series.get(key)
        if old is not None:
            new = pd.concat([old.loc[~old["ts"].isin(new["ts"])], new])
        ordered = new.sort_values("ts", kind="stable").reset_index(drop=True)
        self._series[key] = ordered.loc[:, list(BAR_COLUMNS)]

    def series(self) -> Iterator[tuple[str, str]]:
        """Every (symbol, timeframe) held, sorted."""
        return iter(sorted(self._series))

    def read_bars(
        self,
        symbol: str,
        timeframe: str,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        adjusted: bool,
    ) -> pd.DataFrame:
        key = (normalise_symbol(symbol), check_timeframe(timeframe))
        self.reads.append(key)
        frame = self._series.get(key)
        if frame is None:
            return empty_bar_frame()
        keep = pd.Series(True, index=frame.index)
        if start is not None:
            keep &= frame["ts"] >= pd.Timestamp(start)
        if end is not None:
            keep &= frame["ts"] <= pd.Timestamp(end)
        return adjusted_frame(frame.loc[keep].reset_index(drop=True), use_adjusted=adjusted)

    def coverage(self, symbol: str, timeframe: str) -> Coverage | None:
        frame = self._series.get((normalise_symbol(symbol), check_timeframe(timeframe)))
        if frame is None or frame.empty:
            return None
        first, last = frame["ts"].iloc[0], frame["ts"].iloc[-1]
        return Coverage(
            first=first.to_pydatetime(),
            last=last.to_pydatetime(),
            rows=len(frame),
            last_ingested_at=self._ingested_at,
        )
