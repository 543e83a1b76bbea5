"""Market data use cases: ingest, status, verify, show, clear the cache, refresh after the close.

Every function takes the database and settings explicitly and returns plain data
(:mod:`trademind.services.data_report`). Ingest works symbol by symbol: each symbol is fetched,
screened and written in its own transaction, and one symbol's failure (network, malformed file,
database error) is recorded in its result while the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from trademind.config import Settings
from trademind.core.clock import Clock
from trademind.core.errors import ConfirmationRequiredError, TradeMindError, ValidationError
from trademind.core.ports import Cache
from trademind.data.corporate import ReportedSplit, detect_unadjusted_splits, reported_split_for
from trademind.data.plausibility import DEFAULT_MAX_CLOSE_RATIO
from trademind.data.providers import BarProvider, Source, build_provider
from trademind.data.providers.base import NetworkUnavailableError, SourceUnreachableError
from trademind.data.quality import QualityIssue, screen_rows, verify_bars
from trademind.data.schema import check_timeframe, normalise_symbol, normalise_symbols
from trademind.data.store import BarStore
from trademind.db.session import Database
from trademind.indicators.service import IndicatorReport
from trademind.indicators.service import update_indicators as compute_indicators
from trademind.services.data_fetch import (
    UNPARSABLE,
    Window,
    fetch_all,
    plan_requests,
    resolve_window,
    unparsable_row,
)
from trademind.services.data_report import (
    ClearReport,
    IngestReport,
    NoBarsStoredError,
    SymbolIngest,
)
from trademind.services.data_status import status

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str | None], None]
"""Called as ``progress(done, total, symbol)`` before each symbol and ``(total, total, None)``
at the end."""

__all__ = ["UNPARSABLE", "Window", "plan_requests", "resolve_window", "status"]

SAMPLE_HINT = "use `--source sample` for the bundled offline data"
OFFLINE_HINT = "Use --source sample or --source csv offline"


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
    clock: Clock,
    max_close_ratio: float = DEFAULT_MAX_CLOSE_RATIO,
) -> SymbolIngest:
    """Fetch, screen and store one symbol (rows stamped with ``clock``'s time); every failure
    becomes the result's ``error``, except an unreachable source (SourceUnreachableError),
    which concerns every symbol alike."""
    name = symbol
    try:
        name = normalise_symbol(symbol)
        coverage = store.coverage(name, timeframe) if incremental else None
        requests = plan_requests(name, timeframe, window, coverage)
        fetched = fetch_all(provider, requests, stored=coverage is not None) if requests else None
        if fetched is None:
            notice = "already up to date: no new bars"
            return SymbolIngest(
                symbol=name, timeframe=timeframe, source=provider.name, notices=(notice,)
            )
        good, screened = screen_rows(
            fetched.bars,
            symbol=name,
            timeframe=timeframe,
            max_close_ratio=max_close_ratio,
            splits=fetched.splits,
        )
        refused = [*screened, *(unparsable_row(row) for row in fetched.rejected)]
        written = store.write(name, timeframe, fetched.source, good, refused, now=clock.now())
    except SourceUnreachableError:
        raise
    except Exception as exc:  # one symbol's failure never stops the others
        if not isinstance(exc, TradeMindError):
            log.exception("ingest of %s failed unexpectedly", name)
        # INFO, not WARNING: the console shows the failure once, as the command's error line
        log.info("ingest of %s %s failed: %s", name, timeframe, _failure(exc))
        return SymbolIngest(
            symbol=name, timeframe=timeframe, source=provider.name, error=_failure(exc)
        )
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
        notices=fetched.notices + split_notices(name, good, fetched.splits),
    )


def split_notices(
    symbol: str, bars: pd.DataFrame, splits: Sequence[ReportedSplit] | None
) -> tuple[str, ...]:
    """A notice for each reported split whose gap shows in ``bars`` (bars stored before the
    split, at the old scale, next to new ones): the symbol needs a fresh ingest."""
    if not splits:
        return ()
    notices = []
    for suspect in detect_unadjusted_splits(bars):
        reported = reported_split_for(suspect, splits)
        if reported is not None:
            notices.append(
                f"{symbol}: the source reports a {reported.label} split on "
                f"{reported.ts:%Y-%m-%d} and the bars before it are not adjusted; run "
                f"`trademind data clear-cache --symbol {symbol} --bars --yes` and ingest again"
            )
    return tuple(notices)


def provider_for(
    settings: Settings,
    source: Source,
    path: Path | None,
    column_map: Mapping[str, str] | None = None,
    *,
    clock: Clock,
) -> BarProvider:
    if source == "csv" and path is None:
        path = settings.data.csv_dir or Path(settings.app.data_dir) / "csv"
    return build_provider(
        source,
        path=path,
        column_map=column_map,
        timezone=settings.data.csv_timezone,
        retries=settings.data.max_retries,
        timeout=settings.data.request_timeout,
        clock=clock,
    )


def _names(
    symbols: list[str] | None, source: Source, settings: Settings, provider: BarProvider
) -> list[str]:
    if symbols is not None:
        return normalise_symbols(symbols)
    if source == "yfinance":
        return normalise_symbols(list(settings.data.watchlist))
    names = provider.available_symbols()
    if not names:
        where = getattr(provider, "path", None)
        inside = f" in the directory {where}" if where is not None else ""
        raise ValidationError(f"the {source} source holds no symbols (no SYMBOL.csv files{inside})")
    return names


def ingest(
    database: Database,
    settings: Settings,
    *,
    symbols: list[str] | None,
    source: Source,
    path: Path | None = None,
    column_map: Mapping[str, str] | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
    days: int | None = None,
    interval: str = "1d",
    provider: BarProvider | None = None,
    progress: Progress | None = None,
    clock: Clock,
) -> IngestReport:
    """Ingest bars of ``symbols`` (None: every symbol the csv/sample source holds, or the
    watchlist for yfinance). yfinance is incremental: only ranges not stored are fetched.

    Raises SourceUnreachableError (nothing ingested) when the source's host does not answer
    its reachability probe; ``column_map`` maps CSV columns (csv source only). ``clock`` gives
    the end of a ``days`` window and the time rows are stamped with."""
    timeframe = check_timeframe(interval)
    window = resolve_window(
        start=start,
        end=end,
        days=days,
        now=clock.now(),
        default_days=settings.data.history_days if source == "yfinance" else None,
    )
    provider = provider or provider_for(settings, source, path, column_map, clock=clock)
    names = _names(symbols, source, settings, provider)
    results = _ingest_each(
        BarStore(database),
        provider,
        names,
        timeframe=timeframe,
        window=window,
        incremental=source == "yfinance",
        max_close_ratio=settings.data.max_close_ratio,
        progress=progress,
        clock=clock,
    )
    return IngestReport(source=source, timeframe=timeframe, results=tuple(results))


def _ingest_each(
    store: BarStore,
    provider: BarProvider,
    names: list[str],
    *,
    timeframe: str,
    window: Window,
    incremental: bool,
    max_close_ratio: float,
    progress: Progress | None,
    clock: Clock,
) -> list[SymbolIngest]:
    results: list[SymbolIngest] = []
    for done, name in enumerate(names):
        if progress is not None:
            progress(done, len(names), name)
        try:
            result = ingest_symbol(
                store,
                provider,
                name,
                timeframe=timeframe,
                window=window,
                incremental=incremental,
                clock=clock,
                max_close_ratio=max_close_ratio,
            )
        except SourceUnreachableError as err:
            if not results:
                message = f"{err}; nothing was ingested. {OFFLINE_HINT}"
                raise SourceUnreachableError(message) from None
            failed = names[done:]
            results += [
                SymbolIngest(symbol=n, timeframe=timeframe, source=provider.name, error=str(err))
                for n in failed
            ]
            break
        results.append(result)
    if progress is not None:
        progress(len(names), len(names), None)
    return results


def verify(
    database: Database,
    settings: Settings,
    symbols: list[str] | None = None,
    timeframe: str | None = None,
) -> list[QualityIssue]:
    """Quality issues of the stored bars (NYSE calendar, OHLC, implausible values, outliers,
    ...) plus every open quarantine row, at every stored interval (``timeframe``: only that
    one); raises NoBarsStoredError when there is nothing to verify (for a named symbol: when
    it has neither bars nor quarantined rows at any interval asked)."""
    timeframe = check_timeframe(timeframe) if timeframe is not None else None
    store = BarStore(database)
    stored = [
        (symbol, frame)
        for symbol, frame in store.symbols()
        if timeframe is None or frame == timeframe
    ]
    wanted = normalise_symbols(symbols) if symbols else sorted({symbol for symbol, _ in stored})
    quarantine = store.open_quarantine(wanted if symbols else None, timeframe)
    known = {symbol for symbol, _ in stored} | {record.symbol for record in quarantine}
    missing = [name for name in wanted if name not in known]
    if missing or not known:
        raise NoBarsStoredError(missing, timeframe)
    issues: list[QualityIssue] = []
    for name, frame in stored:
        if name in wanted:
            bars = store.read_bars(name, frame, adjusted=False)
            issues += verify_bars(
                bars,
                symbol=name,
                timeframe=frame,
                max_close_ratio=settings.data.max_close_ratio,
            )
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
    clock: Clock,
) -> ClearReport:
    """Clear cached market data; with ``bars`` also delete the symbol's stored bars, indicator
    values and indicator state (the next ingest fetches them again), which needs ``confirmed``
    and ``clock`` (the time the symbol's open quarantine rows are resolved at)."""
    name = normalise_symbol(symbol) if symbol is not None else None
    if bars and name is None:
        raise ValidationError("--bars deletes one symbol's stored bars: name it with --symbol")
    if bars and not confirmed and (loss := stored_loss(database, name)) is not None:
        raise ConfirmationRequiredError(
            f"data clear-cache --bars {loss}; nothing was changed: add --yes to confirm"
        )
    keys = clear_cache(cache, name)
    if not bars or name is None or database is None:
        return ClearReport(symbol=name, cache_keys=keys)
    deleted = BarStore(database).delete_bars(name, now=clock.now())
    log.info("deleted stored data of %s: %s", name, deleted)
    return ClearReport(symbol=name, cache_keys=keys, deleted=deleted)


def stored_loss(database: Database | None, symbol: str | None) -> str | None:
    """What deleting ``symbol``'s stored series loses ("deletes 2,768 bars and 52,592
    indicator values of AAPL"), or None when nothing of it is stored."""
    if database is None or symbol is None:
        return "deletes stored bars"
    bars, indicators = BarStore(database).count_series(symbol)
    if bars == 0 and indicators == 0:
        return None
    return f"deletes {bars:,} bars and {indicators:,} indicator values of {symbol}"


def update_indicators(
    database: Database,
    settings: Settings,
    symbols: list[str] | None,
    timeframe: str = "1d",
    *,
    clock: Clock,
    full: bool = False,
) -> IndicatorReport:
    """Compute and store the configured indicators of ``symbols`` (None: every stored symbol
    at ``timeframe``) for their new bars (``full``: recompute everything), stamped with
    ``clock``'s time."""
    names = normalise_symbols(symbols) if symbols else None
    if names is not None:  # a symbol without bars fails the request before anything is written
        stored = set(BarStore(database).symbols())
        missing = [name for name in names if (name, check_timeframe(timeframe)) not in stored]
        if missing:
            raise NoBarsStoredError(missing, timeframe)
    return compute_indicators(database, settings, names, timeframe, clock=clock, full=full)


class ScheduledRefresh:
    """The post-close job's work (``trademind.runtime.jobs.DataRefresher``): an incremental
    yfinance ingest of daily bars, then the indicators of the symbols that got their bars."""

    def __init__(
        self,
        database: Database,
        settings: Callable[[], Settings],
        *,
        provider: BarProvider | None = None,
        clock: Clock,
    ) -> None:
        self._database = database
        self._settings = settings
        self._provider = provider
        self._clock = clock

    def refresh_bars(self, symbols: list[str]) -> dict[str, str | None]:
        try:
            report = ingest(
                self._database,
                self._settings(),
                symbols=symbols,
                source="yfinance",
                provider=self._provider,
                clock=self._clock,
            )
        except SourceUnreachableError as err:  # offline: every symbol failed alike
            return {normalise_symbol(symbol): str(err) for symbol in symbols}
        return {result.symbol: result.error for result in report.results}

    def refresh_indicators(self, symbols: list[str]) -> dict[str, str | None]:
        report = update_indicators(
            self._database, self._settings(), symbols, "1d", clock=self._clock
        )
        return {result.symbol: result.error for result in report.results}
