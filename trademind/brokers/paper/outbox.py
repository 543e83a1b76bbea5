"""The paper broker's outbox: the order states and fills one venue step produced, saved inside
the venue's state document before they are journalled one by one.

A venue step (a batch's open or close, an order placed or cancelled) changes the venue and
produces order states and fills. They reach the journal in several writes (one per state, one
per fill), so a process killed between those writes would leave the journal and the saved venue
state disagreeing: an order journalled as placed that the saved venue never received, or one
journalled as cancelled that the saved venue still works. So the broker saves the venue state
*with* the step's states and fills first (one write) and journals them after; a broker built
after a crash journals the saved outbox again (:func:`record`), which is idempotent (orders are
upserted with the same state, fills keyed by their execution id), and the journal and the
venue agree again.

Decimals are stored as their exact text, times as ISO 8601.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from trademind.core.errors import BrokerError
from trademind.core.order_state import OrderState
from trademind.core.orders import Fill, Order

if TYPE_CHECKING:
    from collections.abc import Sequence

    from trademind.core.ports import BrokerJournal

OUTBOX_KEY: Final = "outbox"

Entry = OrderState | Fill


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _order_document(order: Order) -> dict[str, Any]:
    return {
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "quantity": str(order.quantity),
        "order_type": order.order_type.value,
        "time_in_force": order.time_in_force.value,
        "limit_price": _text(order.limit_price),
        "stop_price": _text(order.stop_price),
        "decision_id": order.decision_id,
    }


def _state_document(state: OrderState) -> dict[str, Any]:
    return {
        "kind": "order",
        "order": _order_document(state.order),
        "status": state.status.value,
        "quantity": str(state.quantity),
        "filled_quantity": str(state.filled_quantity),
        "average_fill_price": _text(state.average_fill_price),
        "submitted_at": state.submitted_at.isoformat(),
        "updated_at": state.updated_at.isoformat(),
        "reason": state.reason,
        "broker_order_id": state.broker_order_id,
    }


def _fill_document(fill: Fill) -> dict[str, Any]:
    return {
        "kind": "fill",
        "order_id": fill.order_id,
        "symbol": fill.symbol,
        "side": fill.side.value,
        "quantity": str(fill.quantity),
        "price": str(fill.price),
        "ts": fill.ts.isoformat(),
        "commission": str(fill.commission),
        "execution_id": fill.execution_id,
    }


def to_documents(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """The outbox as JSON-ready data, in the order the entries happened."""
    return [_state_document(e) if isinstance(e, OrderState) else _fill_document(e) for e in entries]


def _order(data: dict[str, Any]) -> Order:
    return Order(
        client_order_id=data["client_order_id"],
        symbol=data["symbol"],
        side=data["side"],
        quantity=Decimal(data["quantity"]),
        order_type=data["order_type"],
        time_in_force=data["time_in_force"],
        limit_price=_decimal(data["limit_price"]),
        stop_price=_decimal(data["stop_price"]),
        decision_id=data["decision_id"],
    )


def _entry(data: dict[str, Any]) -> Entry:
    if data["kind"] == "order":
        return OrderState(
            order=_order(data["order"]),
            status=data["status"],
            quantity=Decimal(data["quantity"]),
            filled_quantity=Decimal(data["filled_quantity"]),
            average_fill_price=_decimal(data["average_fill_price"]),
            submitted_at=datetime.fromisoformat(data["submitted_at"]),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            reason=data["reason"],
            broker_order_id=data["broker_order_id"],
        )
    return Fill(
        order_id=data["order_id"],
        symbol=data["symbol"],
        side=data["side"],
        quantity=Decimal(data["quantity"]),
        price=Decimal(data["price"]),
        ts=datetime.fromisoformat(data["ts"]),
        commission=Decimal(data["commission"]),
        execution_id=data["execution_id"],
    )


def from_documents(data: object) -> list[Entry]:
    """The outbox a saved venue state holds (an older document without one: empty)."""
    if data is None:
        return []
    if not isinstance(data, list):
        raise BrokerError(f"unreadable paper broker outbox {data!r:.80}")
    try:
        return [_entry(item) for item in data]
    except (KeyError, TypeError, ValueError) as exc:
        raise BrokerError(f"unreadable paper broker outbox entry: {exc}") from None


def record(journal: BrokerJournal, account: str, entries: Sequence[Entry]) -> None:
    """Journal ``entries`` in order (each write idempotent: see the module docstring)."""
    for entry in entries:
        if isinstance(entry, OrderState):
            journal.record_order(account, entry)
        else:
            journal.record_fill(account, entry)
