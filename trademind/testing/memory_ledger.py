"""A trivial in-memory :class:`~trademind.runtime.ledger_hook.LedgerHook` for tests: it keeps
every step, and positions and cash from the fills (no persistence, no P&L)."""

from __future__ import annotations

from decimal import Decimal

from trademind.core.orders import OrderSide
from trademind.runtime.ledger_hook import StepRecord


class MemoryLedger:
    """Books steps in memory: ``steps``, ``positions`` (symbol -> quantity) and ``cash``."""

    def __init__(self, cash: Decimal = Decimal(100_000)) -> None:
        self.cash = cash
        self.positions: dict[str, Decimal] = {}
        self.marks: dict[str, Decimal] = {}
        self.steps: list[StepRecord] = []

    async def record_step(self, step: StepRecord) -> None:
        for fill in step.fills:
            signed = fill.quantity if fill.side is OrderSide.BUY else -fill.quantity
            self.positions[fill.symbol] = self.positions.get(fill.symbol, Decimal(0)) + signed
            self.cash -= signed * fill.price + fill.commission
        self.marks.update(step.marks)
        self.steps.append(step)

    @property
    def equity(self) -> Decimal:
        """Cash plus positions at their latest marks."""
        held = sum(
            (quantity * self.marks[symbol] for symbol, quantity in self.positions.items()),
            Decimal(0),
        )
        return self.cash + held
