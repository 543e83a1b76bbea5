"""Live bars from Yahoo Finance for paper trading: :class:`YFinanceLiveBars`.

It implements the runtime's ``LiveBarProvider`` port
(:class:`trademind.runtime.paper_source.LiveBarProvider`: ``closed_bars(symbol, timeframe,
start, end)``) on top of :class:`~trademind.data.providers.yfinance.YFinanceProvider`, so a
poll goes through the same download, reachability probe, retries, frame normalisation and
validation as ``data ingest``. Bars are stamped as stored bars are: daily bars at 00:00 UTC of
their session date, intraday bars at their open time in UTC.

Nothing is fabricated: a row with a missing (NaN) price or volume, or one that is not a valid
bar (a non-positive price, a high below the low...), is left out and logged, never filled in;
the paper source asks again at the next poll. "No bars yet" (Yahoo answered nothing for the
range, the usual answer just after a close) is an empty answer, not an error. Every other
failure is a :class:`~trademind.data.providers.base.ProviderError` (a
:class:`~trademind.core.errors.TradeMindError`): the paper source logs it and polls again.

The download is synchronous (yfinance); it runs in a worker thread so the event loop goes on.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd

from trademind.core.clock import Clock
from trademind.core.errors import ValidationError
from trademind.core.market import Bar
from trademind.data.providers.base import BarRequest, NoDataError
from trademind.data.providers.reachability import ReachabilityProbe, tcp_probe
from trademind.data.providers.yfinance import DownloadFn, YFinanceProvider

logger = logging.getLogger(__name__)

_FIELDS = ("open", "high", "low", "close", "volume")


class YFinanceLiveBars:
    """Closed bars of one symbol from Yahoo Finance (module docstring)."""

    name = "yfinance"

    def __init__(self, provider: YFinanceProvider) -> None:
        self._provider = provider

    async def closed_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> Sequence[Bar]:
        """Bars of ``symbol`` with ``start <= ts < end`` (daily bars: their session date)."""
        return await asyncio.to_thread(self.fetch_closed_bars, symbol, timeframe, start, end)

    def fetch_closed_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> list[Bar]:
        """:meth:`closed_bars`, synchronously."""
        request = BarRequest(symbol=symbol, timeframe=timeframe, start=start, end=end)
        try:
            result = self._provider.fetch(request)
        except NoDataError as error:
            logger.debug("no %s bars of %s yet: %s", timeframe, symbol, error)
            return []
        return bars_of_frame(symbol, timeframe, result.bars)


def bars_of_frame(symbol: str, timeframe: str, frame: pd.DataFrame) -> list[Bar]:
    """The rows of a conformed bar frame as core bars, oldest first; rows with a missing value
    or that are not valid bars are left out (and logged), never filled in."""
    bars: list[Bar] = []
    for row in frame.itertuples(index=False):
        values = {name: float(getattr(row, name)) for name in _FIELDS}
        ts = pd.Timestamp(row.ts).tz_convert(UTC).to_pydatetime()  # type: ignore[arg-type]
        if not all(math.isfinite(value) for value in values.values()):
            logger.warning("left out %s's %s bar at %s: missing values", symbol, timeframe, ts)
            continue
        try:
            bars.append(Bar(symbol=symbol, timeframe=timeframe, ts=ts, **values))
        except ValidationError as error:
            logger.warning("left out %s's %s bar at %s: %s", symbol, timeframe, ts, error)
    bars.sort(key=lambda bar: bar.ts)
    return bars


def live_yfinance(
    *,
    clock: Clock,
    download: DownloadFn | None = None,
    probe: ReachabilityProbe | None = None,
    retries: int = 1,
    timeout: float = 30.0,
) -> YFinanceLiveBars:
    """The live yfinance provider of paper mode: the real download and TCP probe unless
    ``download`` (tests: :class:`~trademind.testing.yahoo.FakeYahoo`) or ``probe`` is given.
    A poll retries little (``retries``): what fails comes with the next poll."""
    if probe is None and download is None:
        probe = tcp_probe
    provider = YFinanceProvider(
        download=download, retries=retries, timeout=timeout, probe=probe, clock=clock
    )
    return YFinanceLiveBars(provider)
