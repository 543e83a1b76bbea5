"""Bars from Yahoo Finance through ``yfinance.download`` (injected, so tests never go online).

Every shape ``download`` returns is normalised to the bar schema: single-level columns or a
two-level MultiIndex in either order ((Price, Ticker) or (Ticker, Price)), with or without
``Adj Close``, any letter case, a tz-naive or tz-aware index. Prices are raw
(``auto_adjust=False``); the adjusted close is kept in ``adj_close``.

Transient failures are retried with exponential backoff (tenacity): connection errors,
timeouts and other ``OSError`` (requests' and curl_cffi's errors derive from it) except HTTP
4xx answers; HTTP 5xx and 429; and — because ``yfinance.download`` swallows exceptions, logs
them and returns an empty frame — an empty answer while yfinance logged an error whose text
says "timed out", "Temporary failure", "Connection", "Could not resolve", "Failed to perform",
"Network is unreachable", "Too Many Requests" or "Rate limited". After the last retry a network
failure is :class:`NetworkUnavailableError`, which names ``--source sample``.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Final, cast

import pandas as pd
import tenacity

from trademind.core.errors import TradeMindError, ValidationError
from trademind.data.providers import timestamps
from trademind.data.providers.base import (
    BarRequest,
    NetworkUnavailableError,
    NoDataError,
    ProviderError,
    ProviderResult,
    sort_bars,
    within_range,
)
from trademind.data.schema import check_timeframe, conform_bar_frame, normalise_symbol

DownloadFn = Callable[..., pd.DataFrame | None]

# How far back Yahoo serves intraday bars (days before now).
INTRADAY_HISTORY_DAYS: Final = {
    "1m": 7,
    "2m": 60,
    "5m": 60,
    "15m": 60,
    "30m": 60,
    "90m": 60,
    "60m": 730,
    "1h": 730,
}
_START_GRACE: Final = timedelta(days=1)
_START_MARGIN: Final = timedelta(hours=1)
_NAIVE_INTRADAY_TZ: Final = "America/New_York"
_NETWORK_TEXT: Final = (
    "timed out",
    "timeout",
    "temporary failure",
    "connection",
    "could not resolve",
    "name or service not known",
    "network is unreachable",
    "failed to perform",
)
_RATE_TEXT: Final = ("too many requests", "rate limit")
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
_REQUIRED: Final = ("open", "high", "low", "close", "volume")
_SAMPLE_HINT: Final = "use --source sample for the bundled offline bars"


def _yfinance_download(**kwargs: Any) -> pd.DataFrame | None:
    import yfinance

    return cast(pd.DataFrame | None, yfinance.download(**kwargs))


class _TransientError(Exception):
    def __init__(self, kind: str, cause: str) -> None:
        super().__init__(cause)
        self.kind = kind
        self.cause = cause


class YFinanceProvider:
    """Daily and intraday bars from Yahoo Finance, retried on transient failures."""

    name = "yfinance"

    def __init__(
        self,
        download: DownloadFn | None = None,
        *,
        retries: int = 3,
        timeout: float = 30.0,
        wait_initial: float = 1.0,
        wait_max: float = 16.0,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._download = download or _yfinance_download
        self.retries = retries
        self.timeout = timeout
        self.wait_initial = wait_initial
        self.wait_max = wait_max
        self._sleep = sleep
        self._now = now or (lambda: datetime.now(UTC))

    def available_symbols(self) -> list[str]:
        return []

    def fetch(self, request: BarRequest) -> ProviderResult:
        check_timeframe(request.timeframe)
        start, notices = self._effective_start(request)
        frame = self._download_with_retries(request, start)
        bars, shape_notices = normalise_download(frame, request)
        return ProviderResult(
            symbol=request.symbol,
            timeframe=request.timeframe,
            source=self.name,
            bars=bars,
            notices=notices + shape_notices,
        )

    def download_arguments(self, request: BarRequest, start: datetime | None) -> dict[str, Any]:
        """The keyword arguments given to ``download`` for ``request``."""
        return {
            "tickers": request.symbol,
            "start": _boundary(start, request.intraday),
            "end": _boundary(request.end, request.intraday),
            "interval": request.timeframe,
            "auto_adjust": False,
            "actions": False,
            "progress": False,
            "threads": False,
            "multi_level_index": False,
            "group_by": "column",
            "timeout": self.timeout,
        }

    def _effective_start(self, request: BarRequest) -> tuple[datetime | None, tuple[str, ...]]:
        days = INTRADAY_HISTORY_DAYS.get(request.timeframe)
        if days is None:
            return request.start, ()
        earliest = self._now() - timedelta(days=days)
        if request.start is not None and request.start < earliest - _START_GRACE:
            raise ValidationError(
                f"{request.symbol}: yfinance serves {request.timeframe} bars for the last "
                f"{days} days only; start {request.start:%Y-%m-%d} is earlier "
                "(use a later start or a longer interval such as 1d)"
            )
        if request.start is None or request.start < earliest + _START_MARGIN:
            start = earliest + _START_MARGIN
            note = (
                f"yfinance keeps {request.timeframe} bars for {days} days: "
                f"starting at {start:%Y-%m-%d %H:%M} UTC"
            )
            return start, (note,)
        return request.start, ()

    def _download_with_retries(
        self, request: BarRequest, start: datetime | None
    ) -> pd.DataFrame | None:
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retries + 1),
            wait=tenacity.wait_exponential(multiplier=self.wait_initial, max=self.wait_max),
            retry=tenacity.retry_if_exception_type(_TransientError),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(self._attempt, request, start)
        except _TransientError as err:
            attempts = self.retries + 1
            if err.kind == "rate":
                raise ProviderError(
                    f"{request.symbol}: Yahoo Finance kept refusing requests after {attempts} "
                    f"attempts ({err.cause}); try again later or {_SAMPLE_HINT}",
                    request.symbol,
                ) from None
            raise NetworkUnavailableError(
                f"{request.symbol}: network unreachable, yfinance failed after {attempts} "
                f"attempts ({err.cause}); {_SAMPLE_HINT}",
                request.symbol,
            ) from None

    def _attempt(self, request: BarRequest, start: datetime | None) -> pd.DataFrame | None:
        arguments = self.download_arguments(request, start)
        with _logged_yfinance_errors() as logged:
            try:
                frame = self._download(**arguments)
            except TradeMindError:
                raise
            except Exception as err:
                cause = _one_line(f"{type(err).__name__}: {err}")
                kind = transient_kind(err)
                if kind is not None:
                    raise _TransientError(kind, cause) from err
                raise ProviderError(
                    f"{request.symbol}: yfinance failed: {cause}", request.symbol
                ) from err
        if frame is None or frame.empty:
            for message in reversed(logged):
                kind = _kind_of_text(message.lower())
                if kind is not None:
                    raise _TransientError(kind, _one_line(message))
            detail = f" ({_one_line(logged[-1])})" if logged else ""
            raise NoDataError(
                f"{request.symbol}: yfinance returned no {request.timeframe} bars for "
                f"{request.describe_range()}{detail}",
                request.symbol,
            )
        return frame


def transient_kind(err: BaseException) -> str | None:
    """``"network"``, ``"rate"`` or None (not worth retrying) for an exception from download."""
    status = getattr(getattr(err, "response", None), "status_code", None)
    if isinstance(status, int):
        if status == 429:
            return "rate"
        if status >= 500:
            return "network"
        if 400 <= status < 500:
            return None
    text = f"{type(err).__name__}: {err}".lower()
    if any(marker in text for marker in _RATE_TEXT):
        return "rate"
    local_file_errors = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)
    if isinstance(err, OSError) and not isinstance(err, local_file_errors):
        return "network"
    return _kind_of_text(text)


def _kind_of_text(text: str) -> str | None:
    if any(marker in text for marker in _RATE_TEXT):
        return "rate"
    if any(marker in text for marker in _NETWORK_TEXT):
        return "network"
    return None


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    if line.startswith("[") and "]: " in line:
        line = line.split("]: ", 1)[1]
    return line if len(line) <= limit else line[: limit - 3] + "..."


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().strip()
        if message:
            self.messages.append(message)


@contextmanager
def _logged_yfinance_errors() -> Iterator[list[str]]:
    """Collect what yfinance logs at ERROR level meanwhile (it reports failures only there)."""
    logger = logging.getLogger("yfinance")
    handler = _ErrorLog()
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def _boundary(moment: datetime | None, intraday: bool) -> str | datetime | None:
    """Daily: the first date whose 00:00 UTC bar is not before ``moment``; intraday: as is."""
    if moment is None or intraday:
        return moment
    return pd.Timestamp(moment).tz_convert("UTC").ceil("D").strftime("%Y-%m-%d")


def normalise_download(
    frame: pd.DataFrame | None, request: BarRequest
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Turn whatever ``yfinance.download`` returned into a conformed bar frame in range."""
    symbol = request.symbol
    if frame is None or frame.empty:
        raise NoDataError(
            f"{symbol}: yfinance returned no bars for {request.describe_range()}", symbol
        )
    notices: list[str] = []
    prices = _standard_columns(_single_ticker(frame, symbol), symbol, notices)
    stamps = _index_stamps(frame, symbol)
    if request.intraday:
        if stamps.dt.tz is None:
            notices.append(
                f"yfinance gave {symbol} intraday times without a timezone: "
                f"read as {_NAIVE_INTRADAY_TZ}"
            )
            stamps = stamps.dt.tz_localize(_NAIVE_INTRADAY_TZ, ambiguous="NaT", nonexistent="NaT")
        prices["ts"] = stamps.dt.tz_convert("UTC").to_numpy()
    else:
        prices["ts"] = timestamps.session_dates_utc(stamps).to_numpy()
    empty = prices[list(_REQUIRED)].isna().all(axis=1)
    if empty.any():
        notices.append(
            f"left out {int(empty.sum())} empty row(s) (no prices, no volume) "
            f"yfinance returned for {symbol}"
        )
        prices = prices.loc[~empty]
    try:
        bars = sort_bars(conform_bar_frame(prices.reset_index(drop=True)))
    except (ValueError, TypeError) as err:
        raise ProviderError(
            f"{symbol}: yfinance returned non-numeric prices ({_one_line(str(err))})", symbol
        ) from None
    bars = within_range(bars, request)
    if bars.empty:
        raise NoDataError(
            f"{symbol}: yfinance returned no bars in {request.describe_range()}", symbol
        )
    return bars, tuple(notices)


