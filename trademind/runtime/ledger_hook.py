"""What the trading loop hands the ledger after each bar close: :class:`StepRecord`.

The ledger (``trademind.portfolio``) implements :class:`LedgerHook`; the loop calls it once per
timestamp, after the venue closed the bars, with the fills of that step (in the order the
broker reported them) and the closes to mark positions at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from trademind.core.decisions import Decision
from trademind.core.market import TradingMode
from trademind.core.order_state import OrderState
from trademind.core.orders import Fill


@dataclass(frozen=True, slots=True, kw_only=True)
class StepRecord:
    """One timestamp of the loop for ``account``: ``fills`` (execution order), ``marks``
    (symbol -> close, Decimal from the float close via its shortest repr), the ``decisions``
    made and the ``orders`` whose state changed (latest state each)."""

    account: str
    mode: TradingMode
    closed_at: datetime
    fills: tuple[Fill, ...]
    marks: Mapping[str, Decimal]
    decisions: tuple[Decision, ...] = ()
    orders: tuple[OrderState, ...] = ()


class LedgerHook(Protocol):
    """Books a step (the ledger: positions, cash, fills, snapshots)."""

    async def record_step(self, step: StepRecord) -> None: ...
