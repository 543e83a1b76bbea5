"""Size rules on the order alone: shares, dollars, and the pre-trade credit check.

None of them applies to an order that only reduces exposure (closing must stay possible).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import ClassVar

from trademind.safety.context import PreTradeContext
from trademind.safety.verdicts import RuleVerdict, dollars, passed, rejected, shares


@dataclass(frozen=True, slots=True)
class MaxOrderQuantity:
    """An order of more than ``max_order_quantity`` shares is refused."""

    max_order_quantity: Decimal
    name: ClassVar[str] = "max_order_quantity"
    applies_to_reducing: ClassVar[bool] = False

    @property
    def settings(self) -> Mapping[str, object]:
        return asdict(self)

    def check(self, context: PreTradeContext) -> RuleVerdict:
        quantity = context.order.quantity
        if quantity > self.max_order_quantity:
            return rejected(
                self.name,
                f"order of {shares(quantity)} shares exceeds the limit of "
                f"{shares(self.max_order_quantity)} shares",
            )
        return passed(self.name)


@dataclass(frozen=True, slots=True)
class MaxOrderValue:
    """An order worth more than ``max_order_value`` dollars (quantity times the price it is
    valued at) is refused."""

    max_order_value: Decimal
    name: ClassVar[str] = "max_order_value"
    applies_to_reducing: ClassVar[bool] = False

    @property
    def settings(self) -> Mapping[str, object]:
        return asdict(self)

    def check(self, context: PreTradeContext) -> RuleVerdict:
        value = context.order_value
        if value > self.max_order_value:
            return rejected(
                self.name,
                f"order value {dollars(value)} exceeds the limit {dollars(self.max_order_value)}",
            )
        return passed(self.name)


@dataclass(frozen=True, slots=True)
class BuyingPower:
    """Pre-trade credit check: the part of the order that opens exposure, plus a
    ``buffer`` fraction for slippage and commission, must fit in the account's buying power."""

    buffer: Decimal
    name: ClassVar[str] = "buying_power"
    applies_to_reducing: ClassVar[bool] = False

    @property
    def settings(self) -> Mapping[str, object]:
        return {"buying_power_buffer": self.buffer}

    def check(self, context: PreTradeContext) -> RuleVerdict:
        opening = context.opening_quantity * context.price
        needed = opening * (1 + self.buffer)
        available = context.account.buying_power
        if needed > available:
            return rejected(
                self.name,
                f"order needs {dollars(needed)} (value {dollars(opening)} plus a "
                f"{self.buffer * 100:.2f}% buffer) but buying power is {dollars(available)}",
            )
        return passed(self.name)
