"""What a decision does to a symbol's orders: the backtest kernel's rule as a pure function.

The rule is :func:`trademind.backtest.engine.kernel_orders.signals`, written over explicit
state instead of the kernel's arrays (the two must agree; tests pin every case):

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
    if action is Action.SELL:
        return _exit_intent(orders)
    if action is Action.BUY:
        idle = orders.position == 0 and orders.working_entry is None
        if idle and orders.working_exit is None:
            return Intent(kind=OrderIntent.PLACE_ENTRY, why="flat with no working order")
        return Intent(kind=OrderIntent.NOTHING, why=_busy(orders))
    return Intent(kind=OrderIntent.NOTHING, why="hold")


def _exit_intent(orders: SymbolOrders) -> Intent:
    if orders.position > 0:
        if orders.working_exit is not None:
            return Intent(kind=OrderIntent.NOTHING, why="an exit order already works")
        return Intent(
            kind=OrderIntent.PLACE_EXIT,
            exit_quantity=orders.position,
            cancel=orders.working_entry,
            why="exit the whole position",
        )
    if orders.working_entry is not None:
        return Intent(
            kind=OrderIntent.CANCEL_ENTRY,
            cancel=orders.working_entry,
            why="exit signal while the entry order is still working",
        )
    return Intent(kind=OrderIntent.NOTHING, why="nothing to exit")


def _busy(orders: SymbolOrders) -> str:
    if orders.position != 0:
        return "already holding a position"
    if orders.working_entry is not None:
        return "an entry order already works"
    return "an exit order still works"
