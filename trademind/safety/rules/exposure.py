"""Exposure rules, judged on the portfolio as it would be once the order fills: position size
as a share of equity, the number of positions, and sector concentration.

None of them applies to an order that only reduces exposure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import ClassVar

from trademind.safety.context import PreTradeContext
from trademind.safety.verdicts import RuleVerdict, dollars, passed, percent, rejected


def _no_equity(rule: str, context: PreTradeContext) -> RuleVerdict:
    return rejected(rule, f"equity is {dollars(context.equity)}; no new exposure is allowed")


@dataclass(frozen=True, slots=True)
class MaxPositionSize:
    """The order's symbol may be worth at most ``max_position_size`` of equity after the fill."""

    max_position_size: Decimal
    name: ClassVar[str] = "max_position_size"
    applies_to_reducing: ClassVar[bool] = False

    @property
    def settings(self) -> Mapping[str, object]:
        return asdict(self)

    def check(self, context: PreTradeContext) -> RuleVerdict:
        if context.equity <= 0:
            return _no_equity(self.name, context)
        symbol = context.order.symbol
        value = context.value_after(symbol)
        share = value / context.equity
        if share > self.max_position_size:
            return rejected(
                self.name,
                f"{symbol} would be {dollars(value)}, {percent(share)} of equity "
                f"{dollars(context.equity)}, above the limit {percent(self.max_position_size)}",
            )
        return passed(self.name)


@dataclass(frozen=True, slots=True)
class MaxPositions:
    """An order opening a position in a symbol not held is refused when ``max_positions``
    positions are open already. Orders in held symbols are not counted."""

    max_positions: int
    name: ClassVar[str] = "max_positions"
    applies_to_reducing: ClassVar[bool] = False

    @property
    def settings(self) -> Mapping[str, object]:
        return asdict(self)

    def check(self, context: PreTradeContext) -> RuleVerdict:
        if context.held(context.order.symbol) != 0:
            return passed(self.name, "the symbol is held already")
        open_positions = sum(1 for p in context.positions.values() if p.quantity != 0)
        if open_positions >= self.max_positions:
            return rejected(
                self.name,
                f"a new position in {context.order.symbol} would be position "
                f"{open_positions + 1}, above the limit of {self.max_positions}",
            )
        return passed(self.name)


@dataclass(frozen=True, slots=True)
class SectorConcentration:
    """The order's sector may hold at most ``max_sector_concentration`` of equity after the
    fill. A symbol without a known sector counts in the ``unknown`` bucket."""

    max_sector_concentration: Decimal
    name: ClassVar[str] = "sector_concentration"
    applies_to_reducing: ClassVar[bool] = False

    @property
    def settings(self) -> Mapping[str, object]:
        return asdict(self)

    def check(self, context: PreTradeContext) -> RuleVerdict:
        if context.equity <= 0:
            return _no_equity(self.name, context)
        sector = context.sector_of(context.order.symbol)
        symbols = {context.order.symbol} | {
            symbol for symbol in context.positions if context.sector_of(symbol) == sector
        }
        value = sum((context.value_after(symbol) for symbol in symbols), Decimal(0))
        share = value / context.equity
        if share > self.max_sector_concentration:
            return rejected(
                self.name,
                f"sector {sector!r} would be {dollars(value)}, {percent(share)} of equity "
                f"{dollars(context.equity)}, above the limit "
                f"{percent(self.max_sector_concentration)}",
            )
        return passed(self.name)
