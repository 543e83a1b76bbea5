"""The provider port: one request type, one result type, one error family for every bar source.

Providers fetch and *normalise*; they never judge values. A :class:`ProviderResult` holds a
conformed bar frame (:func:`trademind.data.schema.conform_bar_frame`) sorted by ``ts`` that may
still contain NaN, negative prices or duplicate timestamps: :mod:`trademind.data.quality`
screens those. Source rows that could not even be parsed come back as :class:`RejectedRow`, so
nothing is ever dropped in silence.

Timestamps: daily and longer bars carry the session date at 00:00 UTC; intraday bars carry the
bar's open time converted to UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import pandas as pd

from trademind.core.errors import TradeMindError, ValidationError
from trademind.data.corporate import ReportedSplit
from trademind.data.schema import INTRADAY_TIMEFRAMES, check_timeframe


class ProviderError(TradeMindError):
    """A provider could not deliver bars for ``symbol``; the message is one line with the cause."""

    def __init__(self, message: str, symbol: str | None = None) -> None:
        super().__init__(message)
        self.symbol = symbol


class NoDataError(ProviderError):
    """The provider answered but holds no bars for the requested symbol and range."""


class NetworkUnavailableError(ProviderError):
    """The network stayed unreachable after every retry (the message names ``--source sample``)."""


class SourceUnreachableError(ProviderError):
    """The source's host did not answer the one reachability probe made before any download:
    nothing is fetched for any symbol (the ingest stops at once instead of failing each)."""


@dataclass(frozen=True)
class BarRequest:
    """Bars of one normalised ``symbol`` and ``timeframe`` with ``start <= ts < end``.

    ``start`` and ``end`` are timezone-aware (``None``: the provider's own default range).
    """

    symbol: str
    timeframe: str
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        check_timeframe(self.timeframe)
        for name, value in (("start", self.start), ("end", self.end)):
            if value is not None and value.tzinfo is None:
                raise ValidationError(f"bar request {name} {value} must be timezone-aware (UTC)")
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValidationError(
                f"bar request for {self.symbol}: start {self.start} is not before end {self.end}"
            )

    @property
    def intraday(self) -> bool:
        return self.timeframe in INTRADAY_TIMEFRAMES

    def describe_range(self) -> str:
        start = self.start.isoformat() if self.start else "the beginning"
        end = self.end.isoformat() if self.end else "the end"
        return f"{start} .. {end}"


@dataclass(frozen=True)
class RejectedRow:
    """A source row that could not be parsed into a bar (1-based file ``line`` when known)."""

    line: int | None
    raw: dict[str, str]
    reason: str


@dataclass(frozen=True)
class ProviderResult:
    """What a provider delivered for one request: bars, unparsable rows and notices for people.

    ``splits``: the splits the source reports in the range (None: the source reports none, as
    CSV files and the sample; an empty tuple: it reports splits and there were none).
    """

    symbol: str
    timeframe: str
    source: str
    bars: pd.DataFrame
    rejected: tuple[RejectedRow, ...] = ()
    notices: tuple[str, ...] = ()
    splits: tuple[ReportedSplit, ...] | None = None


class BarProvider(Protocol):
    """A source of bars: yfinance, a CSV file or directory, the bundled sample."""

    name: str

    def fetch(self, request: BarRequest) -> ProviderResult:
        """Bars for ``request``; raises ProviderError (or a subclass) with a one-line cause."""
        ...

    def available_symbols(self) -> list[str]:
        """Symbols this provider can serve without being told (files present); [] if unknown."""
        ...


def within_range(bars: pd.DataFrame, request: BarRequest) -> pd.DataFrame:
    """The rows of a bar frame with ``request.start <= ts < request.end`` (index reset)."""
    keep = pd.Series(True, index=bars.index)
    if request.start is not None:
        keep &= bars["ts"] >= pd.Timestamp(request.start)
    if request.end is not None:
        keep &= bars["ts"] < pd.Timestamp(request.end)
    return bars.loc[keep].reset_index(drop=True)


def sort_bars(bars: pd.DataFrame) -> pd.DataFrame:
    """Sort by ``ts`` keeping the source order of equal timestamps (duplicates stay visible)."""
    return bars.sort_values("ts", kind="stable").reset_index(drop=True)
