"""The shapes of a ``yfinance.download`` answer: its ticker columns, its index, its splits."""

from __future__ import annotations

import warnings
from typing import Final, cast

import numpy as np
import pandas as pd

from trademind.core.errors import ValidationError
from trademind.data.corporate import ReportedSplit
from trademind.data.providers import timestamps
from trademind.data.providers.base import BarRequest, ProviderError
from trademind.data.schema import normalise_symbol

_SPLIT_COLUMNS: Final = ("stock splits", "stock_splits", "splits")
_FIELDS: Final = {
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "volume": "volume",
    "adj close": "adj_close",
    "adjclose": "adj_close",
    "adjusted close": "adj_close",
}


def price_name(value: object) -> str | None:
    return _FIELDS.get(str(value).strip().lower().replace("_", " "))


def single_ticker(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """The columns of ``symbol`` as single-level price columns, whatever the column layout."""
    columns = frame.columns
    if not isinstance(columns, pd.MultiIndex):
        return frame
    if columns.nlevels != 2:
        raise ProviderError(
            f"{symbol}: yfinance returned {columns.nlevels} column levels; expected 1 or 2", symbol
        )
    hits = [
        sum(price_name(v) is not None for v in columns.get_level_values(level)) for level in (0, 1)
    ]
    if max(hits) == 0:
        raise ProviderError(
            f"{symbol}: yfinance returned no price columns (columns: {list(columns)})", symbol
        )
    ticker_level = 1 if hits[0] >= hits[1] else 0
    tickers = list(dict.fromkeys(str(t) for t in columns.get_level_values(ticker_level)))
    chosen = next((t for t in tickers if _same_symbol(t, symbol)), None)
    if chosen is None and len(tickers) == 1:
        chosen = tickers[0]
    if chosen is None:
        raise ProviderError(
            f"{symbol}: yfinance returned columns for {', '.join(tickers)} but not {symbol}", symbol
        )
    return cast(pd.DataFrame, frame.xs(chosen, axis=1, level=ticker_level))


def _same_symbol(ticker: str, symbol: str) -> bool:
    try:
        return normalise_symbol(ticker) == symbol
    except ValidationError:
        return False


def index_stamps(frame: pd.DataFrame, symbol: str) -> pd.Series:
    """The index as timestamps; date strings are accepted, anything else is an error."""
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex):
        not_dates = ProviderError(f"{symbol}: yfinance returned rows not indexed by dates", symbol)
        if index.dtype != object:
            raise not_dates
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                index = pd.DatetimeIndex(pd.to_datetime(index, format="ISO8601"))
        except (ValueError, TypeError, Warning):
            raise not_dates from None
    return pd.Series(index, dtype=index.dtype)


def reported_splits(
    frame: pd.DataFrame | None, request: BarRequest
) -> tuple[ReportedSplit, ...] | None:
    """The splits in yfinance's ``Stock Splits`` column within the request's range (the
    factor on the ex-date; 0 means none); None when the answer has no such column."""
    if frame is None or frame.empty:
        return None
    columns = single_ticker(frame, request.symbol)
    named = {str(column).strip().lower(): column for column in columns.columns}
    column = next((named[name] for name in _SPLIT_COLUMNS if name in named), None)
    if column is None:
        return None
    factors = pd.to_numeric(columns[column], errors="coerce").to_numpy(dtype="float64")
    stamps = index_stamps(frame, request.symbol)
    if request.intraday:  # the exchange's date of the bar, at 00:00 UTC
        days = pd.to_datetime(stamps.dt.date).dt.tz_localize("UTC")
    else:
        days = timestamps.session_dates_utc(stamps)
    first = pd.Timestamp(request.start).normalize() if request.start else None
    splits = []
    for position in np.flatnonzero(np.nan_to_num(factors) > 0).tolist():
        moment = pd.Timestamp(days.iloc[position])
        if (first is None or moment >= first) and (
            request.end is None or moment < pd.Timestamp(request.end)
        ):
            splits.append(ReportedSplit(ts=moment.to_pydatetime(), factor=float(factors[position])))
    return tuple(splits)
