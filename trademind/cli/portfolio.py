"""`trademind portfolio`: Portfolio: summary, holdings, performance, sectors, export."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from trademind.cli.ledger_output import (
    AccountOption,
    OutputOption,
    facts,
    ledger_command,
    money,
    pct,
    price,
    quantity,
    show_json,
    when,
    write_or_print,
)
from trademind.cli.output import print_message, print_table
from trademind.core import backtest_limits as limits

HELP = "Portfolio: summary, holdings, performance, sectors, export."

app = typer.Typer(help=HELP, no_args_is_help=True)


@app.command("summary")
def summary(ctx: typer.Context, account: AccountOption = None) -> None:
    """Portfolio summary: equity, cash, day P&L."""
    from trademind.services import portfolio_service

    with ledger_command(ctx) as command:
        view = portfolio_service.summary(command.database, command.clock, account)
    if command.json:
        show_json(view)
        return
    info = view.account
    facts(
        f"Account {info.name} ({info.mode.value}, {info.broker}) as of {when(view.as_of)} UTC",
        [
            ("equity", money(view.equity)),
            ("cash", money(view.cash)),
            ("positions value", money(view.positions_value)),
            ("starting cash", money(info.starting_cash)),
            ("total P&L", f"{money(view.total_pnl)} ({pct(view.total_return_pct)})"),
            ("realised P&L", money(view.realized_pnl)),
            ("unrealised P&L", money(view.unrealized_pnl)),
            ("day P&L", money(view.day_pnl)),
            ("positions", str(view.positions)),
            ("fills", str(view.fills)),
            ("round trips", str(view.round_trips)),
        ],
    )


@app.command("holdings")
def holdings(ctx: typer.Context, account: AccountOption = None) -> None:
    """Current holdings in detail."""
    from trademind.services import portfolio_service

    with ledger_command(ctx) as command:
        view = portfolio_service.holdings(command.database, command.clock, account)
    if command.json:
        show_json(view)
        return
    if not view.holdings:
        print_message(f"account {view.account.name} holds nothing (cash {money(view.equity)})")
        return
    rows = [
        (
            h.symbol,
            quantity(h.quantity),
            price(h.avg_cost),
            price(h.market_price),
            money(h.market_value),
            f"{money(h.unrealized_pnl)} ({pct(h.unrealized_pct)})",
            money(h.realized_pnl),
            pct(h.weight_pct).lstrip("+"),
            when(h.opened_at),
        )
        for h in view.holdings
    ]
    columns = ("symbol", "quantity", "avg cost", "price", "value", "unrealised", "realised")
    print_table(
        f"Holdings of {view.account.name} as of {when(view.as_of)} UTC",
        (*columns, "weight", "opened (UTC)"),
        rows,
    )


@app.command("performance")
def performance(
    ctx: typer.Context,
    days: Annotated[
        int,
        typer.Option(min=1, max=limits.DAYS_MAX, help="The last N days up to the latest data."),
    ] = 30,
    account: AccountOption = None,
) -> None:
    """Performance over time (option: --days)."""
    from trademind.services import portfolio_service

    with ledger_command(ctx) as command:
        view = portfolio_service.performance(command.database, command.clock, account, days)
    if command.json:
        show_json(view)
        return
    title = f"Performance of {view.account.name}, {when(view.start)} to {when(view.end)} UTC"
    if not view.points:
        print_message(f"{title}: no snapshots stored in these {view.days} days")
    else:
        facts(
            title,
            [
                ("start equity", money(view.start_equity)),
                ("end equity", money(view.end_equity)),
                ("change", f"{money(view.change)} ({pct(view.return_pct)})"),
                ("max drawdown", pct(view.max_drawdown_pct)),
                ("snapshots", str(len(view.points))),
            ],
        )
    wins = f"{view.round_trips} round trips closed: {view.wins} won, {view.losses} lost"
    print_message(f"{wins}, realised {money(view.realized_pnl)}")


@app.command("sectors")
def sectors(ctx: typer.Context, account: AccountOption = None) -> None:
    """Exposure by sector."""
    from trademind.data.profiles import YFinanceProfiles
    from trademind.services import portfolio_service

    with ledger_command(ctx) as command:
        view = portfolio_service.sectors(
            command.database, command.clock, account, YFinanceProfiles()
        )
    if command.json:
        show_json(view)
        return
    if not view.sectors:
        print_message(f"account {view.account.name} holds nothing")
        return
    rows = [
        (s.sector, money(s.market_value), pct(s.weight_pct).lstrip("+"), ", ".join(s.symbols))
        for s in view.sectors
    ]
    print_table(
        f"Sectors of {view.account.name} as of {when(view.as_of)} UTC",
        ("sector", "value", "weight", "symbols"),
        rows,
    )


ExportFormat = Literal["csv", "json"]


@app.command("export")
def export(
    ctx: typer.Context,
    output_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format", "-f", help="csv: one row per holding; json: summary and holdings."
        ),
    ] = "csv",
    output: OutputOption = None,
    account: AccountOption = None,
) -> None:
    """Export the portfolio (options: --format csv|json, --output)."""
    from trademind.services import files, portfolio_service
    from trademind.services.ledger_export import csv_text, json_text

    if output is not None:  # a usage error before any work
        files.check_writable(output, "--output")
    with ledger_command(ctx) as command:
        held = portfolio_service.holdings(command.database, command.clock, account)
        if output_format == "json":
            summary_view = portfolio_service.summary(command.database, command.clock, account)
            text = json_text({"summary": summary_view, "holdings": held.holdings})
        else:
            text = csv_text(held.holdings, HOLDING_COLUMNS)
    write_or_print(text, output, f"portfolio of {held.account.name} ({output_format})")


HOLDING_COLUMNS = (
    "symbol",
    "quantity",
    "avg_cost",
    "market_price",
    "market_value",
    "cost_basis",
    "unrealized_pnl",
    "unrealized_pct",
    "realized_pnl",
    "weight_pct",
    "opened_at",
)
