"""What the paper venue reports to its broker after each step, in the order it happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from trademind.core.order_status import OrderStatus
from trademind.core.orders import Order


@dataclass(frozen=True)
class NewOrder:
    """The venue placed an order of its own (a protective exit)."""

    order: Order


@dataclass(frozen=True)
class Executed:
    """(Part of) an order filled at ``price`` (slippage included) in the bar starting ``ts``."""

    order_id: str
    symbol: str
    is_buy: bool
    quantity: float
    price: float
    commission: float
    ts: datetime


@dataclass(frozen=True)
class StateChanged:
    """An order's state in floats: its working ``quantity`` (None: the order's own estimate,
    not sized yet), ``filled`` shares worth ``value`` so far, and why it ended."""

    order_id: str
    status: OrderStatus
    quantity: float | None
    filled: float
    value: float
    reason: str | None = None


Note = NewOrder | Executed | StateChanged
