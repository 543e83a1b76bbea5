"""What the `trademind backtest` commands share: options, the data window, progress, a run.

``strategies backtest`` uses :func:`run_command` too, so it is exactly ``backtest run`` with the
strategy named as an argument.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from trademind.cli import backtest_output as show
from trademind.cli.context import CliState, get_state
from trademind.cli.data_options import checked_interval, checked_symbol
from trademind.cli.execution_options import ExecutionOptions
from trademind.cli.output import print_json, print_message, stderr
from trademind.core import backtest_limits as limits
from trademind.core.errors import UsageError

if TYPE_CHECKING:
    from trademind.services.backtest_data import DataRequest
    from trademind.services.backtest_service import Progress as ServiceProgress

_DATE = ["%Y-%m-%d"]


Symbol = Annotated[
    str | None, typer.Option("--symbol", help="The symbol, e.g. AAPL (or A,B for several).")
]
Symbols = Annotated[str | None, typer.Option("--symbols", help="Comma-separated symbols.")]
Days = Annotated[
    int | None,
    typer.Option(min=1, max=limits.DAYS_MAX, help="The last N calendar days of the stored bars."),
]
Start = Annotated[datetime | None, typer.Option(formats=_DATE, help="First day (YYYY-MM-DD).")]
End = Annotated[
    datetime | None, typer.Option(formats=_DATE, help="Last day, included (YYYY-MM-DD).")
]
Interval = Annotated[
    str | None, typer.Option(help="Bar interval (1d, 1h, ...). Default: data.default_timeframe.")
]
Params = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="A parameter: name=value (repeat for several)."),
]
EngineChoice = Annotated[
    Literal["native", "backtrader"],
    typer.Option(help="native (numba) or backtrader (the reference engine, an optional extra)."),
]
Report = Annotated[
    Path | None, typer.Option(help="Also write an HTML report (Plotly) to this file.")
]
SweepParams = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="Values to try: fast=5:20:5 (start:stop:step), slow=20,30,50, or one value.",
    ),
]
Metric = Annotated[str, typer.Option(help="The metric to maximise (drawdowns: least deep).")]
Workers = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=limits.WORKERS_MAX,
        help="Worker processes (default: one per CPU for large sweeps, else 1).",
    ),
]
RandomCount = Annotated[
    int | None,
    typer.Option(
        "--random",
        min=1,
        max=limits.SWEEP_TRIALS_MAX,
        help="Try N random parameter sets instead of a grid.",
    ),
]
Seed = Annotated[int, typer.Option(min=0, max=limits.SEED_MAX, help="Seed of the random draws.")]
RunId = Annotated[
    int,
    typer.Argument(min=1, max=limits.RUN_ID_MAX, help="The run's ID (`trademind backtest list`)."),
]


def _symbols(symbol: str | None, symbols: str | None) -> list[str]:
    """The symbols given; none, or one that is not a valid symbol, is a usage error."""
    given = [part for raw in (symbol, symbols) if raw for part in raw.split(",") if part.strip()]
    if not given:
        raise UsageError("name the symbol to backtest: --symbol AAPL (or --symbols A,B)")
    for part in given:
        checked_symbol(part)
    return given


def _check_window(
    days: int | None, start: datetime | None, end: datetime | None, interval: str | None
) -> None:
    """What the window options get wrong by themselves: a usage error before any data is read."""
    from trademind.services.data_fetch import check_window_options

    check_window_options(
        start=start.date() if start else None, end=end.date() if end else None, days=days
    )
    if interval is not None:
        checked_interval(interval)


def data_request(  # noqa: PLR0917 - the CLI's window options, passed straight through
    symbol: str | None,
    symbols: str | None,
    days: int | None,
    start: datetime | None,
    end: datetime | None,
    interval: str | None,
) -> DataRequest:
    from trademind.services.backtest_data import DataRequest

    _check_window(days, start, end, interval)
    return DataRequest(
        symbols=_symbols(symbol, symbols),
        start=start.date() if start else None,
        end=end.date() if end else None,
        days=days,
        timeframe=interval,
    )


@contextmanager
def progress_bar(state: CliState, label: str) -> Iterator[ServiceProgress]:
    """A Rich progress bar on stderr (a terminal only, never in JSON mode)."""
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
    task = bar.add_task(label, total=None)

    def update(done: int, total: int, what: str) -> None:
        bar.update(task, completed=done, total=total, description=f"{label}: {what}")

    with bar:
        yield update


def show_notices(state: CliState, items: list[str]) -> None:
    if not state.json:
        show.notices(items)


def run_command(  # noqa: PLR0917 - one function behind `backtest run` and `strategies backtest`
    ctx: typer.Context,
    strategy: str,
    data: DataRequest,
    params: list[str] | None,
    engine: str,
    execution: ExecutionOptions,
    report: Path | None,
    name: str | None = None,
) -> None:
    """Run, store, report and print one backtest with the execution options given."""
    from trademind.services import backtest_export, backtest_service, files

    if report is not None:  # a usage error before anything runs or is stored
        files.check_writable(report, "--report")
    state = get_state(ctx)
    settings = state.load_settings()
    request = backtest_service.RunRequest(
        strategy=strategy,
        data=data,
        params=backtest_service.parse_assignments(params or []),
        slippage=execution.slippage,
        commission=execution.commission,
        engine=engine,
        name=name,
        execution=execution.texts(),
    )
    publish = None if report is None else backtest_export.report_writer(report, settings)
    with state.open_database() as db, progress_bar(state, "backtest") as progress:
        result = backtest_service.run(
            db, settings, request, progress=progress, publish=publish, clock=state.parts.clock
        )
    view = result.view
    if state.json:
        print_json(result.to_json() | {"report": None if report is None else str(report)})
        return
    show_notices(state, list(view.notices))
    show.show_run(view)
    if report is not None:
        print_message(f"report written to {report}")
    print_message(f"stored as run #{view.id}: `trademind backtest results {view.id}`")
