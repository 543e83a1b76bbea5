"""Market data use cases: ingest, status, verify, show, clear the cache, refresh after the close.

Every function takes the database and settings explicitly and returns plain data
(:mod:`trademind.services.data_report`). Ingest works symbol by symbol: each symbol is fetched,
screened and written in its own transaction, and one symbol's failure (network, malformed file,
database error) is recorded in its result while the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

from trademind.config import Settings
from trademind.core.clock import Clock
from trademind.core.errors import TradeMindError, ValidationError
from trademind.core.ports import Cache
from trademind.data.providers import BarProvider, Source, build_provider
from trademind.data.providers.base import (
    BarRequest,
    NetworkUnavailableError,
    NoDataError,
    ProviderResult,
    RejectedRow,
)
from trademind.data.quality import QualityIssue, QuarantinedRow, screen_rows, verify_bars
from trademind.data.schema import check_timeframe, normalise_symbol, normalise_symbols
from trademind.data.store import BarStore, Coverage
from trademind.db.session import Database
from trademind.db.types import utc_now
from trademind.indicators.service import IndicatorReport
from trademind.indicators.service import update_indicators as compute_indicators
from trademind.services.data_report import (
    ClearReport,
    IngestReport,
    NoBarsStoredError,
    SymbolIngest,
    SymbolStatus,
)

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str | None], None]
"""Called as ``progress(done, total, symbol)`` before each symbol and ``(total, total, None)``
at the end."""

UNPARSABLE = "unparsable"
SAMPLE_HINT = "use `--source sample` for the bundled offline data"


@dataclass(frozen=True)
class Window:
    """The time range asked for: ``start <= ts < end`` (None: unbounded)."""

    start: datetime | None
    end: datetime | None


def open_database(settings: Settings) -> Database:
    """The configured database, migrated to the newest schema when ``database.auto_migrate``."""
    database = Database(settings.database_url(), echo=settings.database.echo)
    if settings.database.auto_migrate:
        database.ensure_schema()
    return database


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _moment(value: date | datetime, name: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError(f"{name} {value.isoformat()} must be timezone-aware")
        return value.astimezone(UTC)
    return _midnight(value)


def resolve_window(
    *,
    start: date | datetime | None,
    end: date | datetime | None,
    days: int | None,
    now: datetime,
    default_days: int | None,
) -> Window:
    """``--start/--end`` (dates: whole days, ``end`` included) or ``--days N`` (the last N
    calendar days up to ``end`` or now); ``default_days`` when neither start nor days."""
    if days is not None and start is not None:
        raise ValidationError("give either --days or --start, not both")
    if days is not None and days <= 0:
        raise ValidationError(f"--days must be a positive number of days, got {days}")
    if isinstance(end, datetime):
        end_at: datetime | None = _moment(end, "--end")
    else:
        end_at = None if end is None else _midnight(end) + timedelta(days=1)
    span = days if days is not None else (default_days if start is None else None)
    if span is not None:
        reference = (end_at - timedelta(days=1)).date() if end_at else now.astimezone(UTC).date()
        start_at: datetime | None = _midnight(reference - timedelta(days=span))
    else:
        start_at = None if start is None else _moment(start, "--start")
    if start_at is not None and end_at is not None and start_at >= end_at:
        raise ValidationError(f"--start {start} is after --end {end}")
    return Window(start_at, end_at)


def plan_requests(
    symbol: str, timeframe: str, window: Window, coverage: Coverage | None
) -> list[BarRequest]:
    """The requests of an incremental fetch: only what lies before the first stored bar and
    from the last stored bar on (the last bar is fetched again: it may have been partial)."""
    if coverage is None:
        return [BarRequest(symbol, timeframe, window.start, window.end)]
    requests = []
    if window.start is None or window.start < coverage.first:
        before_end = coverage.first if window.end is None else min(coverage.first, window.end)
        if window.start is None or window.start < before_end:
            requests.append(BarRequest(symbol, timeframe, window.start, before_end))
    after_start = coverage.last if window.start is None else max(coverage.last, window.start)
    if window.end is None or after_start < window.end:
        requests.append(BarRequest(symbol, timeframe, after_start, window.end))
    return requests


def _fetch_one(provider: BarProvider, request: BarRequest) -> ProviderResult:
    """One request's result; an answer without bars or rejected rows is NoDataError."""
    result = provider.fetch(request)
    if result.bars.empty and not result.rejected:
        raise NoDataError(
            f"{request.symbol}: the {provider.name} source returned no bars for "
            f"{request.describe_range()}",
            request.symbol,
        )
    return result


