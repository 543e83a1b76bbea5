"""How `trademind trade` shows a session: a Rich live view on a terminal (bars, equity,
positions, last orders), plain progress lines on stderr otherwise, and the final summary."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

from trademind.backtest import KEY_METRICS
from trademind.cli import backtest_output as show
from trademind.cli.ledger_output import money, price, quantity, when
from trademind.cli.output import print_message, print_table, stderr

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.live import Live

    from trademind.cli.context import CliState
    from trademind.services.trade import StepView, TradeSummary

PROGRESS_LINES: Final = 10
"""Plain progress lines per session (off a terminal)."""
FILLS_SHOWN: Final = 10


class TradeView:
    """The live view of one session; :meth:`update` is the service's ``on_step``."""

    def __init__(self, state: CliState) -> None:
        self._quiet = state.json
        self._live_view = not state.json and stderr.is_terminal
        self._live: Live | None = None
        self._next_lines: dict[str, int] = {}

    def __enter__(self) -> Self:
        if self._live_view:
            from rich.live import Live

            self._live = Live(console=stderr, transient=True, refresh_per_second=8)
            self._live.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def update(self, step: StepView) -> None:
        if self._quiet:
            return
        if self._live is not None:
            self._live.update(_render(step))
            return
        due = self._next_lines.get(step.account, 0)  # per account: `trade --variants`
        if step.step >= due or step.step == step.total_steps:
            self._next_lines[step.account] = step.step + max(step.total_steps // PROGRESS_LINES, 1)
            stderr.print(
                f"{step.account}: {_progress(step)} closed {when(step.closed_at)}"
                f", equity {money(step.equity)}, cash {money(step.cash)}, "
                f"{len(step.positions)} position(s)",
                markup=False,
                highlight=False,
            )


def _progress(step: StepView) -> str:
    """``bar 12/250`` in a replay; ``bar 12`` in paper mode, which has no fixed end."""
    if step.total_steps > 0:
        return f"bar {step.step}/{step.total_steps}"
    return f"bar {step.step}"


def _render(step: StepView) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    head = Text(
        f"{step.account}: {_progress(step)}, closed {when(step.closed_at)}  "
        f"equity {money(step.equity)}  cash {money(step.cash)}"
    )
    positions = Table("symbol", "quantity", "avg cost", "price", title="positions")
    for p in step.positions:
        positions.add_row(p.symbol, quantity(p.quantity), price(p.avg_cost), price(p.market_price))
    orders = Table("order", "side", "type", "quantity", "status", title="last orders")
    for o in step.last_orders:
        orders.add_row(o.order_id, o.side, o.type, quantity(o.quantity), o.status)
    return Group(head, positions, orders)


def _facts(summary: TradeSummary) -> list[tuple[str, str]]:
    counts = summary.counts
    return [
        ("account", f"{summary.account} ({summary.mode})"),
        ("strategies", ", ".join(summary.strategies)),
        ("symbols", f"{', '.join(summary.symbols)} ({summary.timeframe})"),
        (
            "bars",
            f"{show.day(summary.start)} to {show.day(summary.end) or 'now'}, {counts.bars} bars",
        ),
        ("this run", f"{counts.bars_this_run} bars" + (" (resumed)" if summary.resumed else "")),
        ("starting cash", money(summary.initial_cash)),
        ("final equity", money(summary.final_equity)),
        ("cash", money(summary.cash)),
        (
            "orders",
            f"{counts.orders}: {counts.filled} filled, {counts.rejected} rejected, "
            f"{counts.cancelled} cancelled, {counts.expired} expired, {counts.working} working",
        ),
        ("fills", f"{counts.fills} ({counts.round_trips} round trips)"),
    ]


def show_summary(summary: TradeSummary) -> None:
    """The final summary: the facts, the backtest's key metrics, positions, the last fills."""
    print_table(f"Trading session of {summary.account}", ("", ""), _facts(summary))
    metrics: dict[str, Any] = dict(summary.metrics)
    if metrics:
        show.metrics_table(metrics, KEY_METRICS)
    if summary.positions:
        rows = [
            (p.symbol, quantity(p.quantity), price(p.avg_cost), price(p.market_price))
            for p in summary.positions
        ]
        print_table("Positions", ("symbol", "quantity", "avg cost", "price"), rows)
    fills = summary.fills[-FILLS_SHOWN:]
    if fills:
        rows2 = [
            (when(f.time), f.symbol, f.side, quantity(f.quantity), price(f.price),
             money(f.commission), f.order_id)
            for f in fills
        ]  # fmt: skip
        columns = ("time", "symbol", "side", "quantity", "price", "commission", "order")
        print_table(f"Last {len(fills)} of {len(summary.fills)} fills", columns, rows2)
    print_message(
        f"see `trademind portfolio summary --account {summary.account}` and "
        f"`trademind trades list --account {summary.account}`"
    )
