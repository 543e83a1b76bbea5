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
  without a bar on a day has no return that day nor the next (never filled in). The closes are
  kept as numpy arrays and the returns computed with numpy (:func:`aligned_returns`), the
  values pandas' ``pct_change(fill_method=None)`` on the outer join of the closes gives.

Both keep the :class:`~trademind.safety.risk_math.ReturnsWindow` objects they built (a small
cache keyed by the symbols, days and ``min_days``), so that the risk rules, which all ask for the
same symbols, share one window per bar: the covariance and correlation matrices are computed
once per bar, not once per rule and order. ``StoredDailyReturns.as_of`` returns the same view
for the same decision time, so the cache lives as long as the bar.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from trademind.data.bar_reader import BarReader
from trademind.safety.risk_math import FloatArray, ReturnsWindow

IntArray = NDArray[np.int64]

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


class Closes:
    """One symbol's daily closes, oldest first: bar times as UTC nanoseconds (int64) and the
    closes (float64), arrays of one length."""

    __slots__ = ("ns", "values")

    def __init__(self, ns: IntArray, values: FloatArray) -> None:
        self.ns = ns
        self.values = values

    def up_to(self, end_ns: int) -> Closes:
        """The closes of bars stamped at or before ``end_ns`` (views, not copies)."""
        stop = int(np.searchsorted(self.ns, end_ns, side="right"))
        return Closes(self.ns[:stop], self.values[:stop])

    def last(self, count: int) -> Closes:
        """The newest ``count`` closes, all of them when fewer (``count`` at least 1)."""
        return Closes(self.ns[-count:], self.values[-count:])


def _utc_ns(when: datetime) -> int:
    if when.tzinfo is None:
        raise TypeError(f"a daily-closes time must be timezone-aware, got {when.isoformat()}")
    return int(pd.Timestamp(when).as_unit("ns").value)


class DailyCloses:
    """Each symbol's stored daily closes, read once and kept (a session asks at every bar).

    The first ask of a symbol reads all its stored daily bars; a later ask at a time beyond the
    newest bar kept (a paper session: new daily bars may have been stored since) reads the bars
    after it again, at most once per new day asked about. Reads go through the
    :class:`~trademind.data.bar_reader.BarReader` port; slicing at a time is the caller's. The
    closes are kept as numpy arrays (:class:`Closes`): slicing at a time is a binary search."""

    def __init__(self, reader: BarReader, *, adjusted: bool) -> None:
        self._reader = reader
        self._adjusted = adjusted
        self._closes: dict[str, Closes] = {}
        self._asked: dict[str, datetime] = {}

    def up_to(self, symbol: str, end: datetime) -> pd.Series:
        """The closes of bars stamped at or before ``end``, oldest first (UTC ts index)."""
        closes = self.arrays_up_to(symbol, end)
        index = pd.DatetimeIndex(closes.ns.view("M8[ns]"), name="ts").tz_localize(UTC)
        return pd.Series(closes.values, index=index)

    def arrays_up_to(self, symbol: str, end: datetime) -> Closes:
        """As :meth:`up_to`, as arrays."""
        end_ns = _utc_ns(end)
        closes = self._closes.get(symbol)
        if closes is None:
            closes = self._read(symbol, None)
        elif self._stale(symbol, closes, end_ns, end):
            last = int(closes.ns[-1]) if len(closes.ns) else None
            newer = self._read(symbol, last)
            if last is not None:
                keep = newer.ns > last
                newer = Closes(newer.ns[keep], newer.values[keep])
            closes = Closes(
                np.concatenate([closes.ns, newer.ns]), np.concatenate([closes.values, newer.values])
            )
        self._closes[symbol] = closes
        self._asked[symbol] = max(end, self._asked.get(symbol, end))
        return closes.up_to(end_ns)

    def _stale(self, symbol: str, closes: Closes, end_ns: int, end: datetime) -> bool:
        """Whether bars after the newest kept one may matter at ``end`` and were not looked
        for on ``end``'s day yet."""
        newest_needed = len(closes.ns) == 0 or int(closes.ns[-1]) < end_ns
        return newest_needed and end.date() > self._asked[symbol].date()

    def _read(self, symbol: str, after_ns: int | None) -> Closes:
        start = None if after_ns is None else pd.Timestamp(after_ns, tz=UTC).to_pydatetime()
        frame = self._reader.read_bars(symbol, DAILY, start, None, adjusted=self._adjusted)
        index = pd.DatetimeIndex(frame["ts"])
        naive = index if index.tz is None else index.tz_convert(None)  # UTC wall times
        ns = naive.as_unit("ns").to_numpy().view(np.int64)
        return Closes(ns, frame["close"].to_numpy(dtype=np.float64))


def aligned_returns(columns: Sequence[Closes]) -> tuple[IntArray, FloatArray]:
    """(days, returns): the union of the columns' days (sorted UTC nanoseconds) but the first,
    and days x columns of simple close-to-close returns on that union; a column without a close
    on a day has no return that day nor the next (NaN: never filled in), as pandas'
    ``pct_change(fill_method=None)`` on the columns aligned by an outer join."""
    days = np.unique(np.concatenate([c.ns for c in columns])) if columns else np.empty(0, np.int64)
    matrix = np.full((len(days), len(columns)), np.nan)
    for j, column in enumerate(columns):
        matrix[np.searchsorted(days, column.ns), j] = column.values
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = matrix[1:] / matrix[:-1] - 1.0
    return days[1:], returns


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
        self._closes: dict[tuple[str, int], Closes] = {}
        self._cache = WindowCache()

    def _closes_of(self, symbol: str, days: int) -> Closes:
        key = (symbol, days)
        found = self._closes.get(key)
        if found is None:
            end = self.at - timedelta(days=1)
            found = self._all.arrays_up_to(symbol, end).last(days + 1)
            self._closes[key] = found
        return found

    def returns_matrix(self, symbols: Sequence[str], days: int) -> tuple[IntArray, FloatArray]:
        """(days, returns) of :meth:`returns_frame` as arrays (days as UTC nanoseconds)."""
        if not symbols:
            raise ValueError("returns of no symbols asked for")
        unique = list(dict.fromkeys(symbols))
        when, returns = aligned_returns([self._closes_of(s, days) for s in unique])
        if days > 0:
            when, returns = when[-days:], returns[-days:]
        if len(unique) != len(symbols):  # a symbol named twice: its column twice
            returns = returns[:, [unique.index(s) for s in symbols]]
        return when, returns

    def returns_frame(self, symbols: Sequence[str], days: int) -> pd.DataFrame:
        """Days x symbols of simple returns on the union of stored days, the last ``days``."""
        when, returns = self.returns_matrix(symbols, days)
        index = pd.DatetimeIndex(when.view("M8[ns]"), name="ts").tz_localize(UTC)
        return pd.DataFrame(returns, index=index, columns=list(symbols))

    def daily_returns(self, symbols: Sequence[str], days: int) -> Mapping[str, Sequence[float]]:
        _, returns = self.returns_matrix(symbols, days)
        return {s: _finite_tail(returns[:, j], days) for j, s in enumerate(symbols)}

    def window(self, symbols: Sequence[str], days: int, min_days: int) -> ReturnsWindow:
        def build() -> ReturnsWindow:
            matrix = self.returns_matrix(symbols, days)[1]
            return ReturnsWindow.build(symbols, matrix.reshape(-1, len(symbols)), min_days=min_days)

        return self._cache.get((tuple(symbols), days, min_days), build)
