"""The port the router asks before it places an order: :class:`OrderGate`.

The router asks the gate about every order it is about to place (entries, exits and the
emergency liquidation's sells), never about a cancel: cancels always go through. A gate answers
None (place it) or the reason it refuses the order; the router then records the order as
rejected with that reason (:meth:`ExecutionRouter.place`) and never sends it to the venue.
The trading state's gate (:class:`~trademind.runtime.state_gate.TradingStateGate`) implements
it; without a gate every order passes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Protocol

from trademind.core.orders import Order

LIQUIDATION_DECISION: Final = "emergency-liquidation"
"""The ``decision_id`` of the market sells an emergency stop with liquidation places: the only
new orders a HALTED account accepts."""


class OrderGate(Protocol):
    """Decides whether an order may be placed, given the symbol's held quantity."""

    def refusal(self, order: Order, held: Decimal) -> str | None:
        """None when ``order`` may be placed, else why not (one line, for the ledger)."""
        ...
