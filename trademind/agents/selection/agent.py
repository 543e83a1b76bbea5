"""The strategy-selection agent: votes with the signal of the strategy the regime picks.

A :class:`~trademind.agents.base.LocalAgent` named ``selector``, built with a
:class:`~trademind.agents.selection.rule.SelectionRule` learned beforehand (a backtest's
training days: :func:`trademind.services.strategy_selection.train_rule`). At each bar close it
computes the regime features on the context's bars (the bars the context keeps: a feature
needing more history is missing, and the rule falls back to a coarser regime, saying so; no
index is available in a context, so correlation is always missing here), chooses a strategy and
votes:

- the chosen strategy signalled this bar: BUY (+1) or SELL (-1) with the signal's confidence,
  the reasoning ``selector chose <strategy> (<reason>); its signal: <signal reason>``;
- it did not: HOLD (0) with confidence 0.5, ``... : no signal this bar``;
- no bars in the context: an abstention.

It re-chooses at every bar from the regime of that bar, while ``agents select-strategy``
measures a choice held for a whole test window: the two are the same rule, not the same
schedule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.agents.base import AgentContext, guarded_abstention
from trademind.agents.selection.features import regime_features
from trademind.agents.selection.rule import describe_regime, regime_at
from trademind.core.decisions import Abstention, Action, Vote
from trademind.strategies.base import Bars

if TYPE_CHECKING:
    from trademind.agents.selection.rule import SelectionRule

NAME: Final = "selector"
SOURCE: Final = "regime"
NO_SIGNAL_CONFIDENCE: Final = 0.5


def context_bars(context: AgentContext) -> Bars:
    """The context's bars as the arrays the features read (oldest first)."""
    bars = context.bars
    ts = np.array([int(bar.ts.timestamp() * 1e9) for bar in bars], dtype=np.int64)

    def column(name: str) -> np.ndarray:  # type: ignore[type-arg]
        return np.array([getattr(bar, name) for bar in bars], dtype=np.float64)

    return Bars(
        context.symbol,
        ts,
        column("open"),
        column("high"),
        column("low"),
        column("close"),
        column("volume"),
    )


class StrategySelectionAgent:
    """The selector's vote (module docstring)."""

    def __init__(self, rule: SelectionRule) -> None:
        self._rule = rule

    @property
    def name(self) -> str:
        return NAME

    async def analyze(self, context: AgentContext) -> Vote | Abstention:
        """:meth:`vote`, for callers of the async :class:`~trademind.agents.base.Agent` port."""
        return self.vote(context)

    def vote(self, context: AgentContext) -> Vote | Abstention:
        if not context.bars:
            return guarded_abstention(NAME, context, "no bars to read the regime from", SOURCE)
        features = regime_features(context_bars(context))
        last = len(context.bars) - 1
        choice = self._rule.choose(regime_at(features, last), describe_regime(features, last))
        chosen = f"selector chose {choice.strategy} ({choice.reason})"
        signal = next((s for s in context.signals if s.strategy == choice.strategy), None)
        if signal is None:
            return self._vote(context, Action.HOLD, 0.0, NO_SIGNAL_CONFIDENCE,
                              f"{chosen}: no signal this bar")  # fmt: skip
        score = 1.0 if signal.action is Action.BUY else -1.0
        why = f"{chosen}; its signal: {signal.reason or signal.action.value}"
        return self._vote(context, signal.action, score, signal.confidence, why)

    def _vote(
        self, context: AgentContext, direction: Action, score: float, confidence: float, why: str
    ) -> Vote:
        return Vote.unvalidated(  # checked once, by the agent guard
            agent=NAME,
            symbol=context.symbol,
            direction=direction,
            score=score,
            confidence=confidence,
            data_time=context.closed_at,
            source=SOURCE,
            reasoning=why,
        )
