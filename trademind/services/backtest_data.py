"""The bars a backtest runs on: symbols, window, and the bundled sample when nothing is stored.

A symbol without any stored bars at the requested interval is served from the bundled sample
when the sample holds it: the sample is ingested into the database (source ``sample``, the path
of ``data ingest --source sample``) and the run carries a notice saying so, which the CLI prints
and the report shows. Bars that were stored from the sample earlier carry a notice too, so no
result ever looks like it came from live data when it did not. Any other symbol without bars is
an error naming it and the command that ingests it.

``--days N`` counts back N calendar days from the newest stored bar of the symbols (so a
backtest of the bundled 2013-2023 sample works on any date); ``--start``/``--end`` are days,
``--end`` included. Nothing given: every stored bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

import sqlalchemy as sa

from trademind.config import Settings
from trademind.core.clock import Clock
from trademind.core.errors import ValidationError
from trademind.data.providers.sample import SAMPLE_TIMEFRAMES, SampleProvider
from trademind.data.schema import check_timeframe, normalise_symbols
from trademind.data.store import BarStore
from trademind.db.models import MarketData
from trademind.db.session import Database
from trademind.services import data_service
from trademind.services.backtest_bars import DataRef, read_bars
from trademind.strategies.base import Bars

SAMPLE_SOURCE: Final = "sample"
_END_INCLUSIVE: Final = timedelta(microseconds=1)


@dataclass(frozen=True)
class DataRequest:
    """Which bars a backtest asks for (CLI options as given)."""

    symbols: Sequence[str]
    start: date | None = None
    end: date | None = None
    days: int | None = None
    timeframe: str | None = None


@dataclass(frozen=True, eq=False)
class PreparedData:
    """The data reference (picklable, real database URL), the bars it names and the notices."""

    ref: DataRef
    bars: tuple[Bars, ...]
    notices: tuple[str, ...]


def _day(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d}"


def _sample_fallback(
    database: Database, settings: Settings, symbol: str, timeframe: str, clock: Clock
) -> str:
    """Ingest the bundled sample of ``symbol``; the notice to show, or an error naming it."""
    held = SampleProvider().available_symbols()
    if timeframe not in SAMPLE_TIMEFRAMES or symbol not in held:
        why = (
            f"the bundled sample holds daily bars only (interval {', '.join(SAMPLE_TIMEFRAMES)})"
            if symbol in held
            else f"the bundled sample does not hold it (it holds {', '.join(held)})"
        )
        interval = "" if timeframe == "1d" else f" --interval {timeframe}"
        raise ValidationError(
            f"no {timeframe} bars stored for {symbol} and {why}: ingest them first with "
            f"`trademind data ingest --symbols {symbol}{interval}`"
        )
    report = data_service.ingest(
        database, settings, symbols=[symbol], source=SAMPLE_SOURCE, clock=clock
    )
    failed = [result.error for result in report.results if result.error]
    if failed:
        raise ValidationError(f"{symbol}: the bundled sample could not be stored: {failed[0]}")
    coverage = BarStore(database).coverage(symbol, timeframe)
    if coverage is None:  # pragma: no cover - the ingest above stored bars or failed
        raise ValidationError(f"{symbol}: the bundled sample stored no bars")
    return (
        f"no stored bars for {symbol}: using the bundled sample data ({_day(coverage.first)} to "
        f"{_day(coverage.last)}, split-adjusted daily bars, not live data); ingest real data "
        f"with `trademind data ingest --symbols {symbol}`"
    )


def _stored_from_sample(database: Database, ref: DataRef, symbol: str) -> bool:
    """Whether any bar of ``symbol`` inside ``ref``'s range came from the bundled sample."""
    statement = (
        sa.select(MarketData.source)
        .where(
            MarketData.symbol == symbol,
            MarketData.timeframe == ref.timeframe,
            MarketData.source == SAMPLE_SOURCE,
        )
        .limit(1)
    )
    if ref.start is not None:
        statement = statement.where(MarketData.ts >= ref.start)
    if ref.end is not None:
        statement = statement.where(MarketData.ts <= ref.end)
    return database.run(lambda connection: connection.execute(statement).first()) is not None


def _window(
    store: BarStore, symbols: Sequence[str], timeframe: str, request: DataRequest, clock: Clock
) -> tuple[datetime | None, datetime | None]:
    """``(start, end)`` of the ref, end inclusive; ``--days`` counts back from the newest bar
    (from ``clock``'s time when no bar is stored)."""
    newest = [c.last for c in (store.coverage(s, timeframe) for s in symbols) if c is not None]
    now = max(newest) if newest else clock.now()
    window = data_service.resolve_window(
        start=request.start,
        end=request.end,
        days=request.days,
        now=now,
        default_days=None,
    )
    end = None if window.end is None else window.end - _END_INCLUSIVE
    return window.start, end


def _range_notices(bars: Sequence[Bars], ref: DataRef) -> list[str]:
    """Say so when the stored bars begin after the requested start or end before the end."""
    notices = []
    for series in bars:
        first = datetime.fromtimestamp(int(series.ts[0]) / 1e9, UTC)
        last = datetime.fromtimestamp(int(series.ts[-1]) / 1e9, UTC)
        if ref.start is not None and first - ref.start >= timedelta(days=7):
            notices.append(
                f"{series.symbol}: stored bars begin {_day(first)}, after the requested start "
                f"{_day(ref.start)}"
            )
        if ref.end is not None and ref.end - last >= timedelta(days=7):
            notices.append(
                f"{series.symbol}: stored bars end {_day(last)}, before the requested end "
                f"{_day(ref.end)}"
            )
    return notices


def prepare_data(
    database: Database, settings: Settings, request: DataRequest, *, clock: Clock
) -> PreparedData:
    """The bars ``request`` names, with the sample fallback and its notices (module docs);
    ``clock`` stamps the sample bars stored as a fallback."""
    symbols = normalise_symbols(list(request.symbols))
    timeframe = check_timeframe(request.timeframe or settings.data.default_timeframe)
    store = BarStore(database)
    notices: list[str] = []
    fresh: set[str] = set()
    for symbol in symbols:
        if store.coverage(symbol, timeframe) is None:
            notices.append(_sample_fallback(database, settings, symbol, timeframe, clock))
            fresh.add(symbol)
    start, end = _window(store, symbols, timeframe, request, clock)
    ref = DataRef(
        database_url=settings.database_url(),  # the real URL: Database.url is masked
        symbols=tuple(symbols),
        timeframe=timeframe,
        start=start,
        end=end,
        adjusted=settings.data.adjusted_prices,
    )
    bars = read_bars(database, ref)
    for symbol in symbols:
        if symbol not in fresh and _stored_from_sample(database, ref, symbol):
            notices.append(
                f"{symbol}: the stored bars come from the bundled sample data (split-adjusted "
                f"daily bars, not live data); ingest real data with "
                f"`trademind data ingest --symbols {symbol}`"
            )
    notices += _range_notices(bars, ref)
    return PreparedData(ref, tuple(bars), tuple(notices))
