"""Bars from Yahoo Finance through ``yfinance.download`` (injected, so tests never go online).

Every shape ``download`` returns is normalised to the bar schema: single-level columns or a
two-level MultiIndex in either order ((Price, Ticker) or (Ticker, Price)), with or without
``Adj Close``, any letter case, a tz-naive or tz-aware index. Prices are raw
(``auto_adjust=False``); the adjusted close is kept in ``adj_close``. Downloads ask for the
actions too (``actions=True``): the ``Stock Splits`` column becomes the result's reported
splits, which the quality checks use before calling a gap a split.

Before the first download, one reachability probe (:mod:`.reachability`, about a second) checks
that Yahoo's host answers at all; when it does not, nothing is downloaded or retried and every
fetch raises :class:`SourceUnreachableError` (``build_provider`` wires the real probe; an
injected ``download`` comes without one).

Transient failures are retried with exponential backoff (tenacity): connection errors,
timeouts and other ``OSError`` (requests' and curl_cffi's errors derive from it) except HTTP
4xx answers; HTTP 5xx and 429; and — because ``yfinance.download`` swallows exceptions, logs
them and returns an empty frame — an empty answer while yfinance logged an error whose text
says "timed out", "Temporary failure", "Connection", "Could not resolve", "Failed to perform",
"Network is unreachable", "Too Many Requests" or "Rate limited". After the last retry a network
failure is :class:`NetworkUnavailableError`, which names ``--source sample``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final, cast

import pandas as pd
import tenacity

from trademind.core.clock import Clock
from trademind.core.errors import TradeMindError, ValidationError
from trademind.data.providers import timestamps
from trademind.data.providers.base import (
    BarRequest,
    NetworkUnavailableError,
    NoDataError,
    ProviderError,
    ProviderResult,
    SourceUnreachableError,
    sort_bars,
    within_range,
)
from trademind.data.providers.reachability import ReachabilityProbe, probe_target
from trademind.data.providers.yfinance_frames import (
    index_stamps,
    price_name,
    reported_splits,
    single_ticker,
)
from trademind.data.providers.yfinance_logs import (
    captured_library_logs,
    kind_of_text,
    one_line,
    transient_kind,
)
from trademind.data.schema import check_timeframe, conform_bar_frame

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
_REQUIRED: Final = ("open", "high", "low", "close", "volume")
_SAMPLE_HINT: Final = "use --source sample for the bundled offline bars"
YAHOO_HOST: Final = "query1.finance.yahoo.com"

__all__ = ["YAHOO_HOST", "YFinanceProvider", "normalise_download"]


def _yfinance_download(**kwargs: Any) -> pd.DataFrame | None:
    import yfinance

    return cast(pd.DataFrame | None, yfinance.download(**kwargs))


class _TransientError(Exception):
    def __init__(self, kind: str, cause: str) -> None:
        super().__init__(cause)
        self.kind = kind
        self.cause = cause


class YFinanceProvider:
    """Daily and intraday bars from Yahoo Finance, retried on transient failures.

    ``probe`` (None: no probe, as with an injected ``download``) is asked once, before the
    first download, whether Yahoo's host is reachable at all; when it is not, every fetch
    raises :class:`SourceUnreachableError` at once and nothing is downloaded or retried.
    """

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
        clock: Clock,
        probe: ReachabilityProbe | None = None,
        probe_timeout: float = 1.0,
    ) -> None:
        self._download = download or _yfinance_download
        self._probe = probe
        self._probe_timeout = probe_timeout
        self._unreachable: str | None = None
        self._probed = False
        self.retries = retries
        self.timeout = timeout
        self.wait_initial = wait_initial
        self.wait_max = wait_max
        self._sleep = sleep
        self._clock = clock

    def available_symbols(self) -> list[str]:
        return []

    def fetch(self, request: BarRequest) -> ProviderResult:
        check_timeframe(request.timeframe)
        start, notices = self._effective_start(request)
        self.check_reachable()
        frame = self._download_with_retries(request, start)
        bars, shape_notices = normalise_download(frame, request)
        return ProviderResult(
            symbol=request.symbol,
            timeframe=request.timeframe,
            source=self.name,
            bars=bars,
            notices=notices + shape_notices,
            splits=reported_splits(frame, request),
        )

    def check_reachable(self) -> None:
        """Probe Yahoo's host once (the first call); raise SourceUnreachableError if it failed."""
        if self._probe is not None and not self._probed:
            host, port = probe_target(YAHOO_HOST)
            self._unreachable = self._probe(host, port, self._probe_timeout)
            self._probed = True
        if self._unreachable is not None:
            raise SourceUnreachableError(
                f"cannot reach Yahoo Finance ({YAHOO_HOST}): {self._unreachable}"
            )

    def download_arguments(self, request: BarRequest, start: datetime | None) -> dict[str, Any]:
        """The keyword arguments given to ``download`` for ``request``."""
        return {
            "tickers": request.symbol,
            "start": _boundary(start, request.intraday),
            "end": _boundary(request.end, request.intraday),
            "interval": request.timeframe,
            "auto_adjust": False,
            "actions": True,
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
        earliest = self._clock.now() - timedelta(days=days)
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
        with captured_library_logs() as logged:
            try:
                frame = self._download(**arguments)
            except TradeMindError:
                raise
            except Exception as err:
                cause = one_line(f"{type(err).__name__}: {err}")
                kind = transient_kind(err)
                if kind is not None:
                    raise _TransientError(kind, cause) from err
                raise ProviderError(
                    f"{request.symbol}: yfinance failed: {cause}", request.symbol
                ) from err
        if frame is None or frame.empty:
            for message in reversed(logged):
                kind = kind_of_text(message.lower())
                if kind is not None:
                    raise _TransientError(kind, one_line(message))
            detail = f" ({one_line(logged[-1])})" if logged else ""
            raise NoDataError(
                f"{request.symbol}: yfinance returned no {request.timeframe} bars for "
                f"{request.describe_range()}{detail}",
                request.symbol,
            )
        return frame


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
    prices = _standard_columns(single_ticker(frame, symbol), symbol, notices)
    stamps = index_stamps(frame, symbol)
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
            f"{symbol}: yfinance returned non-numeric prices ({one_line(str(err))})", symbol
        ) from None
    bars = within_range(bars, request)
    if bars.empty:
        raise NoDataError(
            f"{symbol}: yfinance returned no bars in {request.describe_range()}", symbol
        )
    return bars, tuple(notices)


def _standard_columns(frame: pd.DataFrame, symbol: str, notices: list[str]) -> pd.DataFrame:
    renamed: dict[str, str] = {}
    for column in frame.columns:
        field = price_name(column)
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
