"""How `data` commands report: the ingest table and summary, failures on one line, the
progress bar (`ingest` and `update-indicators`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from trademind.cli.context import CliState
from trademind.cli.output import emit, print_message, stderr
from trademind.core.errors import TradeMindError

if TYPE_CHECKING:
    from trademind.services import data_service
    from trademind.services.data_report import IngestReport, SymbolIngest


class CommandFailedError(TradeMindError):
    """The command ran and reported its results, but something in them failed."""


@contextmanager
def ingest_progress(state: CliState) -> Iterator[data_service.Progress]:
    """A Rich progress bar on stderr (only on a terminal: scripts get clean output)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=state.json or not stderr.is_terminal,
    )
    task = bar.add_task("ingest", total=None)

    def update(done: int, total: int, symbol: str | None) -> None:
        label = f"ingest {symbol}" if symbol else "ingest done"
        bar.update(task, completed=done, total=total, description=label)

    with bar:
        yield update


INGEST_COLUMNS = (
    "symbol",
    "fetched",
    "inserted",
    "updated",
    "unchanged",
    "quarantined",
    "rejected",
    "result",
)


def ingest_row(result: SymbolIngest) -> tuple[Any, ...]:
    outcome = "ok" if result.ok else "FAILED"
    return (
        result.symbol,
        result.fetched,
        result.inserted,
        result.updated,
        result.unchanged,
        result.quarantined,
        result.rejected,
        outcome,
    )


def report_ingest(state: CliState, report: IngestReport) -> None:
    totals = report.totals
    emit(
        state,
        report,
        columns=INGEST_COLUMNS,
        rows=[ingest_row(result) for result in report.results],
        title=f"Ingest from {report.source} ({report.timeframe})",
    )
    if not state.json:
        for notice in dict.fromkeys(n for result in report.results for n in result.notices):
            print_message(f"note: {notice}")
        print_message(
            f"{totals['symbols']} symbols: {totals['inserted']} bars inserted, "
            f"{totals['updated']} updated, {totals['unchanged']} unchanged"
        )
    refused = totals["quarantined"] + totals["rejected"]
    quarantined = (
        f"{refused} rows quarantined ({totals['rejected']} unparsable); they were not stored: "
        "see `trademind data verify`"
        if refused
        else ""
    )
    if report.failed:  # one line: failures grouped by reason, each symbol named once
        reasons = by_reason([(result.symbol, result.error) for result in report.failed])
        also = f" (also: {quarantined})" if quarantined else ""
        raise CommandFailedError(
            f"{len(report.failed)} of {totals['symbols']} failed: {reasons}{also}"
        )
    if quarantined:
        stderr.print(f"warning: {quarantined}", markup=False, highlight=False)


def by_reason(failed: Sequence[tuple[str, str | None]]) -> str:
    """``AAPL, MSFT: why; TSLA: why else`` (a reason's leading ``SYMBOL: `` dropped)."""
    by_reason: dict[str, list[str]] = {}
    for symbol, error in failed:
        by_reason.setdefault((error or "").removeprefix(f"{symbol}: "), []).append(symbol)
    return "; ".join(f"{', '.join(names)}: {why}" for why, names in by_reason.items())
