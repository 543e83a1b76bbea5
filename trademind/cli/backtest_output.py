"""How `trademind backtest` shows runs to people: summary, metrics and trade tables.

JSON output is the services' typed results as :func:`~trademind.services.json_ready.to_json`
gives them; this module only formats tables (percentages for fractions, dollars for money,
dates for daily bars).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from trademind.cli.output import print_message, print_table, stderr, stdout

if TYPE_CHECKING:
    from trademind.services.backtest_views import RunView, TradeRow

PERCENT_METRICS: Final = frozenset(
    {
        "total_return",
        "cagr",
        "volatility",
        "max_drawdown",
        "win_rate",
        "exposure",
        "alpha",
        "average_win_return",
        "average_loss_return",
        "expectancy_return",
        "stitched_total_return",
        "out_of_sample_total_return",
        "probability_of_loss",
    }
)
MONEY_METRICS: Final = frozenset({"average_win", "average_loss", "expectancy"})
TRADES_SHOWN: Final = 20
_LABELS: Final = {
    "total_return": "return",
    "cagr": "CAGR",
    "sharpe": "Sharpe",
    "sortino": "Sortino",
    "max_drawdown": "max DD",
    "win_rate": "win rate",
    "trade_count": "trades",
}


def label(metric: str) -> str:
    """A short column heading for a metric."""
    return _LABELS.get(metric, metric)


def metric_text(name: str, value: Any) -> str:
    """A metric for people: percentages, dollars, counts or 4 significant decimals."""
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if name in PERCENT_METRICS:
        return f"{value * 100:.2f}%"
    if name in MONEY_METRICS:
        return money(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.1f}" if abs(value) >= 1000 else f"{value:,.4f}"


def money(value: Any) -> str:
    if value is None:
        return "n/a"
    amount = float(value)
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


def day(text: datetime | str | None) -> str:
    """A time (or ISO time text) as ``YYYY-MM-DD`` (with ``HH:MM`` when it is not midnight)."""
    if not text:
        return ""
    value = text.isoformat() if isinstance(text, datetime) else str(text)
    clock = value[11:16]
    return value[:10] if clock in ("", "00:00") else f"{value[:10]} {clock}"


def params_text(params: Mapping[str, Any]) -> str:
    return " ".join(f"{name}={value}" for name, value in params.items()) or "-"


def notices(items: Sequence[str]) -> None:
    """Notices as ``note:`` lines on stderr (table mode; JSON carries them in the object)."""
    for item in items:
        stderr.print(f"note: {item}", markup=False, highlight=False, soft_wrap=True)


def past_notices(run_id: Any, items: Sequence[str]) -> list[str]:
    """A stored run's notices, worded as what applied when it was made (not now)."""
    return [f"when run #{run_id} was made: {item}" for item in items]


def _fill(time: datetime | None, price: float | None) -> str:
    return "open" if time is None or price is None else f"{day(time)} @ {float(price):,.2f}"


def _trade_row(trade: TradeRow, symbol: bool) -> tuple[Any, ...]:
    reasons = f"in: {trade.entry_reason}; out: {trade.exit_reason or 'still open'}"
    return (
        *((trade.symbol,) if symbol else ()),
        _fill(trade.entry_time, trade.entry_price),
        _fill(trade.exit_time, trade.exit_price),
        f"{float(trade.quantity):,.2f}",
        money(trade.pnl),
        f"{float(trade.return_pct):.2f}%",
        reasons,
    )


def trades_table(trades: Sequence[TradeRow], *, limit: int | None = None) -> None:
    """Trades (the last ``limit``): fills with prices, quantity, pnl, return and reasons."""
    shown = list(trades) if limit is None else list(trades)[-limit:]
    title = f"Trades ({len(trades)})"
    if len(shown) < len(trades):
        title = f"Last {len(shown)} of {len(trades)} trades (all: `backtest results ID`)"
    several = len({trade.symbol for trade in trades}) > 1
    columns = ("entry", "exit", "qty", "pnl", "return", "reasons")
    rows = [_trade_row(trade, several) for trade in shown]
    print_table(title, (*(("symbol",) if several else ()), *columns), rows)


def metrics_table(metrics: Mapping[str, Any], names: Sequence[str] | None = None) -> None:
    """Metrics two to a row."""
    chosen = list(names if names is not None else metrics)
    cells = [(name, metric_text(name, metrics.get(name))) for name in chosen]
    half = (len(cells) + 1) // 2
    rows = [
        (*cells[index], *(cells[index + half] if index + half < len(cells) else ("", "")))
        for index in range(half)
    ]
    print_table("Metrics", ("metric", "value", "metric", "value"), rows)


def facts_table(title: str, rows: Sequence[tuple[str, str]]) -> None:
    """Label/value lines without a header."""
    from rich.table import Table

    table = Table(title=title, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(label, value)
    stdout.print(table)


def run_summary(view: RunView) -> None:
    """The facts of one run: what ran on what (sizing, exits and orders as the option texts
    that reproduce them), and what came out."""
    outcome = view.outcome
    title = (
        f"Backtest #{view.id}: {view.strategy} on {', '.join(view.symbols)}, "
        f"{day(view.start)} to {day(view.end)} ({view.engine} engine)"
    )
    costs = f"{view.cost_spec('commission')} / {view.cost_spec('slippage')}"
    rows = [
        ("status", view.status + (f": {view.error}" if view.error else "")),
        ("params", params_text(view.params)),
        ("commission / slippage", costs),
        *view.execution.facts().items(),
        ("initial cash", money(view.initial_cash)),
        ("final equity", money(view.final_equity)),
        ("total return", metric_text("total_return", view.metrics.get("total_return"))),
        ("buy and hold", money(outcome.get("benchmark_final_equity"))),
        ("commission paid", money(outcome.get("total_commission"))),
        ("trades", str(len(view.trades))),
    ]
    facts_table(title, rows)


def show_run(view: RunView, *, trade_limit: int | None = TRADES_SHOWN) -> None:
    """Summary, metrics and trades of a run (table mode)."""
    run_summary(view)
    if view.status != "completed":
        return
    metrics_table(view.metrics)
    if view.trades:
        trades_table(view.trades, limit=trade_limit)
    else:
        print_message("no trades")
