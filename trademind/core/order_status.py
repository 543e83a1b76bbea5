"""An order's lifecycle: :class:`OrderStatus`, its IB mapping and the allowed transitions.

Statuses only move forward: ``pending -> presubmitted -> open -> partially_filled``, skipping
any of them, and from each of these to an end. ``pending``, ``presubmitted`` and ``open`` may end
``filled``, ``cancelled``, ``rejected`` or ``expired``; ``partially_filled`` may end ``filled``,
``cancelled`` or ``expired`` (the rest of the order), not ``rejected`` (part of it traded).

``filled``, ``cancelled``, ``rejected`` and ``expired`` are terminal: nothing leaves them.
``partially_filled -> partially_filled`` is allowed (another partial fill); any other repeat of
the same status (brokers resend reports) is not a transition, and callers treat it as a no-op.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from trademind.core.errors import ValidationError


class OrderStatus(StrEnum):
    """Where an order is. Values are what the database stores (``orders.status``)."""

    PENDING = "pending"
    """Sent (or about to be sent) to the broker, not acknowledged yet."""
    PRESUBMITTED = "presubmitted"
    """Accepted by the broker and held there (e.g. a stop waiting for its trigger)."""
    OPEN = "open"
    """Working at the exchange."""
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def is_terminal(self) -> bool:
        """True when the order can change no more (filled, cancelled, rejected, expired)."""
        return self in TERMINAL_STATUSES

    @classmethod
    def from_ib_status(cls, status: str) -> OrderStatus:
        """The status for an Interactive Brokers ``orderStatus`` text (see :data:`IB_STATUSES`).

        Any other text (including ``PendingCancel`` and ``ApiPending``, which say nothing final
        about the order) is a ValidationError naming the text and the known ones.
        """
        try:
            return IB_STATUSES[status]
        except (KeyError, TypeError):
            known = ", ".join(IB_STATUSES)
            raise ValidationError(
                f"unknown Interactive Brokers order status {status!r} (known: {known})"
            ) from None


IB_STATUSES: Final[Mapping[str, OrderStatus]] = MappingProxyType(
    {
        "PendingSubmit": OrderStatus.PENDING,
        "PreSubmitted": OrderStatus.PRESUBMITTED,
        "Submitted": OrderStatus.OPEN,
        "Filled": OrderStatus.FILLED,
        "Cancelled": OrderStatus.CANCELLED,
        "ApiCancelled": OrderStatus.CANCELLED,
        "Inactive": OrderStatus.REJECTED,
    }
)
"""Interactive Brokers order status text -> our status."""

TERMINAL_STATUSES: Final = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED}
)

_WORKING: Final = (OrderStatus.PRESUBMITTED, OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED)
TRANSITIONS: Final[Mapping[OrderStatus, frozenset[OrderStatus]]] = MappingProxyType(
    {
        OrderStatus.PENDING: TERMINAL_STATUSES.union(_WORKING),
        OrderStatus.PRESUBMITTED: TERMINAL_STATUSES.union(_WORKING[1:]),
        OrderStatus.OPEN: TERMINAL_STATUSES.union(_WORKING[2:]),
        OrderStatus.PARTIALLY_FILLED: frozenset(
            {
                OrderStatus.PARTIALLY_FILLED,
                OrderStatus.FILLED,
                OrderStatus.CANCELLED,
                OrderStatus.EXPIRED,
            }
        ),
        **{status: frozenset() for status in TERMINAL_STATUSES},
    }
)
"""For each status, the statuses an order may move to next."""


def can_transition(current: OrderStatus, new: OrderStatus) -> bool:
    """True when an order in ``current`` may move to ``new``."""
    return new in TRANSITIONS[current]
