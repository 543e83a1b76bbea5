"""An in-memory cost ledger for tests: the calls in a list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from trademind.core.llm_calls import LlmCall


class MemoryCallLedger:
    """Implements :class:`trademind.agents.llm.ledger.CallLedger` in memory."""

    def __init__(self) -> None:
        self.calls: list[LlmCall] = []

    def record(self, call: LlmCall) -> None:
        self.calls.append(call)

    def cost_on(self, day: date) -> Decimal:
        return sum(
            (c.cost_usd for c in self.calls if c.called_at.date() == day and c.cost_usd),
            Decimal(0),
        )
