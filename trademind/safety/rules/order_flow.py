"""Order flow rules over the account's recent orders: duplicates and the order rate.

Both apply to every order, reducing ones included: a repeated or runaway close is as much a
mistake as a repeated entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from trademind.safety.context import PreTradeContext
from trademind.safety.verdicts import RuleVerdict, passed, rejected


@dataclass(frozen=True, slots=True)
class DuplicateOrder:
    """Refuses an order whose client order id was sent before, and an order with the same
    symbol and side as one sent within ``window_seconds`` (0: only the id check)."""

    window_seconds: int
    name: ClassVar[str] = "duplicate_order"
    applies_to_reducing: ClassVar[bool] = True

    @property
    def settings(self) -> Mapping[str, object]:
        return {"duplicate_order_window_seconds": self.window_seconds}

    def check(self, context: PreTradeContext) -> RuleVerdict:
        order = context.order
        for sent in context.recent_orders:
            if sent.client_order_id == order.client_order_id:
                return rejected(
                    self.name,
                    f"client order id {order.client_order_id} was already sent at "
                    f"{sent.submitted_at.isoformat()}",
                )
        if self.window_seconds == 0:
            return passed(self.name)
        since = context.now - timedelta(seconds=self.window_seconds)
        for sent in context.recent_orders:
            same = sent.symbol == order.symbol and sent.side == order.side
            if same and since <= sent.submitted_at <= context.now:
                age = (context.now - sent.submitted_at).total_seconds()
                return rejected(
                    self.name,
                    f"a {order.side.value} order for {order.symbol} ({sent.client_order_id}) "
                    f"was sent {age:g}s ago, within the {self.window_seconds}s window",
                )
        return passed(self.name)


@dataclass(frozen=True, slots=True)
class OrderRate:
    """At most ``max_orders`` orders in any rolling ``window_seconds``: an order is refused
    when ``max_orders`` were sent in ``(now - window, now]`` already."""

    max_orders: int
    window_seconds: int
    name: ClassVar[str] = "order_rate"
    applies_to_reducing: ClassVar[bool] = True

    @property
    def settings(self) -> Mapping[str, object]:
        return {
            "max_orders_per_window": self.max_orders,
            "order_rate_window_seconds": self.window_seconds,
        }

    def check(self, context: PreTradeContext) -> RuleVerdict:
        since = context.now - timedelta(seconds=self.window_seconds)
        sent = sum(1 for o in context.recent_orders if since < o.submitted_at <= context.now)
        if sent >= self.max_orders:
            return rejected(
                self.name,
                f"{sent} orders were sent in the last {self.window_seconds}s; the limit is "
                f"{self.max_orders}",
            )
        return passed(self.name)
