"""`trademind data`: market data and indicators: ingest, status, show, verify, clear the cache.

Exit codes: 0 when everything worked. ``ingest`` exits 1 when any symbol failed (the others are
still stored) and 0 with a warning line on stderr when rows were quarantined; ``verify`` exits 1
when it finds problems; a command that needs bars that are not stored exits 1 and says how to
ingest them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from trademind.cli.context import get_state
from trademind.cli.data_options import (
    check_file_name,
    checked_symbol,
    interval_or_default,
    symbol_list,
)
from trademind.cli.data_options import column_map as column_map_option
from trademind.cli.data_reports import (
    CommandFailedError,
    by_reason,
    ingest_progress,
    report_ingest,
)
from trademind.cli.data_tables import print_bar_tables
from trademind.cli.output import emit, print_json, print_message
from trademind.core.errors import NotBuiltYetError, UsageError

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.db.session import Database
    from trademind.services.data_report import (
        SymbolStatus,
    )

app = typer.Typer(
    help="Market data and indicators: ingest, status, show, verify.", no_args_is_help=True
)

SourceChoice = Literal["yfinance", "csv", "sample"]
_DATE = ["%Y-%m-%d"]
_SYMBOLS_HELP = "Comma-separated symbols, e.g. AAPL,MSFT,BRK.B."
_INTERVAL_HELP = "Bar interval (1d, 1h, 5m, ...). Default: data.default_timeframe."
MAX_DAYS = 36_500  # a century of calendar days: more than any source holds, far below overflow


def _when(moment: datetime | None, timeframe: str = "") -> str:
    if moment is None:
        return ""
    daily = timeframe in ("1d", "5d", "1wk", "1mo") and moment.hour == moment.minute == 0
    return moment.date().isoformat() if daily else moment.strftime("%Y-%m-%d %H:%M")


def _source(settings: Settings, source: SourceChoice | None) -> SourceChoice:
    chosen = source or settings.data.default_source
    if chosen == "ibkr":
        raise NotBuiltYetError("the ibkr data source", "the Interactive Brokers issue")
    return chosen


@app.command()
def ingest(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    symbols: Annotated[str | None, typer.Option("--symbols", "-s", help=_SYMBOLS_HELP)] = None,
    source: Annotated[
        SourceChoice | None,
        typer.Option(help="Where bars come from. Default: data.default_source."),
    ] = None,
    path: Annotated[
        Path | None,
        typer.Option(help="CSV file or directory of SYMBOL.csv files (csv source)."),
    ] = None,
    start: Annotated[
        datetime | None, typer.Option(formats=_DATE, help="First day (YYYY-MM-DD).")
    ] = None,
    end: Annotated[
        datetime | None, typer.Option(formats=_DATE, help="Last day, included (YYYY-MM-DD).")
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(min=1, max=MAX_DAYS, help="The last N calendar days."),
    ] = None,
    interval: Annotated[str | None, typer.Option(help=_INTERVAL_HELP)] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            help="CSV column names, FIELD=COLUMN pairs (csv source), e.g. "
            "date=Datum,open=Eröffnung,high=Hoch,low=Tief,close=Schluss,volume=Volumen. "
            "Fields: ts, date, time, open, high, low, close, volume, adj_close.",
        ),
    ] = None,
) -> None:
    """Fetch bars, quarantine bad rows, store the good ones (re-running changes nothing).

    Without --symbols the csv and sample sources ingest every symbol they hold and yfinance the
    watchlist. yfinance fetches only what is not stored yet. Exit 1 if any symbol failed."""
    from trademind.services import data_service

    state = get_state(ctx)
    settings = state.load_settings()
    chosen = _source(settings, source)
    column_map = column_map_option(columns, chosen)
    if chosen == "csv" and path is not None and path.is_file():
        check_file_name(path)
    factory = state.provider_factory
    provider = factory(chosen, path, settings) if factory is not None else None
    with state.open_database() as database, ingest_progress(state) as progress:
        report = data_service.ingest(
            database,
            settings,
            symbols=symbol_list(symbols),
            source=chosen,
            path=path,
            column_map=column_map,
            provider=provider,
            start=start.date() if start else None,
            end=end.date() if end else None,
            days=days,
            interval=interval_or_default(interval, settings),
            progress=progress,
            clock=state.parts.clock,
        )
    report_ingest(state, report)


def _status_row(status: SymbolStatus) -> tuple[Any, ...]:
    return (
        status.symbol,
        status.timeframe,
        _when(status.first, status.timeframe),
        _when(status.last, status.timeframe),
        status.rows,
        _when(status.last_update),
        status.open_issues,
    )


@app.command()
def status(ctx: typer.Context) -> None:
    """Stored symbols: range, rows, last update and open quality issues."""
    from trademind.services import data_status

    state = get_state(ctx)
    settings = state.load_read_settings()
    with state.open_database() as database:
        statuses = data_status.status(database, settings)
    if not statuses and not state.json:
        print_message(
            "no bars stored; run `trademind data ingest --symbols AAPL` "
            "(add `--source sample` for the bundled offline data)"
        )
        return
    emit(
        state,
        statuses,
        columns=("symbol", "interval", "first", "last", "rows", "updated (UTC)", "open issues"),
        rows=[_status_row(item) for item in statuses],
        title="Stored market data",
    )


@app.command()
def verify(
    ctx: typer.Context,
    symbols: Annotated[str | None, typer.Option("--symbols", "-s", help=_SYMBOLS_HELP)] = None,
    interval: Annotated[
        str | None,
        typer.Option(help="Only this bar interval (1d, 1h, ...). Default: every stored interval."),
    ] = None,
) -> None:
    """Check stored bars at every interval (NYSE sessions, duplicates, OHLC, NaN, implausible
    prices, volumes and returns, outliers, splits, staleness) and list open quarantined rows.
    Exit 1 when there are problems."""
    from trademind.services import data_service

    state = get_state(ctx)
    settings = state.load_settings()
    with state.open_database() as database:
        issues = data_service.verify(
            database,
            settings,
            symbol_list(symbols),
            interval and interval_or_default(interval, settings),
        )
    if not issues:
        emit(state, [], message="no problems found")
        return
    emit(
        state,
        issues,
        columns=("symbol", "interval", "check", "when (UTC)", "detail"),
        rows=[(i.symbol, i.timeframe, i.check, _when(i.ts, i.timeframe), i.detail) for i in issues],
        title="Data quality problems",
    )
    raise CommandFailedError(f"{len(issues)} data quality problems found")


@app.command("clear-cache")
def clear_cache(
    ctx: typer.Context,
    symbol: Annotated[str | None, typer.Option(help="Only this symbol's cached data.")] = None,
    bars: Annotated[
        bool,
        typer.Option(
            "--bars",
            help="Also delete the symbol's stored bars, indicator values and indicator "
            "state, so the next ingest fetches them again (e.g. stale data after a split).",
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm --bars.")] = False,
) -> None:
    """Clear cached market data (all, or one --symbol); --bars --yes also deletes stored bars."""
    from trademind.services import data_service

    state = get_state(ctx)
    if symbol is not None:
        symbol = checked_symbol(symbol)
    if bars and symbol is None:
        raise UsageError("--bars deletes one symbol's stored bars: name it with --symbol")
    cache = state.cache()
    if bars:
        with state.open_database() as database:
            confirmed = yes or _asked_to_delete(database, symbol)
            report = data_service.clear_market_data(
                cache,
                database,
                symbol=symbol,
                bars=True,
                confirmed=confirmed,
                clock=state.parts.clock,
            )
    else:
        report = data_service.clear_market_data(cache, None, symbol=symbol, clock=state.parts.clock)
    message = f"cleared {report.cache_keys} cached market data entries"
    if report.deleted is not None:
        message += (
            f"; deleted {report.deleted.bars} bars and {report.deleted.indicators} indicator "
            f"values of {report.symbol}"
        )
    emit(state, report, message=message)


def _asked_to_delete(database: Database, symbol: str | None) -> bool:
    """In a terminal, ask before ``--bars`` deletes anything (True: the user said yes);
    elsewhere False, so the service refuses with what would be lost."""
    from trademind.cli import confirm
    from trademind.services import data_service

    if symbol is None or not confirm.stdin_is_terminal():
        return False
    loss = data_service.stored_loss(database, symbol)
    if loss is not None:
        confirm.confirm_destruction(loss, yes=False, command="data clear-cache --bars")
    return True


@app.command()
def show(
    ctx: typer.Context,
    symbol: Annotated[str, typer.Argument(help="The symbol, e.g. AAPL.")],
    days: Annotated[
        int,
        typer.Option(min=1, max=MAX_DAYS, help="Calendar days up to the newest stored bar."),
    ] = 30,
    interval: Annotated[str | None, typer.Option(help=_INTERVAL_HELP)] = None,
    plot: Annotated[
        Path | None,
        typer.Option(help="Also write a Plotly candlestick chart to this HTML file."),
    ] = None,
) -> None:
    """Show stored bars with their stored indicator values; --plot FILE.html for a chart."""
    from trademind.services import data_show, files

    state = get_state(ctx)
    symbol = checked_symbol(symbol)
    if plot is not None:  # a bad chart path is refused before any work (a usage error)
        files.check_writable(plot, "--plot")
    settings = state.load_settings()
    timeframe = interval_or_default(interval, settings)
    with state.open_database() as database:
        view = data_show.show_bars(database, settings, symbol, days=days, timeframe=timeframe)
    written = data_show.write_chart(view, plot) if plot is not None else None
    if state.json:
        print_json(view)
        return
    stamps = [_when(stamp.to_pydatetime(), view.timeframe) for stamp in view.frame["ts"]]
    print_bar_tables(view, stamps)
    if not view.indicator_columns:
        print_message("no indicator values stored: run `trademind data update-indicators`")
    if written is not None:
        print_message(f"chart written to {written}")


def _indicator_rows(results: Sequence[Any]) -> list[tuple[Any, ...]]:
    return [
        (r.symbol, r.mode, r.bars_read, r.values_written, r.error or r.message or "")
        for r in results
    ]


@app.command("update-indicators")
def update_indicators(
    ctx: typer.Context,
    symbols: Annotated[str | None, typer.Option("--symbols", "-s", help=_SYMBOLS_HELP)] = None,
    interval: Annotated[str | None, typer.Option(help=_INTERVAL_HELP)] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Recompute everything instead of only new bars.")
    ] = False,
) -> None:
    """Compute and store the configured indicators for new bars (every stored symbol, or
    --symbols). Exit 1 if any symbol failed."""
    from trademind.services import data_service
    from trademind.services.data_report import NoBarsStoredError

    state = get_state(ctx)
    settings = state.load_settings()
    timeframe = interval_or_default(interval, settings)
    with state.open_database() as database:
        report = data_service.update_indicators(
            database, settings, symbol_list(symbols), timeframe, clock=state.parts.clock, full=full
        )
    if not report.results:
        raise NoBarsStoredError([], timeframe)
    emit(
        state,
        report.as_dict(),
        columns=("symbol", "mode", "bars read", "values written", "note"),
        rows=_indicator_rows(report.results),
        title=f"Indicators ({timeframe})",
    )
    failed = [(result.symbol, result.error) for result in report.results if result.error]
    if failed:  # one line: failures grouped by reason, each symbol named once
        total = len(report.results)
        raise CommandFailedError(f"{len(failed)} of {total} failed: {by_reason(failed)}")
