"""`trademind safety backtest` and `trademind safety validate` (registered on the `safety`
group by :mod:`trademind.cli.safety`).

``safety backtest`` replays a strategy with and without the safety layer in a sandbox database
and prints both runs' figures, their differences, every breaker trip with what it changed, every
state change and the rejections by rule. ``safety validate`` replays, bootstraps and checks a
strategy (one replay as the account trades it, in a sandbox) and exits 0 when it passes, 1 when
it fails (the reasons printed either way).
Exit code 2 for a usage error (unknown window or strategy, --window with --start/--end, an end
before the start, a parameter or simulation count out of range), 1 for what cannot be carried
out (symbols without data, a window the stored bars do not cover). ``--format json`` prints
exactly one JSON document.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from trademind.cli.backtest_common import End, Params, Start, show_notices
from trademind.cli.context import get_state
from trademind.cli.finite import FiniteFloatRange
from trademind.cli.output import print_json, print_message, print_table

if TYPE_CHECKING:
    from trademind.services.safety_history import SafetyBacktestReport
    from trademind.services.safety_history_report import RunFigures, TripView
    from trademind.services.safety_validation import ValidationView

StrategyName = Annotated[str, typer.Option("--strategy", help="Strategy name.")]
SymbolList = Annotated[str | None, typer.Option("--symbols", help="Comma-separated symbols.")]
WindowName = Annotated[
    str | None,
    typer.Option(help="A named stress window: covid-2020, gfc-2008, rates-2022, flash-2010."),
]
CashAmount = Annotated[
    float | None,
    typer.Option(
        click_type=FiniteFloatRange(0.0, 1e12, min_open=True),
        help="Starting cash. Default: backtest.initial_cash.",
    ),
]
Simulations = Annotated[
    int, typer.Option(min=1, max=100_000, help="Monte Carlo resamplings of the daily returns.")
]
SeedOption = Annotated[int, typer.Option(min=0, max=2**32 - 1, help="Monte Carlo seed.")]


def checked_symbols(text: str | None) -> tuple[str, ...]:
    from trademind.cli.data_options import checked_symbol

    given = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    for part in given:
        checked_symbol(part)
    return given


def _day(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:+.2%}"


def backtest(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    strategy: StrategyName,
    symbols: SymbolList = None,
    window: WindowName = None,
    start: Start = None,
    end: End = None,
    param: Params = None,
    cash: CashAmount = None,
) -> None:
    """Replay a strategy with and without the safety layer: trips, rejections, what changed."""
    from trademind.core.errors import UsageError
    from trademind.services.backtest_service import parse_assignments
    from trademind.services.safety_history import SafetyBacktestRequest, safety_backtest

    chosen = checked_symbols(symbols)
    if not chosen:
        raise UsageError("name the symbols to replay: --symbols AAPL,MSFT")
    request = SafetyBacktestRequest(
        strategy=strategy,
        symbols=chosen,
        window=window,
        start=start.date() if start else None,
        end=end.date() if end else None,
        params=parse_assignments(param or []),
        cash=cash,
    )
    state = get_state(ctx)
    settings = state.load_settings()
    with state.open_database() as database:
        report = safety_backtest(database, settings, request, clock=state.parts.clock)
    if state.json:
        print_json(report)
        return
    show_notices(state, list(report.notices))
    _show_backtest(report)


def _show_backtest(report: SafetyBacktestReport) -> None:
    comparison = report.comparison
    name = f"{report.window}: " if report.window else ""
    print_message(
        f"{report.strategy} on {', '.join(report.symbols)}, {name}{_day(report.start)} to "
        f"{_day(report.end)} (exclusive; replayed from {_day(report.replay_start)} for the "
        "warm-up)"
    )
    runs = (comparison.with_safety, comparison.without_safety)
    print_table("Runs", ("run", "final equity", "return", "max drawdown", "orders", "fills",
                         "rejected"), [_run_row(r) for r in runs])  # fmt: skip
    diff = comparison.difference
    print_message(
        f"difference (with - without): equity {diff.final_equity:+,.2f}, return "
        f"{_pct(diff.total_return)}, max drawdown {_pct(diff.max_drawdown)}, orders "
        f"{diff.orders:+d}, fills {diff.fills:+d}"
    )
    _show_trips(comparison.trips)
    rows = [
        (_day(c.at), c.event, f"{c.from_state} -> {c.to_state}", c.actor, c.reason)
        for c in comparison.state_changes
    ]
    print_table("State changes", ("at", "event", "state", "actor", "reason"), rows)
    rejections = [
        (
            g.rule,
            str(g.count),
            "; ".join(f"{_day(e.at)} {e.symbol}: {e.reason}" for e in g.examples),
        )
        for g in comparison.rejections
    ]
    print_table("Rejections (safety run) by rule", ("rule", "count", "first ones"), rejections)


def _run_row(run: RunFigures) -> tuple[str, ...]:
    return (
        "with safety" if run.safety else "without safety",
        f"{run.final_equity:,.2f}",
        _pct(run.total_return),
        _pct(run.max_drawdown),
        str(run.orders),
        str(run.fills),
        str(run.rejected),
    )


def _show_trips(trips: tuple[TripView, ...]) -> None:
    if not trips:
        print_message("Circuit-breaker trips: none")
        return
    rows = [
        (
            _day(t.at),
            t.breaker,
            "" if t.value is None else f"{t.value:g}",
            "" if t.threshold is None else f"{t.threshold:g}",
            t.state,
            f"{_day(t.effect.period_end)} ({t.effect.ended_by})",
            _pct(t.effect.return_difference),
            _pct(t.effect.drawdown_difference),
        )
        for t in trips
    ]
    columns = ("at", "breaker", "value", "threshold", "state asked", "until", "return diff",
               "drawdown diff")  # fmt: skip
    print_table("Circuit-breaker trips (diff: with - without, trip to until)", columns, rows)


def validate(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    strategy: StrategyName,
    symbols: SymbolList = None,
    param: Params = None,
    start: Start = None,
    end: End = None,
    simulations: Simulations = 1000,
    seed: SeedOption = 0,
) -> None:
    """Gate a strategy for paper trading: replayed as the account trades it (the safety layer
    on), its Monte Carlo drawdown, breaker trips, refused entries; exit 1 on fail."""
    from trademind.services.backtest_service import parse_assignments
    from trademind.services.safety_validation import ValidateRequest
    from trademind.services.safety_validation import validate as run_validation

    request = ValidateRequest(
        strategy=strategy,
        symbols=checked_symbols(symbols),
        params=parse_assignments(param or []),
        simulations=simulations,
        seed=seed,
        start=start.date() if start else None,
        end=end.date() if end else None,
    )
    state = get_state(ctx)
    settings = state.load_settings()
    with state.open_database() as database:
        view = run_validation(database, settings, request, clock=state.parts.clock)
    if state.json:
        print_json(view)
    else:
        show_notices(state, list(view.notices))
        _show_validation(view)
    if not view.passed:
        raise typer.Exit(1)


def _show_validation(view: ValidationView) -> None:
    from trademind.services.safety_validation import window_text

    params = ", ".join(f"{k}={v}" for k, v in view.params.items()) or "no parameters"
    verdict = "PASSED" if view.passed else "FAILED"
    figures = view.figures
    print_message(
        f"{view.strategy} ({params}) on {', '.join(view.symbols)}: {verdict} (validation {view.id})"
    )
    print_message(
        f"measured: {view.measurement}, {window_text(figures)} ({figures.days} days, "
        f"{figures.round_trips} round trips, return {figures.total_return:+.2%}, max drawdown "
        f"{figures.max_drawdown:.2%}); {figures.simulations} block-bootstrap simulations "
        f"(blocks of {figures.block_length} days, seed {figures.seed})"
    )
    rows = [(c.name, c.verdict.upper(), c.reason) for c in view.checks]
    print_table(None, ("check", "verdict", "reason"), rows)
