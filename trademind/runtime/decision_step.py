"""The decision step behind a port: signals in, decisions out.

For now the strategy's signal becomes the decision (:class:`SignalDecisions`); issue 11 puts
agents, voting and the safety layer behind the same :class:`DecisionMaker` port.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from trademind.core.decisions import Decision, Signal
from trademind.core.market import TradingMode
from trademind.execution.signals import decision_from_signal
from trademind.runtime.bar_sources import BarBatch


class DecisionMaker(Protocol):
    """Turns one bar close (its bars and the strategies' signals) into decisions: the
    orchestrator's port. It is called at every timestamp, with or without signals."""

    async def decide(
        self, batch: BarBatch, signals: Sequence[Signal], mode: TradingMode
    ) -> Sequence[Decision]: ...


class SignalDecisions:
    """Each signal becomes its own decision, in the signals' order."""

    async def decide(
        self, batch: BarBatch, signals: Sequence[Signal], mode: TradingMode
    ) -> Sequence[Decision]:
        return [decision_from_signal(signal, mode) for signal in signals]