def _price_name(value: object) -> str | None:
    return _FIELDS.get(str(value).strip().lower().replace("_", " "))


def _single_ticker(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """The columns of ``symbol`` as single-level price columns, whatever the column layout."""
    columns = frame.columns
    if not isinstance(columns, pd.MultiIndex):
        return frame
    if columns.nlevels != 2:
        raise ProviderError(
            f"{symbol}: yfinance returned {columns.nlevels} column levels; expected 1 or 2", symbol
        )
    hits = [
        sum(_price_name(v) is not None for v in columns.get_level_values(level)) for level in (0, 1)
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


def _standard_columns(frame: pd.DataFrame, symbol: str, notices: list[str]) -> pd.DataFrame:
    renamed: dict[str, str] = {}
    for column in frame.columns:
        field = _price_name(column)
        if field is None:
            continue
        if field in renamed.values():
            raise ProviderError(f"{symbol}: yfinance returned two {field} columns", symbol)
        renamed[column] = field
    missing = [field for field in _REQUIRED if field not in renamed.values()]
    if missing:
        found = ", ".join(str(c) for c in frame.columns)
        raise ProviderError(
            f"{symbol}: yfinance returned no {', '.join(missing)} column(s) (columns: {found})",
            symbol,
        )
    prices = frame[list(renamed)].rename(columns=renamed).reset_index(drop=True)
    if "adj_close" not in prices.columns:
        notices.append(
            f"yfinance returned no Adj Close for {symbol}: adjusted prices are unavailable"
        )
    return prices


def _index_stamps(frame: pd.DataFrame, symbol: str) -> pd.Series:
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