def _fetch_all(
    provider: BarProvider, requests: Sequence[BarRequest], *, stored: bool
) -> ProviderResult | None:
    """Every request's result merged; None when nothing new exists (and bars are stored)."""
    results: list[ProviderResult] = []
    for request in requests:
        try:
            results.append(_fetch_one(provider, request))
        except NoDataError:
            if not stored:
                raise
    if not results:
        return None
    frames = [result.bars for result in results if not result.bars.empty]
    bars = pd.concat(frames, ignore_index=True) if frames else results[0].bars
    return ProviderResult(
        symbol=results[0].symbol,
        timeframe=results[0].timeframe,
        source=results[0].source,
        bars=bars,
        rejected=tuple(row for result in results for row in result.rejected),
        notices=tuple(dict.fromkeys(n for result in results for n in result.notices)),
    )


def unparsable_row(row: RejectedRow) -> QuarantinedRow:
    """A row the provider could not parse, as a quarantine entry (check ``unparsable``)."""
    where = f"line {row.line}" if row.line is not None else "unknown line"
    return QuarantinedRow(ts=None, check=UNPARSABLE, detail=f"{where}: {row.reason}", raw=row.raw)


def _failure(exc: BaseException) -> str:
    if isinstance(exc, NetworkUnavailableError):
        text = str(exc)
        return text if "--source sample" in text else f"{text}; {SAMPLE_HINT}"
    if isinstance(exc, TradeMindError):
        return str(exc)
    return f"internal error: {type(exc).__name__}: {exc}"


def ingest_symbol(
    store: BarStore,
    provider: BarProvider,
    symbol: str,
    *,
    timeframe: str,
    window: Window,
    incremental: bool,
) -> SymbolIngest:
    """Fetch, screen and store one symbol; every failure becomes the result's ``error``."""
    name = symbol
    try:
        name = normalise_symbol(symbol)
        coverage = store.coverage(name, timeframe) if incremental else None
        requests = plan_requests(name, timeframe, window, coverage)
        fetched = _fetch_all(provider, requests, stored=coverage is not None) if requests else None
        if fetched is None:
            notice = "already up to date: no new bars"
            return SymbolIngest(name, timeframe, provider.name, notices=(notice,))
        good, screened = screen_rows(fetched.bars, symbol=name, timeframe=timeframe)
        refused = [*screened, *(unparsable_row(row) for row in fetched.rejected)]
        written = store.write(name, timeframe, fetched.source, good, refused)
    except Exception as exc:  # one symbol's failure never stops the others
        if not isinstance(exc, TradeMindError):
            log.exception("ingest of %s failed unexpectedly", name)
        log.warning("ingest of %s %s failed: %s", name, timeframe, _failure(exc))
        return SymbolIngest(name, timeframe, provider.name, error=_failure(exc))
    counts = written.counts
    log.info("ingested %s %s: %s, %d quarantined", name, timeframe, counts, len(refused))
    return SymbolIngest(
        symbol=name,
        timeframe=timeframe,
        source=fetched.source,
        fetched=len(fetched.bars),
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        quarantined=len(screened),
        rejected=len(fetched.rejected),
        notices=fetched.notices,
    )


def provider_for(settings: Settings, source: Source, path: Path | None) -> BarProvider:
    if source == "csv" and path is None:
        path = settings.data.csv_dir or Path(settings.app.data_dir) / "csv"
    return build_provider(
        source,
        path=path,
        timezone=settings.data.csv_timezone,
        retries=settings.data.max_retries,
        timeout=settings.data.request_timeout,
    )


