"""The heat limit: total risk to stops across positions, after the fill, as a share of equity.

Where the stops are: until protective stops are part of the pre-trade context, every position
(the held ones and the order's symbol after the fill) is taken to have its stop
``stop_loss`` (``safety.default_stop_loss``) away from its current price, below a long and
above a short. A position's risk is then ``|quantity| x price x stop_loss`` and heat is
``stop_loss x gross exposure / equity`` (the formula of :func:`trademind.safety.exposure.heat`
with those stops), computed in Decimal so that a figure exactly at the limit passes. Heat needs
no returns history. It does not apply to an order that only reduces exposure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from trademind.safety.context import PreTradeContext
from trademind.safety.rules.history import no_equity
from trademind.safety.verdicts import RuleVerdict, dollars, passed, percent, rejected


def risk_to_stops_after(context: PreTradeContext, stop_loss: Decimal) -> Decimal:
    """The amount lost if every position after the fill hit a stop ``stop_loss`` away."""
    symbol = context.order.symbol
    others = sum(
        (abs(p.market_value) for name, p in context.positions.items() if name != symbol),
        Decimal(0),
    )
    return (others + context.value_after(symbol)) * stop_loss


@dataclass(frozen=True, slots=True)
class PortfolioHeat:
    """Total risk to stops after the fill may be at most ``max_portfolio_heat`` of equity."""

    max_portfolio_heat: Decimal
    stop_loss: Decimal
    name: ClassVar[str] = "portfolio_heat"
    applies_to_reducing: ClassVar[bool] = False

    @property
    def settings(self) -> Mapping[str, object]:
        return {"max_portfolio_heat": self.max_portfolio_heat, "default_stop_loss": self.stop_loss}

    def check(self, context: PreTradeContext) -> RuleVerdict:
        if context.equity <= 0:
            return no_equity(self.name, context)
        risk = risk_to_stops_after(context, self.stop_loss)
        share = risk / context.equity
        if share > self.max_portfolio_heat:
            return rejected(
                self.name,
                f"heat after the order would be {percent(share)} of equity "
                f"{dollars(context.equity)} ({dollars(risk)} at risk to stops "
                f"{percent(self.stop_loss)} away), above the limit "
                f"{percent(self.max_portfolio_heat)}",
            )
        return passed(self.name)
