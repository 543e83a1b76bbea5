"""Where the risk rules read daily returns: :class:`ReturnsHistory` implementations.

- :class:`AlignedReturns`: returns already aligned on common days (one array per symbol, equal
  lengths, oldest first, NaN where a symbol has no return), e.g. computed by a backtest or given
  by a test (:func:`trademind.testing.safety.fake_returns`).
- :class:`StoredDailyReturns`: daily closes from the bar store (the
  :class:`~trademind.data.bar_reader.BarReader` port), point in time: ``as_of(at)`` sees only
  the daily bars closed by ``at``. A bar covers ``[ts, ts + 1 day)``, so the bar stamped ``ts``
  is used when ``ts + 1 day <= at``: a decision during a session never sees that session's
  close. Returns are simple close-to-close returns of the adjusted close (the split- and
  dividend-adjusted read of the store), on the union of the symbols' stored days; a symbol
  without a bar on a day has no return that day nor the next (never filled in).

Both keep the :class:`~trademind.safety.risk_math.ReturnsWindow` objects they built (a small
cache keyed by the symbols, days and ``min_days``), so that the risk rules, which all ask for the
same symbols, share one window per bar: the covariance and correlation matrices are computed
once per bar, not once per rule and order. ``StoredDailyReturns.as_of`` returns the same view
for the same decision time, so the cache lives as long as the bar.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from trademind.data.bar_reader import BarReader
from trademind.safety.risk_math import FloatArray, ReturnsWindow

DAILY = "1d"
WINDOW_CACHE_SIZE = 8


class WindowCache:
    """The last ``size`` windows built, by key (oldest evicted first)."""

    def __init__(self, size: int = WINDOW_CACHE_SIZE) -> None:
        self._size = size
        self._windows: dict[Hashable, ReturnsWindow] = {}

    def get(self, key: Hashable, build: Callable[[], ReturnsWindow]) -> ReturnsWindow:
        found = self._windows.get(key)
        if found is None:
            found = build()
            if len(self._windows) >= self._size:
                del self._windows[next(iter(self._windows))]
            self._windows[key] = found
        return found


def _finite_tail(column: FloatArray, days: int) -> list[float]:
    tail = column[-days:] if days > 0 else column[:0]
    return [float(x) for x in tail if np.isfinite(x)]


class AlignedReturns:
    """Daily returns on common days: ``columns`` maps a symbol to its returns, oldest first,
    all of one length (NaN where the symbol has none). A symbol not given has no returns (a
    column of NaN: the window excludes it with the reason)."""

    def __init__(self, columns: Mapping[str, Sequence[float] | FloatArray]) -> None:
        arrays = {name: np.asarray(values, dtype=np.float64) for name, values in columns.items()}
        lengths = {array.shape for array in arrays.values()}
        if len(lengths) > 1 or any(len(shape) != 1 for shape in lengths):
            raise ValueError(f"aligned returns need 1-D columns of one length, got {lengths}")
        self._columns = arrays
        self._days = next(iter(lengths))[0] if lengths else 0
        self._cache = WindowCache()

    def _column(self, symbol: str) -> FloatArray:
        found = self._columns.get(symbol)
        return found if found is not None else np.full(self._days, np.nan)

    def daily_returns(self, symbols: Sequence[str], days: int) -> Mapping[str, Sequence[float]]:
        return {symbol: _finite_tail(self._column(symbol), days) for symbol in symbols}

    def window(self, symbols: Sequence[str], days: int, min_days: int) -> ReturnsWindow:
        def build() -> ReturnsWindow:
            start = max(0, self._days - days)
            matrix = np.column_stack([self._column(s)[start:] for s in symbols])
            return ReturnsWindow.build(symbols, matrix.reshape(-1, len(symbols)), min_days=min_days)

        return self._cache.get((tuple(symbols), days, min_days), build)


class DailyCloses:
    """Each symbol's stored daily closes, read once and kept (a session asks at every bar).

    The first ask of a symbol reads all its stored daily bars; a later ask at a time beyond the
    newest bar kept (a paper session: new daily bars may have been stored since) reads the bars
    after it again, at most once per new day asked about. Reads go through the
    :class:`~trademind.data.bar_reader.BarReader` port; slicing at a time is the caller's."""

    def __init__(self, reader: BarReader, *, adjusted: bool) -> None:
        self._reader = reader
        self._adjusted = adjusted
        self._series: dict[str, pd.Series] = {}
        self._asked: dict[str, datetime] = {}

    def up_to(self, symbol: str, end: datetime) -> pd.Series:
        """The closes of bars stamped at or before ``end``, oldest first (ts index)."""
        series = self._series.get(symbol)
        if series is None:
            series = self._read(symbol, None)
        elif self._stale(symbol, series, end):
            last = None if series.empty else series.index[-1]
            newer = self._read(symbol, last)
            if last is not None:
                newer = newer[newer.index > last]
            series = newer if series.empty else pd.concat([series, newer])
        self._series[symbol] = series
        self._asked[symbol] = max(end, self._asked.get(symbol, end))
        return series[series.index <= end]

    def _stale(self, symbol: str, series: pd.Series, end: datetime) -> bool:
        """Whether bars after the newest kept one may matter at ``end`` and were not looked
        for on ``end``'s day yet."""
        newest_needed = series.empty or series.index[-1] < end
        return newest_needed and end.date() > self._asked[symbol].date()

    def _read(self, symbol: str, after: pd.Timestamp | None) -> pd.Series:
        start = None if after is None else after.to_pydatetime()
        frame = self._reader.read_bars(symbol, DAILY, start, None, adjusted=self._adjusted)
        return pd.Series(
            frame["close"].to_numpy(dtype=np.float64), index=pd.DatetimeIndex(frame["ts"])
        )


