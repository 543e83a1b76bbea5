"""The port the client records its calls through (``llm_calls`` in production)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol

from trademind.core.llm_calls import LlmCall


class CallLedger(Protocol):
    """Where every call is recorded and the day's spending is read."""

    def record(self, call: LlmCall) -> None:
        """Store ``call``."""
        ...

    def cost_on(self, day: date) -> Decimal:
        """US dollars recorded for calls made on the UTC ``day`` (unknown costs count 0)."""
        ...