def ingest(
    database: Database,
    settings: Settings,
    *,
    symbols: list[str] | None,
    source: Source,
    path: Path | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    days: int | None = None,
    interval: str = "1d",
    provider: BarProvider | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> IngestReport:
    """Ingest bars of ``symbols`` (None: every symbol the csv/sample source holds, or the
    watchlist for yfinance). yfinance is incremental: only ranges not stored are fetched."""
    timeframe = check_timeframe(interval)
    window = resolve_window(
        start=start,
        end=end,
        days=days,
        now=now or utc_now(),
        default_days=settings.data.history_days if source == "yfinance" else None,
    )
    provider = provider or provider_for(settings, source, path)
    if symbols is not None:
        names = normalise_symbols(symbols)
    elif source == "yfinance":
        names = normalise_symbols(list(settings.data.watchlist))
    else:
        names = provider.available_symbols()
        if not names:
            raise ValidationError(f"the {source} source holds no symbols (no SYMBOL.csv files)")
    store = BarStore(database)
    results = []
    for done, name in enumerate(names):
        if progress is not None:
            progress(done, len(names), name)
        results.append(
            ingest_symbol(
                store,
                provider,
                name,
                timeframe=timeframe,
                window=window,
                incremental=source == "yfinance",
            )
        )
    if progress is not None:
        progress(len(names), len(names), None)
    return IngestReport(source=source, timeframe=timeframe, results=tuple(results))


def status(database: Database, settings: Settings) -> list[SymbolStatus]:
    """Every stored series: range, rows, last update and open quality issues (quarantine)."""
    del settings  # the same for every configuration; kept for a uniform service signature
    return [
        SymbolStatus(
            symbol=series.symbol,
            timeframe=series.timeframe,
            first=series.coverage.first if series.coverage else None,
            last=series.coverage.last if series.coverage else None,
            rows=series.coverage.rows if series.coverage else 0,
            last_update=series.coverage.last_ingested_at if series.coverage else None,
            open_issues=series.open_issues,
        )
        for series in BarStore(database).summary()
    ]


def verify(
    database: Database,
    settings: Settings,
    symbols: list[str] | None = None,
    timeframe: str = "1d",
) -> list[QualityIssue]:
    """Quality issues of the stored bars (NYSE calendar, OHLC, outliers, ...) plus every open
    quarantine row; raises NoBarsStoredError when there is nothing to verify."""
    del settings
    timeframe = check_timeframe(timeframe)
    store = BarStore(database)
    stored = {symbol for symbol, frame in store.symbols() if frame == timeframe}
    wanted = normalise_symbols(symbols) if symbols else sorted(stored)
    quarantine = store.open_quarantine(wanted if symbols else None, timeframe)
    known = stored | {record.symbol for record in quarantine}
    missing = [name for name in wanted if name not in known]
    if missing or not known:
        raise NoBarsStoredError(missing, timeframe)
    issues: list[QualityIssue] = []
    for name in wanted:
        if name in stored:
            bars = store.read_bars(name, timeframe, adjusted=False)
            issues += verify_bars(bars, symbol=name, timeframe=timeframe)
    issues += [
        QualityIssue(
            symbol=record.symbol,
            timeframe=record.timeframe,
            check=record.check,
            ts=record.ts,
            detail=f"quarantined on ingest from {record.source}: {record.detail}",
        )
        for record in quarantine
    ]
    return issues


def clear_cache(cache: Cache, symbol: str | None = None) -> int:
    """Remove cached market data (keys ``data:``, or ``data:<SYMBOL>:``); returns how many."""
    prefix = "data:" if symbol is None else f"data:{normalise_symbol(symbol)}:"
    return cache.clear(prefix)


def clear_market_data(
    cache: Cache,
    database: Database | None,
    *,
    symbol: str | None,
    bars: bool = False,
    confirmed: bool = False,
) -> ClearReport:
    """Clear cached market data; with ``bars`` also delete the symbol's stored bars, indicator
    values and indicator state (the next ingest fetches them again), which needs ``confirmed``."""
    name = normalise_symbol(symbol) if symbol is not None else None
    if bars and name is None:
        raise ValidationError("--bars deletes one symbol's stored bars: name it with --symbol")
    if bars and not confirmed:
        raise ValidationError(
            f"--bars deletes every stored bar and indicator value of {name}; confirm with --yes"
        )
    keys = clear_cache(cache, name)
    if not bars or name is None or database is None:
        return ClearReport(symbol=name, cache_keys=keys)
    deleted = BarStore(database).delete_bars(name)
    log.info("deleted stored data of %s: %s", name, deleted)
    return ClearReport(symbol=name, cache_keys=keys, deleted=deleted)


def update_indicators(
    database: Database,
    settings: Settings,
    symbols: list[str] | None,
    timeframe: str = "1d",
    *,
    full: bool = False,
) -> IndicatorReport:
    """Compute and store the configured indicators of ``symbols`` (None: every stored symbol
    at ``timeframe``) for their new bars (``full``: recompute everything)."""
    names = normalise_symbols(symbols) if symbols else None
    return compute_indicators(database, settings, names, timeframe, full=full)


class ScheduledRefresh:
    """The post-close job's work (``trademind.runtime.jobs.DataRefresher``): an incremental
    yfinance ingest of daily bars, then the indicators of the symbols that got their bars."""

    def __init__(
        self,
        database: Database,
        settings: Callable[[], Settings],
        *,
        provider: BarProvider | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._database = database
        self._settings = settings
        self._provider = provider
        self._clock = clock

    def refresh_bars(self, symbols: list[str]) -> dict[str, str | None]:
        report = ingest(
            self._database,
            self._settings(),
            symbols=symbols,
            source="yfinance",
            provider=self._provider,
            now=self._clock.now() if self._clock is not None else None,
        )
        return {result.symbol: result.error for result in report.results}

    def refresh_indicators(self, symbols: list[str]) -> dict[str, str | None]:
        report = update_indicators(self._database, self._settings(), symbols, "1d")
        return {result.symbol: result.error for result in report.results}
