"""`trademind trades`: Trades: list, show, export, today, pnl."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from trademind.cli.ledger_output import (
    AccountOption,
    OutputOption,
    facts,
    ledger_command,
    money,
    price,
    quantity,
    show_json,
    when,
    write_or_print,
)
from trademind.cli.output import print_message, print_table
from trademind.core import backtest_limits as limits

if TYPE_CHECKING:
    from trademind.services.decision_chain import DecisionView, VoteView
    from trademind.services.trades_service import TradeView

HELP = "Trades: list, show, export, today, pnl."

app = typer.Typer(help=HELP, no_args_is_help=True)


def _symbol(raw: str | None) -> str | None:
    """The symbol's one spelling (``brk.b`` is ``BRK-B``); a malformed one is a usage error."""
    if raw is None:
        return None
    from trademind.core.errors import ValidationError
    from trademind.data.schema import normalise_symbol

    try:
        return normalise_symbol(raw)
    except ValidationError as error:
        raise typer.BadParameter(str(error)) from None


SymbolOption = Annotated[
    str | None, typer.Option("--symbol", help="Only this symbol.", callback=_symbol)
]
_DATE = ["%Y-%m-%d"]


def _table(title: str, trades: tuple[TradeView, ...]) -> None:
    rows = [
        (
            t.id,
            when(t.executed_at),
            t.symbol,
            t.side.value,
            quantity(t.quantity),
            price(t.price),
            money(t.commission),
            money(t.realized_pnl),
            t.order_id or "",
        )
        for t in trades
    ]
    columns = ("id", "time (UTC)", "symbol", "side", "quantity", "price", "commission")
    print_table(title, (*columns, "realised", "order"), rows)


@app.command("list")
def list_trades(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option(min=1, max=limits.LIST_LIMIT_MAX, help="How many, newest first.")
    ] = 20,
    symbol: SymbolOption = None,
    account: AccountOption = None,
) -> None:
    """List trades (options: --limit, --symbol)."""
    from trademind.services import trades_service

    with ledger_command(ctx) as command:
        view = trades_service.list_trades(
            command.database, command.clock, account, limit=limit, symbol=symbol
        )
    if command.json:
        show_json(view)
        return
    if not view.trades:
        print_message(f"account {view.account.name} has no trades{_of(symbol)} yet")
        return
    _table(f"Trades of {view.account.name}{_of(symbol)}, newest first", view.trades)


def _of(symbol: str | None) -> str:
    return "" if symbol is None else f" in {symbol.upper()}"


@app.command("show")
def show(
    ctx: typer.Context,
    trade_id: Annotated[
        int, typer.Argument(min=1, max=limits.RUN_ID_MAX, help="The trade's id (trades list).")
    ],
    account: AccountOption = None,
) -> None:
    """Show one trade with its reasoning."""
    from trademind.services import trades_service

    with ledger_command(ctx) as command:
        view = trades_service.show(command.database, command.clock, account, trade_id)
    if command.json:
        show_json(view)
        return
    trade, order = view.trade, view.order
    rows = [
        ("account", view.account.name),
        ("time (UTC)", when(trade.executed_at)),
        ("fill", f"{trade.side.value} {quantity(trade.quantity)} {trade.symbol}"),
        ("price", price(trade.price)),
        ("commission", money(trade.commission)),
        ("realised P&L", money(trade.realized_pnl)),
        ("execution id", trade.execution_id or "none"),
        ("order", trade.order_id or "none"),
    ]
    if order is not None:
        rows += [
            ("order type", f"{order.order_type} {order.time_in_force}"),
            ("order status", f"{order.status}: {quantity(order.filled_quantity)} filled"),
        ]
        if order.reason:
            rows.append(("order reason", order.reason))
    rows += [
        ("strategy", trade.strategy or "none"),
        ("decision", view.decision_id or "none recorded"),
        ("reasoning", view.reasoning or "none recorded"),
    ]
    decision = view.decision
    if decision is None:
        rows.append(("agent signals", view.agent_signals))
    facts(f"Trade #{trade.id}", rows)
    if decision is not None:
        _print_decision(decision)


