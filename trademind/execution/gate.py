"""The port the router asks before it places an order: :class:`OrderGate`.

The router asks the gate about every order it is about to place (entries, exits and the
emergency liquidation's sells), never about a cancel: cancels always go through. It passes the
account and its positions as the broker reports them just then (:class:`GateView`). A gate
answers None (place it) or the reason it refuses the order; the router then records the order
as rejected with that reason (:meth:`ExecutionRouter.place`) and never sends it to the venue.
The trading state's gate (:class:`~trademind.runtime.state_gate.TradingStateGate`) and the
safety layer's (:class:`~trademind.runtime.pre_trade_gate.PreTradeGate`: the state, then the
pre-trade rules) implement it; without a gate every order passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Protocol

from trademind.core.accounts import Account, Position
from trademind.core.orders import Order

LIQUIDATION_DECISION: Final = "emergency-liquidation"
"""The ``decision_id`` of the market sells an emergency stop with liquidation places: the only
new orders a HALTED account accepts."""

PRE_TRADE_PREFIX: Final = "pre-trade rule "
"""How a refusal by a pre-trade rule starts: ``pre-trade rule <rule>: <reason>``."""
STATE_PREFIX: Final = "trading state "
"""How a refusal by the trading state starts: ``trading state HALTED: ...``."""
SAFETY_REFUSALS: Final = (PRE_TRADE_PREFIX, STATE_PREFIX)
"""The starts of the safety layer's own refusals (not the broker's rejections)."""

PROTECTIVE_STOP_DECISION: Final = "protective-stop"
"""The ``decision_id`` of the market sells the safety layer's monitored stop places (a position
whose account has no venue stop-loss, fallen to its stop): like the venue's own stop-loss exits,
they only reduce, and pass in every trading state."""


@dataclass(frozen=True, slots=True)
class GateView:
    """The account and its positions (by symbol) as the broker reports them when an order is
    about to be placed."""

    account: Account
    positions: Mapping[str, Position]

    def held(self, symbol: str) -> Decimal:
        """The signed quantity held of ``symbol`` (0 when none)."""
        position = self.positions.get(symbol)
        return Decimal(0) if position is None else position.quantity


class OrderGate(Protocol):
    """Decides whether an order may be placed, given the account as it is (:class:`GateView`)."""

    def refusal(self, order: Order, view: GateView) -> str | None:
        """None when ``order`` may be placed, else why not (one line, for the ledger)."""
        ...
