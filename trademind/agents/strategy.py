"""Strategy agents: each enabled rule strategy votes with its signal of the bar.

One :class:`StrategyAgent` per strategy, named ``strategy:<name>``. Its vote for a bar:

- **a signal** (the :class:`~trademind.runtime.strategy_runner.StrategyRunner`'s, passed in the
  context): BUY with score +1 or SELL with score -1, the signal's confidence and its reason. The
  score is the full direction because a rule's signal is an event, not a graded opinion; its
  strength is in the confidence, so it weighs ``confidence`` in the orchestrator's sum.
- **no signal after its warm-up**: a HOLD vote, score 0, confidence
  :data:`NO_SIGNAL_CONFIDENCE`. The rule saw the bar and did not fire: "no entry, no exit now"
  is an opinion (stay as we are), so it takes part in the vote and pulls the weighted score
  toward 0. It is not an abstention, which is kept for an agent that has no opinion.
- **no signal during its warm-up** (fewer bars seen than ``Strategy.warmup``): an abstention,
  "warming up": the rule cannot fire yet, so its silence says nothing.
"""

from __future__ import annotations

from typing import Final

from trademind.agents.base import AgentContext, guarded_abstention
from trademind.core.decisions import Abstention, Action, Vote

SOURCE: Final = "rules"
PREFIX: Final = "strategy:"
NO_SIGNAL_CONFIDENCE: Final = 0.5
"""How sure a strategy is of "not now" when its rule did not fire (module docstring)."""


def agent_name(strategy: str) -> str:
    """The agent name of the strategy ``strategy`` (``strategy:ma_crossover``)."""
    return f"{PREFIX}{strategy}"


class StrategyAgent:
    """One rule strategy's vote (module docstring). ``warmup``: the strategy's warm-up in bars
    with its parameters (``Strategy.warmup``)."""

    def __init__(self, strategy: str, warmup: int) -> None:
        self._strategy = strategy
        self._name = agent_name(strategy)
        self._warmup = warmup
        self._no_signal = f"{strategy}: no signal this bar (no entry, no exit)"

    @property
    def name(self) -> str:
        return self._name

    @property
    def strategy(self) -> str:
        return self._strategy

    async def analyze(self, context: AgentContext) -> Vote | Abstention:
        """:meth:`vote`, for callers of the async :class:`~trademind.agents.base.Agent` port."""
        return self.vote(context)

    def vote(self, context: AgentContext) -> Vote | Abstention:
        """A local agent (:class:`~trademind.agents.base.LocalAgent`): CPU work only."""
        signals = context.signals
        signal = (
            next((s for s in signals if s.strategy == self._strategy), None) if signals else None
        )
        if signal is not None:
            score = 1.0 if signal.action is Action.BUY else -1.0
            reasoning = signal.reason or f"{self._strategy} signal"
            return self._vote(context, signal.action, score, signal.confidence, reasoning)
        if context.bars_seen < self._warmup:
            why = f"warming up ({context.bars_seen} of {self._warmup} bars)"
            return guarded_abstention(self._name, context, why, SOURCE)
        return self._vote(context, Action.HOLD, 0.0, NO_SIGNAL_CONFIDENCE, self._no_signal)

    def _vote(
        self, context: AgentContext, direction: Action, score: float, confidence: float, why: str
    ) -> Vote:
        return Vote.unvalidated(  # checked once, by the agent guard
            agent=self._name,
            symbol=context.symbol,
            direction=direction,
            score=score,
            confidence=confidence,
            data_time=context.closed_at,
            source=SOURCE,
            reasoning=why,
        )
