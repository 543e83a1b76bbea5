"""`trademind trade`: trade one account through the live trading loop (replay or paper).

``trade --mode replay --strategy ma_crossover --symbols AAPL,MSFT --speed max`` replays the
stored bars (the bundled sample when nothing is stored, as ``backtest run``) bar by bar through
the strategies, the execution router and the paper broker, and books every order, fill and a
portfolio snapshot at each bar close in the account's ledger (``portfolio``, ``trades``). The
execution options are ``backtest run``'s, so a replay fills as the backtest does.
``trade --mode paper --symbols AAPL`` trades live bars instead: the strategies warm up on the
stored bars (``--days N``, default 365), then Yahoo Finance is polled at each bar close of
each NYSE session (network needed) until Ctrl-C or, with ``--end DAY``, that day's close; the
paper broker fills against those bars by the backtest's rules (docs/trading.md).

One process per account: a second one is refused naming the first one's pid. A new session
refuses an account that already has history; ``--resume`` continues an account where it
stopped (after a crash too: nothing is lost or placed twice). Exit codes: 2 for a usage error
(a malformed option, a number out of range, an unknown strategy, parameter or mode, a
``--resume`` that changes the session's settings); 1 for a request that cannot be carried out
(no bars for a symbol, a window outside the data, an unknown account to resume, an account in
use or with history, live mode). A refused run changes nothing in the ledger.
``--format json`` prints exactly one JSON document on stdout.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

import click
import typer

from trademind.cli.backtest_common import (
    Days,
    End,
    Interval,
    Params,
    Start,
    Symbols,
    show_notices,
)
from trademind.cli.context import get_state
from trademind.cli.data_options import checked_interval, checked_symbol
from trademind.cli.execution_options import (
    NONE_GIVEN,
    ExecutionOptions,
    with_execution_options,
)
from trademind.cli.finite import FiniteFloatRange
from trademind.cli.trade_view import TradeView, show_summary
from trademind.core.errors import UsageError

if TYPE_CHECKING:
    from trademind.cli.context import CliState
    from trademind.config import Settings
    from trademind.services.trade import TradeRequest

CASH_MAX = 1e12

Mode = Annotated[
    Literal["replay", "paper", "live"] | None,
    typer.Option(
        help="replay (stored bars through the live loop) or paper (live Yahoo Finance bars on "
        "NYSE sessions until Ctrl-C or --end; needs the network). Default: replay."
    ),
]
Strategy = Annotated[
    str | None,
    typer.Option(help="Strategy name (`trademind strategies list`). Default: the enabled ones."),
]
Speed = Annotated[
    str, typer.Option(help="Replay speed: max (as fast as it goes) or a multiple: 1x, 60x.")
]
Account = Annotated[
    str | None,
    typer.Option("--account", "-a", help="The account to trade. Default: named after the mode."),
]
Cash = Annotated[
    float | None,
    typer.Option(
        click_type=FiniteFloatRange(0.0, CASH_MAX, min_open=True),
        help="Starting cash of a new account. Default: backtest.initial_cash.",
    ),
]
Resume = Annotated[
    bool, typer.Option("--resume", help="Continue the account's session where it stopped.")
]
Variants = Annotated[
    str | None,
    typer.Option(
        help="Live A/B: comma-separated variants (rules, hybrid, ab.variants), each trading its "
        "own account <account>-<variant> on the same bars; every decision carries its variant."
    ),
]

app = typer.Typer(rich_markup_mode=None, add_completion=False)


def _symbols(symbols: str | None) -> tuple[str, ...]:
    given = [part.strip() for part in (symbols or "").split(",") if part.strip()]
    for part in given:
        checked_symbol(part)
    return tuple(given)


def _request(  # noqa: PLR0917 - the command's options, passed straight through
    mode: str | None,
    strategy: str | None,
    symbols: str | None,
    days: int | None,
    start: datetime | None,
    end: datetime | None,
    interval: str | None,
    param: list[str] | None,
    speed: str,
    account: str | None,
    cash: float | None,
    resume: bool,
    execution: ExecutionOptions,
) -> TradeRequest:
    from trademind.services.backtest_service import parse_assignments
    from trademind.services.data_fetch import check_window_options
    from trademind.services.trade import TradeRequest

    check_window_options(
        start=start.date() if start else None, end=end.date() if end else None, days=days
    )
    if interval is not None:
        checked_interval(interval)
    chosen = _symbols(symbols)
    if not chosen and not resume:
        raise UsageError("name the symbols to trade: --symbols AAPL,MSFT")
    return TradeRequest(
        mode=mode,
        symbols=chosen,
        strategy=strategy,
        params=parse_assignments(param or []),
        start=start.date() if start else None,
        end=end.date() if end else None,
        days=days,
        timeframe=interval,
        speed=speed,
        account=account,
        cash=cash,
        resume=resume,
        slippage=execution.slippage,
        commission=execution.commission,
        execution=execution.texts(),
    )


@app.command()
@with_execution_options
def trade(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    mode: Mode = None,
    strategy: Strategy = None,
    symbols: Symbols = None,
    days: Days = None,
    start: Start = None,
    end: End = None,
    interval: Interval = None,
    param: Params = None,
    speed: Speed = "max",
    account: Account = None,
    cash: Cash = None,
    resume: Resume = False,
    variants: Variants = None,
    execution: ExecutionOptions = NONE_GIVEN,
) -> None:
    """Trade an account through the live trading loop: `trade --symbols AAPL,MSFT`.

    Replays the stored bars (the bundled sample when nothing is stored) bar by bar through the
    strategies, the execution router and the paper broker, booking orders, fills and a
    snapshot at every bar close in the account's ledger (see `portfolio`, `trades`). The
    execution options are those of `backtest run`. --resume continues the account's session
    where it stopped, after a crash too.

    --mode paper trades live bars from Yahoo Finance (network needed), polled at each bar
    close of each NYSE session, after warming the strategies up on the stored bars (--days N,
    default 365; ingest them first with `data ingest`). It runs until Ctrl-C (the summary is
    printed) or, with --end DAY, until that day's close; --start and --speed are replay-only.

    --variants rules,hybrid trades one account per variant (<account>-rules, <account>-hybrid)
    on the same bars: replays one after the other, paper sessions together on one bar stream
    (docs/trading.md, "Live A/B")."""
    from trademind.services.trade import TradeOptions, run_trade

    request = _request(
        mode, strategy, symbols, days, start, end, interval, param, speed, account, cash,
        resume, execution,
    )  # fmt: skip
    state = get_state(ctx)
    settings = state.load_settings()
    if variants is not None:
        _trade_variants(state, settings, request, variants)
        return
    with state.open_database() as database, TradeView(state) as view:
        options = TradeOptions(clock=state.parts.clock, on_step=view.update)
        summary = run_trade(database, settings, request, options)
    if state.json:
        from trademind.cli.output import print_json

        print_json(summary)
        return
    show_notices(state, list(summary.notices))
    show_summary(summary)


def _trade_variants(state: CliState, settings: Settings, request: TradeRequest, text: str) -> None:
    """`trade --variants`: one session per variant, each summary shown under its name."""
    from trademind.cli.output import print_json, print_message
    from trademind.services.trade import TradeOptions
    from trademind.services.trade.variants import parse_variants, run_variants

    names = parse_variants(settings, text)
    with state.open_database() as database, TradeView(state) as view:
        options = TradeOptions(clock=state.parts.clock, on_step=view.update)
        done = run_variants(database, settings, request, names, options)
    if state.json:
        print_json(done)
        return
    for one in done:
        print_message(f"== variant {one.variant} (account {one.summary.account})")
        show_notices(state, list(one.summary.notices))
        show_summary(one.summary)


def command() -> click.Command:
    """The `trade` command as Click builds it (the root group adds it lazily)."""
    built = typer.main.get_command(app)
    built.name = "trade"
    return built
