"""What a decision does to a symbol's orders: the backtest kernel's rule, for the router.

The rule itself is :func:`trademind.fills.policy.signal_action`, which the backtest kernel
calls too; this module gives it the router's types (an :class:`Intent` naming the orders):

* an exit (SELL) decision with a position and no working exit order places a SELL of the
  whole position (a working entry order is cancelled first, as the kernel does);
* an exit decision without a position cancels a working entry order;
* an entry (BUY) decision when flat with no working order places a BUY entry;
* anything else (HOLD, a BUY while long or while an order works, a SELL with an exit already
  working) does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from trademind.core.decisions import Action
from trademind.fills import policy


class OrderIntent(StrEnum):
    """What :func:`order_intent` asks the router to do."""

    NOTHING = "nothing"
    PLACE_ENTRY = "place_entry"
    PLACE_EXIT = "place_exit"
    CANCEL_ENTRY = "cancel_entry"


@dataclass(frozen=True, slots=True, kw_only=True)
class SymbolOrders:
    """One symbol's position and working orders, as the policy sees them.

    ``position`` is the signed quantity held; ``working_entry`` / ``working_exit`` are the
    client order ids of the non-terminal BUY / SELL orders (None when there is none).
    """

    position: Decimal
    working_entry: str | None = None
    working_exit: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Intent:
    """The policy's verdict: ``kind``, and for an exit the quantity to sell; for an exit that
    replaces a working entry, or a cancel, the entry order to cancel."""

    kind: OrderIntent
    exit_quantity: Decimal | None = None
    cancel: str | None = None
    why: str = ""


def order_intent(action: Action, orders: SymbolOrders) -> Intent:
    """The kernel's rule (module docstring) for one decision on one symbol."""
    verdict = policy.signal_action(
        action is Action.BUY,
        action is Action.SELL,
        orders.position > 0,
        orders.working_entry is not None,
        orders.working_exit is not None,
    )
    if verdict == policy.PLACE_EXIT:
        return Intent(
            kind=OrderIntent.PLACE_EXIT,
            exit_quantity=orders.position,
            cancel=orders.working_entry,
            why="exit the whole position",
        )
    if verdict == policy.CANCEL_ENTRY:
        return Intent(
            kind=OrderIntent.CANCEL_ENTRY,
            cancel=orders.working_entry,
            why="exit signal while the entry order is still working",
        )
    if verdict == policy.PLACE_ENTRY:
        return Intent(kind=OrderIntent.PLACE_ENTRY, why="flat with no working order")
    return Intent(kind=OrderIntent.NOTHING, why=_idle_reason(action, orders))


def _idle_reason(action: Action, orders: SymbolOrders) -> str:
    if action is Action.SELL:
        held = orders.position > 0
        return "an exit order already works" if held else "nothing to exit"
    if action is Action.BUY:
        return _busy(orders)
    return "hold"


def _busy(orders: SymbolOrders) -> str:
    if orders.position != 0:
        return "already holding a position"
    if orders.working_entry is not None:
        return "an entry order already works"
    return "an exit order still works"
