"""`trademind agents select-strategy`: the strategy-selection agent judged out of sample.

Prints each symbol's chosen strategy and reason per test window, the out-of-sample Sharpe
ratios of the selector, each fixed strategy and equal weight with bootstrap intervals, and the
verdict (``--format json``: the whole report; ``--output FILE.json`` writes it too). See
docs/ai.md, "Strategy selection".
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from trademind.cli.backtest_common import End, Seed, Start
from trademind.cli.context import get_state
from trademind.cli.data_options import symbol_list
from trademind.cli.output import print_json, print_message, print_table
from trademind.core import backtest_limits as limits

_WINDOWS_HELP = "Out-of-sample test windows (each after a training span 3 times as long)."
_BOOTSTRAP_HELP = "Block-bootstrap resamples for the Sharpe intervals (100..100000)."
_STRATEGIES_HELP = "Comma-separated strategies to select from (default: every registered one)."
_INDEX_HELP = "Index symbol (stored bars) for the correlation feature; none: feature missing."


def select_strategy(  # noqa: PLR0917 - the command's options
    ctx: typer.Context,
    symbols: Annotated[str, typer.Option("--symbols", help="Comma-separated symbols.")],
    start: Start = None,
    end: End = None,
    windows: Annotated[
        int,
        typer.Option(
            min=limits.WALK_FORWARD_WINDOWS_MIN,
            max=limits.WALK_FORWARD_WINDOWS_MAX,
            help=_WINDOWS_HELP,
        ),
    ] = 5,
    bootstrap: Annotated[
        int,
        typer.Option(
            min=limits.SELECTION_BOOTSTRAP_MIN,
            max=limits.SELECTION_BOOTSTRAP_MAX,
            help=_BOOTSTRAP_HELP,
        ),
    ] = 5000,
    seed: Seed = 0,
    strategies: Annotated[str | None, typer.Option(help=_STRATEGIES_HELP)] = None,
    index: Annotated[str | None, typer.Option(help=_INDEX_HELP)] = None,
    output: Annotated[
        Path | None, typer.Option(help="Also write the report as JSON to this file.")
    ] = None,
) -> None:
    """Walk-forward test of regime-based strategy selection against each fixed strategy and
    equal weights: out-of-sample Sharpe ratios with paired block-bootstrap intervals."""
    from trademind.cli.data_options import checked_symbol
    from trademind.services import strategy_selection as service
    from trademind.services.files import check_writable, write_text
    from trademind.services.json_ready import to_json

    request = service.SelectionRequest(
        symbols=tuple(symbol_list(symbols) or ()),
        start=_day(start),
        end=_day(end),
        windows=windows,
        bootstrap=bootstrap,
        seed=seed,
        strategies=tuple(part for part in (strategies or "").split(",") if part.strip()),
        index=None if index is None else checked_symbol(index),
    )
    service.check_request(request)
    if output is not None:
        check_writable(output, "--output")
    state = get_state(ctx)
    settings = state.load_settings()
    with state.open_database() as database:
        report = service.evaluate(database, settings, request, clock=state.parts.clock)
    if output is not None:
        write_text(output, json.dumps(to_json(report), indent=2) + "\n")
    if state.json:
        print_json(report)
    else:
        _print(report, output)


def _day(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.date()  # type: ignore[return-value]


def register(app: typer.Typer) -> None:
    """Add `select-strategy` to the `agents` group ``app``."""
    app.command("select-strategy")(select_strategy)


def _print(report: object, output: Path | None) -> None:
    from trademind.services.strategy_selection_views import SelectionReport, interval_text

    assert isinstance(report, SelectionReport)
    for notice in report.notices:
        print_message(f"note: {notice}")
    print_message("Choices (per test window and symbol, made at the close before it):")
    for c in report.choices:
        print_message(
            f"  window {c.window} {c.symbol} {c.test_start:%Y-%m-%d}..{c.test_end:%Y-%m-%d}: "
            f"{c.strategy} ({c.test_return:+.1%} out of sample) because {c.reason}"
        )
    sharpe = [(r.name, interval_text(r.sharpe), f"{r.total_return:+.1%}") for r in report.sharpe]
    title = (
        f"Out-of-sample Sharpe ratio, {report.start:%Y-%m-%d} to {report.end:%Y-%m-%d} "
        f"({report.days} days; {report.bootstrap_runs} block-bootstrap resamples, blocks of "
        f"{report.block_length} days, seed {report.seed})"
    )
    print_table(title, ("series", "Sharpe (annualised)", "total return"), sharpe)
    print_message(report.verdict)
    if output is not None:
        print_message(f"report written to {output}")