class StoredDailyReturns:
    """Daily returns from the bar store, point in time; ``as_of(at)`` is the history one
    decision time sees (the same object while ``at`` does not change). The closes are read
    once per symbol (:class:`DailyCloses`) and sliced at each time."""

    def __init__(self, reader: BarReader, *, adjusted: bool = True) -> None:
        self._closes = DailyCloses(reader, adjusted=adjusted)
        self._current: PointInTimeReturns | None = None

    def as_of(self, at: datetime) -> PointInTimeReturns:
        current = self._current
        if current is None or current.at != at:
            current = PointInTimeReturns(self._closes, at)
            self._current = current
        return current


class PointInTimeReturns:
    """Daily returns known at ``at``: bars with ``ts + 1 day <= at`` (see the module)."""

    def __init__(self, closes: DailyCloses, at: datetime) -> None:
        self.at = at
        self._all = closes
        self._closes: dict[tuple[str, int], pd.Series] = {}
        self._cache = WindowCache()

    def _closes_of(self, symbol: str, days: int) -> pd.Series:
        key = (symbol, days)
        found = self._closes.get(key)
        if found is None:
            end = self.at - timedelta(days=1)
            found = self._all.up_to(symbol, end).iloc[-(days + 1) :]
            self._closes[key] = found
        return found

    def returns_frame(self, symbols: Sequence[str], days: int) -> pd.DataFrame:
        """Days x symbols of simple returns on the union of stored days, the last ``days``."""
        closes = pd.concat({s: self._closes_of(s, days) for s in symbols}, axis=1, sort=True)
        returns = closes.pct_change(fill_method=None).iloc[1:]
        return returns.iloc[-days:].reindex(columns=list(symbols))

    def daily_returns(self, symbols: Sequence[str], days: int) -> Mapping[str, Sequence[float]]:
        frame = self.returns_frame(symbols, days)
        return {s: _finite_tail(frame[s].to_numpy(dtype=np.float64), days) for s in symbols}

    def window(self, symbols: Sequence[str], days: int, min_days: int) -> ReturnsWindow:
        def build() -> ReturnsWindow:
            matrix = self.returns_frame(symbols, days).to_numpy(dtype=np.float64)
            return ReturnsWindow.build(symbols, matrix.reshape(-1, len(symbols)), min_days=min_days)

        return self._cache.get((tuple(symbols), days, min_days), build)
