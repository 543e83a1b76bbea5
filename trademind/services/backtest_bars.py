"""Stored bars for a backtest, named by a picklable reference so any process can load them again.

A :class:`DataRef` (database URL, symbols, timeframe, inclusive range, adjustment) is all a
backtest job needs to find its data: it is the research jobs' bar source
(:class:`trademind.backtest.research.bar_source.BarSource`), so sweeps, walk-forward windows and
Monte Carlo runs are pure functions of (data reference, strategy, parameters) and can run in
another process, or later on a Dask or Ray worker, unchanged. The database reads live here, in
services, so the backtest package itself does no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
import pandas as pd

from trademind.core.errors import ValidationError
from trademind.core.secrets import mask_url_password
from trademind.data.bar_reader import BarReader
from trademind.data.store import BarStore
from trademind.db.session import Database
from trademind.strategies.base import Bars


@dataclass(frozen=True)
class DataRef:
    """Where a backtest's bars are: stored bars of ``symbols`` with ``start <= ts <= end``."""

    database_url: str
    symbols: tuple[str, ...]
    timeframe: str
    start: datetime | None = None
    end: datetime | None = None
    adjusted: bool = True

    def load(self) -> list[Bars]:
        """The bars, through a connection of their own (:func:`load_bars`)."""
        return load_bars(self)

    def window(self, start: datetime | None, end: datetime | None) -> DataRef:
        """The same data narrowed to ``start..end`` (walk-forward windows)."""
        return replace(self, start=start, end=end)

    def describe(self) -> dict[str, object]:
        """JSON-ready, with any password in the URL masked (stored with each run)."""
        return {
            "database": mask_url_password(self.database_url),
            "symbols": list(self.symbols),
            "timeframe": self.timeframe,
            "start": None if self.start is None else self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "adjusted": self.adjusted,
        }


def bars_from_frame(symbol: str, frame: pd.DataFrame) -> Bars:
    """A bar frame (trademind.data.schema) as read-only float64 arrays."""

    def column(name: str) -> np.ndarray:  # type: ignore[type-arg]
        values = frame[name].to_numpy(dtype=np.float64, copy=True)
        values.flags.writeable = False
        return values

    ts = np.asarray(frame["ts"].array.asi8, dtype=np.int64).copy()
    ts.flags.writeable = False
    return Bars(
        symbol, ts, column("open"), column("high"), column("low"), column("close"), column("volume")
    )


def read_bars(database: Database, ref: DataRef) -> list[Bars]:
    """The bars ``ref`` names from the database (see :func:`read_series`)."""
    return read_series(BarStore(database), ref)


def read_series(reader: BarReader, ref: DataRef) -> list[Bars]:
    """The bars ``ref`` names, one :class:`Bars` per symbol; a symbol with none is an error."""
    loaded = []
    for symbol in ref.symbols:
        frame = reader.read_bars(symbol, ref.timeframe, ref.start, ref.end, adjusted=ref.adjusted)
        if frame.empty:
            raise ValidationError(_no_bars_message(reader, symbol, ref))
        loaded.append(bars_from_frame(symbol, frame))
    return loaded


def load_bars(ref: DataRef) -> list[Bars]:
    """:func:`read_bars` through a connection of its own (for a job in another process)."""
    database = Database(ref.database_url)
    try:
        return read_bars(database, ref)
    finally:
        database.dispose()


def _no_bars_message(reader: BarReader, symbol: str, ref: DataRef) -> str:
    coverage = reader.coverage(symbol, ref.timeframe)
    if coverage is None:
        return (
            f"no {ref.timeframe} bars stored for {symbol}: ingest them first "
            f"(trademind data ingest --symbols {symbol}, or --source sample offline)"
        )
    return (
        f"no {ref.timeframe} bars for {symbol} between {_day(ref.start, 'the first bar')} and "
        f"{_day(ref.end, 'the last bar')}: "
        f"stored bars run from {coverage.first:%Y-%m-%d} to {coverage.last:%Y-%m-%d}"
    )


def _day(moment: datetime | None, missing: str) -> str:
    return missing if moment is None else f"{moment:%Y-%m-%d}"
