"""The portfolio agent: votes to bring each symbol back to its target weight of equity.

From :func:`~trademind.agents.portfolio_report.allocation` (weight ``w``, target ``t``, drift
``d = w - t``, threshold ``T`` = ``orchestrator.portfolio.drift_threshold``):

- ``d > T`` (over target beyond the band): **sell**, score ``-min(1, d / 2T)``;
- ``d < -T`` (under target beyond the band): **buy**, score ``min(1, -d / 2T)``;
- otherwise **hold**, score 0 (within the band: stay as we are), confidence 0.5.

Trade votes have confidence 1 (the drift is measured, not guessed): a drift at the threshold
is half strength, twice the threshold full strength. The agent **abstains** when no targets are
configured, when the symbol has no target, or when the equity is not positive (no weights).
It reads the account through a :class:`~trademind.agents.portfolio_view.PortfolioView` given
at construction; it is a local agent (no I/O).
"""

from __future__ import annotations

from typing import Final

from trademind.agents.base import AgentContext, abstain
from trademind.agents.portfolio_report import allocation
from trademind.agents.portfolio_view import PortfolioView
from trademind.config.sections_agents import PortfolioAgentSettings
from trademind.core.decisions import Abstention, Action, Vote

NAME: Final = "portfolio"
SOURCE: Final = "rules"
HOLD_CONFIDENCE: Final = 0.5


class PortfolioAgent:
    """Votes on a symbol's drift from its target weight (module docstring)."""

    def __init__(self, view: PortfolioView, settings: PortfolioAgentSettings) -> None:
        self._view = view
        self._targets = dict(settings.targets)
        self._threshold = settings.drift_threshold

    @property
    def name(self) -> str:
        return NAME

    async def analyze(self, context: AgentContext) -> Vote | Abstention:
        """:meth:`vote`, for callers of the async :class:`~trademind.agents.base.Agent` port."""
        return self.vote(context)

    def vote(self, context: AgentContext) -> Vote | Abstention:
        """A local agent (:class:`~trademind.agents.base.LocalAgent`): reads the view only."""
        symbol = context.symbol
        if not self._targets:
            return abstain(NAME, context, "no portfolio targets are configured", SOURCE)
        target = self._targets.get(symbol)
        if target is None:
            return abstain(NAME, context, f"{symbol} has no target weight", SOURCE)
        equity = self._view.equity()
        if not equity > 0:
            return abstain(NAME, context, f"equity is {equity}: no weights to compare", SOURCE)
        position = self._view.positions().get(symbol)
        row = allocation(symbol, position, equity, target, self._threshold)
        drift = row.drift if row.drift is not None else 0.0
        strength = min(1.0, abs(drift) / (2.0 * self._threshold))
        if row.triggered and drift > 0:
            direction, score, confidence, verdict = Action.SELL, -strength, 1.0, "over"
        elif row.triggered:
            direction, score, confidence, verdict = Action.BUY, strength, 1.0, "under"
        else:
            direction, score, confidence, verdict = Action.HOLD, 0.0, HOLD_CONFIDENCE, "within"
        band = f"{self._threshold:.2%}"
        reasoning = (
            f"{symbol} is {row.weight:.2%} of equity against a target of {target:.2%}: drift "
            f"{drift:+.2%}, {verdict} the {band} band"
        )
        if row.trade is not None:
            reasoning += f"; rebalance: {row.trade.side.value} ${row.trade.amount:,.2f}"
        return Vote(
            agent=NAME,
            symbol=symbol,
            direction=direction,
            score=score,
            confidence=confidence,
            data_time=context.closed_at,
            source=SOURCE,
            reasoning=reasoning,
            key_factors=(f"weight {row.weight:.4f}", f"target {target:.4f}"),
        )