def _print_decision(decision: DecisionView) -> None:
    """The decision behind a fill and every vote it was made from."""
    score = "none" if decision.score is None else f"{decision.score:+.2f}"
    rows = [
        ("decided (UTC)", when(decision.decided_at)),
        ("by", f"{decision.agent} ({decision.strategy or decision.variant or 'no strategy'})"),
        ("action", f"{decision.action}, confidence {decision.confidence:.2f}, score {score}"),
        ("variant", decision.variant or "none"),
        ("explanation", decision.explanation or "none recorded"),
    ]
    rows += _tally_rows(decision)
    if decision.vetoed:
        rows.append(("vetoed", decision.veto_reason or "yes"))
    facts(f"Decision {decision.decision_id}", rows)
    votes = [(vote.agent, _vote_text(vote)) for vote in decision.votes]
    facts(f"Votes ({len(votes)})", votes)


def _tally_rows(decision: DecisionView) -> list[tuple[str, str]]:
    """The thresholds and the quorum of a tallied decision (none for a signal's own)."""
    rows = []
    if decision.buy_threshold is not None and decision.sell_threshold is not None:
        buy, sell = decision.buy_threshold, -decision.sell_threshold
        rows.append(("thresholds", f"buy at score >= {buy:+.2f}, sell at <= {sell:+.2f}"))
    if decision.quorum is not None and decision.participation is not None:
        voted = f"{decision.participation:.2f} of the weight voted"
        rows.append(("quorum", f"{voted}, {decision.quorum:.2f} needed"))
    return rows


def _vote_text(vote: VoteView) -> str:
    """One vote: direction, score, confidence, weight, source and reasoning."""
    if vote.direction is None:
        return f"abstains (weight {vote.weight:g}, {vote.source}): {vote.reasoning}"
    score = "" if vote.score is None else f" {vote.score:+.2f}"
    confidence = "" if vote.confidence is None else f", confidence {vote.confidence:.2f}"
    return (
        f"{vote.direction}{score}{confidence}, weight {vote.weight:g}, {vote.source}: "
        f"{vote.reasoning}"
    )


ExportFormat = Literal["csv", "json"]


@app.command("export")
def export(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    start: Annotated[
        datetime | None, typer.Option(formats=_DATE, help="First day (YYYY-MM-DD, UTC).")
    ] = None,
    end: Annotated[
        datetime | None, typer.Option(formats=_DATE, help="Last day, included (YYYY-MM-DD).")
    ] = None,
    output_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv (one row per fill) or json.")
    ] = "csv",
    output: OutputOption = None,
    account: AccountOption = None,
) -> None:
    """Export trades (options: --start, --end, --format csv|json, --output)."""
    from trademind.services import files, trades_service
    from trademind.services.ledger_export import csv_text, json_text

    if output is not None:  # a usage error before any work
        files.check_writable(output, "--output")
    with ledger_command(ctx) as command:
        view = trades_service.export_trades(
            command.database,
            command.clock,
            account,
            start=None if start is None else start.date(),
            end=None if end is None else end.date(),
        )
    if output_format == "json":
        text = json_text(view)
    else:
        text = csv_text(view.trades, trades_service.TRADE_COLUMNS)
    write_or_print(text, output, f"{len(view.trades)} trades of {view.account.name}")


@app.command("today")
def today(ctx: typer.Context, account: AccountOption = None) -> None:
    """Today's trades."""
    from trademind.services import trades_service

    with ledger_command(ctx) as command:
        day, view = trades_service.today(command.database, command.clock, account)
    if command.json:
        show_json({"day": day.isoformat(), "account": view.account, "trades": view.trades})
        return
    if not view.trades:
        print_message(f"account {view.account.name} has no trades today ({day}, New York)")
        return
    _table(f"Trades of {view.account.name} on {day} (New York)", view.trades)


@app.command("pnl")
def pnl(ctx: typer.Context, symbol: SymbolOption = None, account: AccountOption = None) -> None:
    """Realised P&L (option: --symbol)."""
    from trademind.services import trades_service

    with ledger_command(ctx) as command:
        view = trades_service.pnl(command.database, command.clock, account, symbol)
    if command.json:
        show_json(view)
        return
    if not view.symbols:
        print_message(f"account {view.account.name} has no trades{_of(symbol)} yet")
        return
    rows = [
        (
            r.symbol,
            str(r.round_trips),
            f"{r.wins}/{r.losses}",
            money(r.realized_pnl),
            money(r.commission),
            quantity(r.open_quantity),
            money(r.unrealized_pnl),
        )
        for r in view.symbols
    ]
    rows.append(("total", "", "", money(view.realized_pnl), "", "", money(view.unrealized_pnl)))
    columns = ("symbol", "round trips", "won/lost", "realised", "commission", "open", "unrealised")
    print_table(f"P&L of {view.account.name} as of {when(view.as_of)} UTC", columns, rows)
