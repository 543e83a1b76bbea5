"""The decision step behind a port: signals in, decisions out.

:class:`SignalDecisions` makes each strategy signal its own decision; the orchestrator
(:class:`trademind.orchestrator.Orchestrator`: agents vote) implements the same
:class:`DecisionMaker` port, which lives in :mod:`trademind.core.ports` so that the orchestrator,
a layer below the runtime, can name it. It is re-exported here for the runtime's callers.
"""

from __future__ import annotations

from collections.abc import Sequence

from trademind.core.decisions import Decision, Signal
from trademind.core.market import BarBatch, TradingMode
from trademind.core.ports import DecisionMaker
from trademind.execution.signals import decision_from_signal

__all__ = ["DecisionMaker", "SignalDecisions"]


class SignalDecisions:
    """Each signal becomes its own decision, in the signals' order."""

    async def decide(
        self, batch: BarBatch, signals: Sequence[Signal], mode: TradingMode
    ) -> Sequence[Decision]:
        return [decision_from_signal(signal, mode) for signal in signals]
