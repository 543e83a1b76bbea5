"""How an entry order is built from a decision's close: type, time in force, prices, size."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from trademind.core.accounts import Account, Position
from trademind.core.decisions import Decision
from trademind.core.errors import ValidationError
from trademind.core.orders import Order, OrderSide, OrderType, TimeInForce
from trademind.core.values import decimal_from_float
from trademind.fills.orders import ORDER_TYPES, order_prices


@dataclass(frozen=True, slots=True, kw_only=True)
class SizingRequest:
    """What a sizing rule sees: the decision, the symbol's close at the decision (the
    estimate's reference price; the bar's float close converted deliberately with
    :func:`~trademind.core.values.decimal_from_float`, its shortest repr), the account's
    balances then and its positions as the broker reports them (empty when not known)."""

    decision: Decision
    price: Decimal
    account: Account
    positions: tuple[Position, ...] = ()


Sizer = Callable[[SizingRequest], Decimal]
"""The entry quantity for a decision (the sizing estimate at the decision's close); zero or
less places nothing. The paper broker re-sizes at the first fill (see docs/trading.md)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryOrders:
    """The entry order's shape, as the backtest configures it: a market order by default; a
    LIMIT ``limit_offset`` below the close, a STOP ``stop_offset`` above it, a STOP_LIMIT
    both (:func:`trademind.fills.orders.order_prices`)."""

    order_type: OrderType = OrderType.MARKET
    time_in_force: TimeInForce = TimeInForce.DAY
    limit_offset: float = 0.0
    stop_offset: float = 0.0

    def __post_init__(self) -> None:
        for name in ("limit_offset", "stop_offset"):
            offset = getattr(self, name)
            if not (isinstance(offset, float | int) and 0.0 <= offset < 1.0):
                raise ValidationError(f"EntryOrders.{name} must be in [0, 1), got {offset!r}")

    def build(
        self, client_order_id: str, decision: Decision, quantity: Decimal, close: float
    ) -> Order:
        """The BUY entry order for ``decision`` at reference price ``close``."""
        code = ORDER_TYPES[self.order_type.value]
        limit, stop = order_prices(code, True, close, self.limit_offset, self.stop_offset)
        return Order(
            client_order_id=client_order_id,
            symbol=decision.symbol,
            side=OrderSide.BUY,
            quantity=quantity,
            order_type=self.order_type,
            time_in_force=self.time_in_force,
            limit_price=None if math.isnan(limit) else decimal_from_float(limit),
            stop_price=None if math.isnan(stop) else decimal_from_float(stop),
            decision_id=decision.decision_id,
        )
