"""An in-memory :class:`~trademind.core.ports.BrokerJournal`: :class:`MemoryJournal`."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trademind.core.order_state import OrderState
    from trademind.core.orders import Fill


class MemoryJournal:
    """A broker journal in dicts. Saved states go through strict JSON (no NaN), as a database
    column would take them, and come back as fresh copies. Two brokers built on the same
    journal object see the same book (what a restart from a database sees)."""

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, OrderState]] = {}
        self.fills: dict[str, list[Fill]] = {}
        self.states: dict[tuple[str, str], str] = {}
        self._execution_ids: set[tuple[str, str]] = set()

    def transaction(self) -> AbstractContextManager[None]:
        """Writes apply at once (a dict has nothing to commit)."""
        return nullcontext()

    def record_order(self, account: str, state: OrderState) -> None:
        self.orders.setdefault(account, {})[state.client_order_id] = state

    def record_fill(self, account: str, fill: Fill) -> bool:
        if fill.execution_id is not None:
            key = (account, fill.execution_id)
            if key in self._execution_ids:
                return False
            self._execution_ids.add(key)
        self.fills.setdefault(account, []).append(fill)
        return True

    def load_orders(self, account: str) -> list[OrderState]:
        return list(self.orders.get(account, {}).values())

    def load_fills(self, account: str) -> list[Fill]:
        return list(self.fills.get(account, []))

    def save_state(self, account: str, name: str, document: dict[str, Any]) -> None:
        self.states[(account, name)] = json.dumps(document, allow_nan=False)

    def load_state(self, account: str, name: str) -> dict[str, Any] | None:
        text = self.states.get((account, name))
        if text is None:
            return None
        document: dict[str, Any] = json.loads(text)
        return document
