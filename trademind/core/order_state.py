"""What a broker says about one order now: :class:`OrderState`.

An :class:`~trademind.core.orders.Order` is what TradeMind asked for and never changes; its
state (status, how much filled at what average price, why it was rejected or cancelled) is a new
:class:`OrderState` each time the broker reports a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trademind.core import values
from trademind.core.errors import ValidationError
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Order


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderState:
    """``order`` as the broker reports it at ``updated_at``.

    Invariants: ``0 <= filled_quantity <= quantity``; ``average_fill_price`` is given (positive)
    exactly when something filled; ``quantity`` is the order's working quantity, which a paper
    broker that sizes at the first fill may set then (see docs/trading.md) and which otherwise
    equals ``order.quantity``. ``reason`` says why a rejected, cancelled or expired order ended.
    """

    order: Order
    status: OrderStatus
    quantity: Decimal
    filled_quantity: Decimal
    average_fill_price: Decimal | None
    submitted_at: datetime
    updated_at: datetime
    reason: str | None = None
    broker_order_id: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "status", values.member(OrderStatus, self.status, "OrderState.status"))
        set_(self, "quantity", values.positive(self.quantity, "OrderState.quantity"))
        filled = values.not_negative(self.filled_quantity, "OrderState.filled_quantity")
        set_(self, "filled_quantity", filled)
        if filled > self.quantity:
            raise ValidationError(
                f"order {self.order.client_order_id}: filled {filled} exceeds its quantity "
                f"{self.quantity}"
            )
        if (self.average_fill_price is None) != (filled == 0):
            raise ValidationError(
                f"order {self.order.client_order_id}: an average fill price is given exactly "
                "when something filled"
            )
        if self.average_fill_price is not None:
            price = values.positive(self.average_fill_price, "OrderState.average_fill_price")
            set_(self, "average_fill_price", price)
        set_(self, "submitted_at", values.utc(self.submitted_at, "OrderState.submitted_at"))
        set_(self, "updated_at", values.utc(self.updated_at, "OrderState.updated_at"))

    @property
    def client_order_id(self) -> str:
        return self.order.client_order_id

    @property
    def remaining_quantity(self) -> Decimal:
        return self.quantity - self.filled_quantity
