"""`trademind ab`: A/B tests of two variants: run, list, show, report.

``ab run`` replays one strategy on the same bars, news and costs under two variants of the
settings (built in: ``rules``, ``hybrid``; more in ``ab.variants``) in a sandbox database,
bootstraps the difference of their daily returns and stores the test (docs/ai.md, "A/B tests").
Exit codes: 0 on success; 2 for a usage error (an unknown or repeated variant, a bootstrap
count or block length out of range, an end before the start, a bad output path, an unknown
strategy or parameter); 1 for what cannot be carried out (no such test, symbols without data,
too few common days, a bad ``ab.variants`` entry). ``--format json`` prints one JSON document.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trademind.cli.backtest_common import End, Params, Start, show_notices
from trademind.cli.context import get_state
from trademind.cli.output import print_json, print_message, print_table
from trademind.cli.safety_history import CashAmount, StrategyName, SymbolList
from trademind.core import backtest_limits as limits
from trademind.services.ab_limits import (
    DEFAULT_BLOCK_DAYS,
    DEFAULT_RESAMPLES,
    LIST_MAX,
    MAX_BLOCK_DAYS,
    MAX_RESAMPLES,
    MIN_RESAMPLES,
)

if TYPE_CHECKING:
    from trademind.backtest.analytics.paired_bootstrap import Interval
    from trademind.services.ab_figures import VariantFigures
    from trademind.services.ab_views import AbTestView

HELP = "A/B tests of two variants (rules, hybrid, ab.variants): run, list, show, report."

app = typer.Typer(help=HELP, no_args_is_help=True)

VariantName = Annotated[str, typer.Option(help="A variant: rules, hybrid or one in ab.variants.")]
Bootstrap = Annotated[
    int,
    typer.Option(min=MIN_RESAMPLES, max=MAX_RESAMPLES, help="Paired block bootstrap resamples."),
]
BlockDays = Annotated[
    int,
    typer.Option(min=1, max=MAX_BLOCK_DAYS, help="Trading days per bootstrap block."),
]
BootstrapSeed = Annotated[
    int, typer.Option("--seed", min=0, max=2**32 - 1, help="Seed of the bootstrap's draws.")
]
TestId = Annotated[
    int,
    typer.Argument(min=1, max=limits.RUN_ID_MAX, help="The A/B test's id (`trademind ab list`)."),
]


@app.command("run")
def run(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    a: Annotated[str, typer.Option("--a", help="Variant A (the baseline): rules, hybrid...")],
    b: Annotated[str, typer.Option("--b", help="Variant B (the challenger): hybrid, rules...")],
    strategy: StrategyName,
    symbols: SymbolList = None,
    start: Start = None,
    end: End = None,
    param: Params = None,
    bootstrap: Bootstrap = DEFAULT_RESAMPLES,
    block_days: BlockDays = DEFAULT_BLOCK_DAYS,
    seed: BootstrapSeed = 0,
    cash: CashAmount = None,
) -> None:
    """Replay a strategy under variants A and B on the same bars; B - A with 95% intervals.

    Default window: the three years up to the last stored bar (the bundled sample when a
    symbol has none stored). The test is stored: see `ab list`, `ab show ID`, `ab report ID`."""
    from trademind.cli.safety_history import checked_symbols
    from trademind.services.ab_service import AbRunRequest, run_ab
    from trademind.services.backtest_service import parse_assignments

    request = AbRunRequest(
        a=a,
        b=b,
        strategy=strategy,
        symbols=checked_symbols(symbols),
        start=start.date() if start else None,
        end=end.date() if end else None,
        params=parse_assignments(param or []),
        resamples=bootstrap,
        block_days=block_days,
        seed=seed,
        cash=cash,
    )
    state = get_state(ctx)
    settings = state.load_settings()
    with state.open_database() as database:
        view = run_ab(database, settings, request, clock=state.parts.clock)
    if state.json:
        print_json(view)
        return
    show_notices(state, list(view.notices))
    show_test(view)


@app.command("list")
def list_tests(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=LIST_MAX, help="How many, newest first.")] = 20,
) -> None:
    """The stored A/B tests, newest first."""
    from trademind.services.ab_service import list_ab

    state = get_state(ctx)
    with state.open_database() as database:
        tests = list_ab(database, limit)
    if state.json:
        print_json(tests)
        return
    rows = [
        (
            str(t.id),
            f"{t.created_at:%Y-%m-%d %H:%M}",
            f"{t.variant_b} vs {t.variant_a}",
            t.strategy,
            ",".join(t.symbols),
            f"{t.window_start:%Y-%m-%d}..{t.window_end:%Y-%m-%d}",
            str(t.days),
            f"{t.sharpe_diff:+.2f} [{t.sharpe_low:+.2f}, {t.sharpe_high:+.2f}]",
            "yes" if t.significant else "no",
        )
        for t in tests
    ]
    columns = ("id", "created (UTC)", "B vs A", "strategy", "symbols", "window", "days",
               "Sharpe B-A [95% CI]", "significant")  # fmt: skip
    print_table("A/B tests", columns, rows)


@app.command("show")
def show(ctx: typer.Context, test_id: TestId) -> None:
    """One stored A/B test: both variants, the differences and the verdict."""
    from trademind.services.ab_service import show_ab

    state = get_state(ctx)
    with state.open_database() as database:
        view = show_ab(database, test_id)
    if state.json:
        print_json(view)
        return
    show_notices(state, list(view.notices))
    show_test(view)


@app.command("report")
def report(
    ctx: typer.Context,
    test_id: TestId,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")],
) -> None:
    """Write a stored A/B test as a self-contained HTML page (no network needed to open it)."""
    from trademind.services import files
    from trademind.services.ab_report import render_ab_report
    from trademind.services.ab_service import show_ab

    files.check_writable(output, "--output")  # a usage error before any work
    state = get_state(ctx)
    with state.open_database() as database:
        view = show_ab(database, test_id)
    written = files.write_text(output, render_ab_report(view))
    print_message(f"A/B test {test_id} written to {written}")


def _interval(interval: Interval, percent: bool) -> tuple[str, str]:
    fmt = "{:+.2%}" if percent else "{:+.2f}"
    low, high = fmt.format(interval.low), fmt.format(interval.high)
    return fmt.format(interval.estimate), f"[{low}, {high}]"


def _variant_row(role: str, v: VariantFigures) -> tuple[str, ...]:
    decided = sum(v.decisions.get(key, 0) for key in ("buy", "sell", "hold"))
    return (
        f"{role}: {v.name}",
        f"{v.final_equity:,.2f}",
        f"{v.total_return:+.2%}",
        f"{v.sharpe:.2f}",
        f"{v.max_drawdown:.2%}",
        str(v.fills),
        str(v.round_trips),
        f"{decided} ({v.decisions.get('vetoed', 0)} vetoed)",
        f"{v.llm_calls} (${v.llm_cost_usd:.4f})",
    )


def show_test(view: AbTestView) -> None:
    """The human output of `ab run` and `ab show`."""
    setup = view.setup
    print_message(
        f"A/B test {view.id}: B={view.variant_b} vs A={view.variant_a}, {setup.strategy} on "
        f"{', '.join(setup.symbols)}, {view.window_start:%Y-%m-%d} to "
        f"{view.window_end:%Y-%m-%d} (exclusive; replayed from {setup.replay_start:%Y-%m-%d} "
        f"for the warm-up), {view.days} common days"
    )
    columns = ("variant", "final equity", "return", "Sharpe", "max drawdown", "fills",
               "round trips", "decisions", "LLM calls (cost)")  # fmt: skip
    print_table("Variants", columns, [_variant_row("A", view.a), _variant_row("B", view.b)])
    rows = [
        ("Sharpe (annualised)", *_interval(view.sharpe, percent=False)),
        ("total return", *_interval(view.total_return, percent=True)),
        ("max drawdown", *_interval(view.max_drawdown, percent=True)),
    ]
    print_table("Differences B - A", ("figure", "B - A", "95% CI"), rows)
    print_message(
        f"paired circular block bootstrap: {view.resamples} resamples, blocks of "
        f"{view.block_days} days, seed {view.seed}"
    )
    print_message(view.verdict)
