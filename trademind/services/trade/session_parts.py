"""The parts a replay and a paper session share: the live view kept between bar closes
(:class:`LiveView`), the snapshot hook's callback that counts the steps and shows the view
(:func:`on_snapshot`) and the session's summary (:func:`session_summary`)."""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trademind.core.events import OrderStatusChanged
from trademind.core.values import decimal_from_float
from trademind.runtime.bar_sources import bar_length
from trademind.services.trade import results
from trademind.services.trade.types import (
    StepView,
    TradeCounts,
    TradeOrder,
    TradeSummary,
)

if TYPE_CHECKING:
    from trademind.portfolio.book import LedgerSnapshot
    from trademind.portfolio.journal import SqlBrokerJournal
    from trademind.runtime.trading_loop import LoopSummary
    from trademind.services.trade.plan import TradePlan
    from trademind.services.trade.progress import ResumableBroker

OnStep = Callable[[StepView], None]
LAST_ORDERS = 5


@dataclass
class LiveView:
    """What the live view keeps between bar closes."""

    total: int
    step: int = 0
    orders: collections.deque[TradeOrder] = field(
        default_factory=lambda: collections.deque(maxlen=LAST_ORDERS)
    )

    def order_changed(self, event: OrderStatusChanged) -> None:
        self.orders.append(results.trade_order(event.state))


def on_snapshot(
    plan: TradePlan, live: LiveView, on_step: OnStep | None
) -> Callable[[LedgerSnapshot], None]:
    """What the snapshot hook calls after each step's snapshot: the step counted and the
    live view (``on_step``) shown."""

    def seen(snapshot: LedgerSnapshot) -> None:
        live.step += 1
        if on_step is None:
            return
        on_step(
            StepView(
                account=plan.account,
                closed_at=snapshot.ts,
                step=live.step,
                total_steps=live.total,
                cash=snapshot.cash,
                equity=snapshot.equity,
                positions=snapshot.positions,
                last_orders=tuple(live.orders),
            )
        )

    return seen


async def session_summary(
    plan: TradePlan,
    broker: ResumableBroker,
    journal: SqlBrokerJournal,
    steps: int,
    loop: LoopSummary | None,
) -> TradeSummary:
    """The session's summary from what the journal and the broker hold now (``steps``: the
    session's bar closes; ``loop``: this run's loop, None when it ran no step)."""
    account = plan.account
    states = journal.load_orders(account)
    fills = journal.load_fills(account)
    ledger = journal.ledger(account)
    info = journal.store.account(account)
    venue = await broker.get_account()
    metrics = results.session_metrics(
        journal.store.snapshots(info),
        ledger.round_trips,
        fills,
        plan.bars,
        bar_length(plan.timeframe),
        plan.risk_free_rate,
    )
    statuses = results.status_counts(states)
    counts = TradeCounts(
        bars=sum(len(one) for one in plan.bars),
        steps=steps,
        bars_this_run=0 if loop is None else loop.bars,
        signals_this_run=0 if loop is None else loop.signals,
        decisions_this_run=0 if loop is None else loop.decisions,
        orders=len(states),
        fills=len(fills),
        round_trips=len(ledger.round_trips),
        **statuses,
    )
    return TradeSummary(
        account=account,
        mode=plan.mode.value,
        strategies=plan.strategy_names,
        symbols=plan.symbols,
        timeframe=plan.timeframe,
        start=plan.session.start,
        end=plan.session.end,
        resumed=plan.request.resume,
        initial_cash=decimal_from_float(plan.paper_config.initial_cash),
        cash=venue.cash,
        final_equity=venue.portfolio_value,
        positions=tuple(await broker.get_positions()),
        orders=tuple(results.trade_order(s) for s in states),
        fills=tuple(results.trade_fill(f) for f in fills),
        metrics=metrics,
        counts=counts,
        notices=plan.notices,
    )
