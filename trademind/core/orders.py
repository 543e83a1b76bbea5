"""Orders and fills: :class:`Order`, :class:`Fill` and their vocabularies.

Prices, quantities and commissions are :class:`~decimal.Decimal` (fractional shares are
possible); an int is taken exactly, a float is refused (see :mod:`trademind.core.values`).
The order's lifecycle is :mod:`trademind.core.order_status`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final

from trademind.core import values
from trademind.core.errors import ValidationError

ID_MAX_LENGTH: Final = 64
"""The longest order, decision or execution id the database holds."""


class OrderSide(StrEnum):
    """Buy or sell. Values are what the database stores (``side`` columns)."""

    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    """How an order executes. Values are what ``orders.order_type`` stores."""

    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"

    @property
    def needs_limit_price(self) -> bool:
        return self in {OrderType.LIMIT, OrderType.STOP_LIMIT}

    @property
    def needs_stop_price(self) -> bool:
        return self in {OrderType.STOP, OrderType.STOP_LIMIT}


class TimeInForce(StrEnum):
    """How long an order works. Values are what ``orders.time_in_force`` stores."""

    DAY = "day"
    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    """An order as TradeMind asks for it.

    Invariants: ``client_order_id`` (ours, idempotent resubmission) is non-blank and at most 64
    characters; ``quantity > 0``; ``limit_price`` is given (and positive) exactly for LIMIT and
    STOP_LIMIT, ``stop_price`` exactly for STOP and STOP_LIMIT. ``decision_id`` names the
    :class:`~trademind.core.decisions.Decision` that caused the order (None for a manual order).
    Enum fields also accept their text values (``side="buy"``).
    """

    client_order_id: str
    symbol: str
    side: OrderSide
    quantity: Decimal
    order_type: OrderType = OrderType.MARKET
    time_in_force: TimeInForce = TimeInForce.DAY
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    decision_id: str | None = None

    def __post_init__(self) -> None:
        values.text(self.client_order_id, "Order.client_order_id", max_length=ID_MAX_LENGTH)
        values.symbol(self.symbol, "Order.symbol")
        set_ = object.__setattr__
        set_(self, "side", values.member(OrderSide, self.side, "Order.side"))
        set_(self, "order_type", values.member(OrderType, self.order_type, "Order.order_type"))
        set_(
            self,
            "time_in_force",
            values.member(TimeInForce, self.time_in_force, "Order.time_in_force"),
        )
        set_(self, "quantity", values.positive(self.quantity, "Order.quantity"))
        set_(self, "limit_price", self._price("limit_price", self.order_type.needs_limit_price))
        set_(self, "stop_price", self._price("stop_price", self.order_type.needs_stop_price))
        if self.decision_id is not None:
            values.text(self.decision_id, "Order.decision_id", max_length=ID_MAX_LENGTH)

    def _price(self, name: str, needed: bool) -> Decimal | None:
        price = getattr(self, name)
        kind = self.order_type.value.upper()
        if needed and price is None:
            raise ValidationError(f"order {self.client_order_id}: a {kind} order needs a {name}")
        if not needed and price is not None:
            raise ValidationError(
                f"order {self.client_order_id}: a {kind} order takes no {name} (got {price})"
            )
        return None if price is None else values.positive(price, f"Order.{name}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Fill:
    """One execution of (part of) an order.

    Invariants: ``quantity > 0``, ``price > 0``, ``commission >= 0``; ``ts`` is timezone-aware
    (converted to UTC). ``order_id`` is the order's client order id; ``execution_id`` is the
    broker's id of this execution (IB ``execId``), None where the broker gives none.
    """

    order_id: str
    symbol: str
    side: OrderSide
    quantity: Decimal
    price: Decimal
    ts: datetime
    commission: Decimal = Decimal(0)
    execution_id: str | None = None

    def __post_init__(self) -> None:
        values.text(self.order_id, "Fill.order_id", max_length=ID_MAX_LENGTH)
        values.symbol(self.symbol, "Fill.symbol")
        set_ = object.__setattr__
        set_(self, "side", values.member(OrderSide, self.side, "Fill.side"))
        set_(self, "quantity", values.positive(self.quantity, "Fill.quantity"))
        set_(self, "price", values.positive(self.price, "Fill.price"))
        set_(self, "commission", values.not_negative(self.commission, "Fill.commission"))
        set_(self, "ts", values.utc(self.ts, "Fill.ts"))
        if self.execution_id is not None:
            values.text(self.execution_id, "Fill.execution_id", max_length=ID_MAX_LENGTH)

    @property
    def notional(self) -> Decimal:
        """``quantity * price``: what changed hands, before commission."""
        return self.quantity * self.price
