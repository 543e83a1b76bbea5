"""A session's :class:`~trademind.services.trade.types.TradeSummary`: orders and fills from
the journal, equity from the venue, and the backtest's metrics computed on the snapshot equity
series (``trademind.backtest.analytics``, the same function ``backtest run`` uses)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from trademind.backtest.analytics.metrics import TradeStats, compute_metrics
from trademind.backtest.research.runner import benchmark_curve
from trademind.core.order_status import OrderStatus
from trademind.services.trade.types import TradeFill, TradeOrder

if TYPE_CHECKING:
    from trademind.core.order_state import OrderState
    from trademind.core.orders import Fill
    from trademind.portfolio.book import LedgerRoundTrip
    from trademind.portfolio.store import LedgerPoint
    from trademind.strategies.base import Bars

Metrics = dict[str, float | int | None]


def trade_order(state: OrderState) -> TradeOrder:
    order = state.order
    return TradeOrder(
        order_id=order.client_order_id,
        symbol=order.symbol,
        side=order.side.value,
        type=order.order_type.value,
        time_in_force=order.time_in_force.value,
        quantity=state.quantity,
        filled_quantity=state.filled_quantity,
        average_fill_price=state.average_fill_price,
        limit_price=order.limit_price,
        stop_price=order.stop_price,
        status=state.status.value,
        reason=state.reason,
        submitted_at=state.submitted_at,
        updated_at=state.updated_at,
    )


def trade_fill(fill: Fill) -> TradeFill:
    return TradeFill(
        time=fill.ts,
        symbol=fill.symbol,
        side=fill.side.value,
        quantity=fill.quantity,
        price=fill.price,
        commission=fill.commission,
        order_id=fill.order_id,
        execution_id=fill.execution_id,
    )


def status_counts(states: Sequence[OrderState]) -> dict[str, int]:
    """How many orders ended in each way (``working``: not ended yet)."""
    ended = {
        "filled": OrderStatus.FILLED,
        "rejected": OrderStatus.REJECTED,
        "cancelled": OrderStatus.CANCELLED,
        "expired": OrderStatus.EXPIRED,
    }
    counts = {name: sum(s.status is status for s in states) for name, status in ended.items()}
    counts["working"] = sum(not s.status.is_terminal for s in states)
    return counts


def _ns(when: datetime) -> int:
    return int(np.datetime64(when.replace(tzinfo=None), "ns").astype(np.int64))


def _trade_stats(trips: Sequence[LedgerRoundTrip], bars: Sequence[Bars]) -> TradeStats:
    if not trips:
        return TradeStats.empty()
    stamps = {one.symbol: one.ts for one in bars}
    held = []
    for trip in trips:
        ts = stamps.get(trip.symbol)
        if ts is None:
            held.append(0)
            continue
        entry = int(np.searchsorted(ts, _ns(trip.entry_time)))
        held.append(max(int(np.searchsorted(ts, _ns(trip.exit_time))) - entry, 0))
    return TradeStats(
        pnl=np.array([float(t.pnl) for t in trips]),
        return_fraction=np.array([float(t.return_pct) / 100.0 for t in trips]),
        bars_held=np.array(held, dtype=np.int64),
    )


def session_metrics(  # noqa: PLR0917 - the inputs of one metrics computation
    points: Sequence[LedgerPoint],
    trips: Sequence[LedgerRoundTrip],
    fills: Sequence[Fill],
    bars: Sequence[Bars],
    bar_length: timedelta,
    risk_free_rate: float,
) -> Metrics:
    """The backtest's metrics of the snapshot equity series (empty before two snapshots):
    bar times are the snapshots' closes less one bar, the benchmark is the equal-weight
    buy-and-hold of the same bars, exposure the invested share of each snapshot's equity."""
    if len(points) < 2:
        return {}
    ts = np.array([_ns(p.ts - bar_length) for p in points], dtype=np.int64)
    equity = np.array([float(p.equity) for p in points])
    exposure = np.array([float((p.equity - p.cash) / p.equity) for p in points])
    turnover = float(sum((f.quantity * f.price for f in fills), Decimal(0)))
    benchmark = benchmark_curve(bars, ts, float(equity[0])) if bars else None
    return compute_metrics(
        ts,
        equity,
        _trade_stats(trips, bars),
        benchmark_equity=benchmark,
        exposure=exposure,
        turnover_notional=turnover,
        risk_free_rate=risk_free_rate,
    )
