"""An :class:`~trademind.orchestrator.orchestrator.Orchestrator` from the ``orchestrator``
settings and the enabled strategies.

The technical agent weighs ``weights.technical``; each of the ``n`` enabled strategies votes as
its own agent (``strategy:<name>``) with ``weights.strategy / n``, so enabling more strategies
does not give the rules more say than the configured weight. ``extra`` agents (a risk or
portfolio agent a session adds) vote after them with the weight and timeout they come with.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trademind.agents.base import Agent, LocalAgent
from trademind.agents.indicator_book import IndicatorBook
from trademind.agents.strategy import StrategyAgent
from trademind.agents.technical import TechnicalAgent
from trademind.config.sections_agents import OrchestratorSettings
from trademind.core.clock import Clock
from trademind.core.voting import VotingRules
from trademind.orchestrator.orchestrator import DecisionSink, Orchestrator
from trademind.orchestrator.veto import Vetoer
from trademind.strategies.base import ParamValue, Strategy
from trademind.strategies.registry import resolve

LOCAL_AGENT_TIMEOUT = math.inf
"""The technical and strategy agents are local (CPU only, called directly): no timeout applies
to them, so they have no timeout setting. Agents doing I/O (issue 12's sentiment agent) get a
``timeout_seconds`` setting of their own."""


@dataclass(frozen=True, slots=True)
class ExtraAgent:
    """An agent added to the configured ones, with its weight in the vote and its timeout in
    seconds (not applied to a local agent, which is called directly)."""

    agent: Agent | LocalAgent
    weight: float
    timeout_seconds: float = LOCAL_AGENT_TIMEOUT


StrategyChoice = tuple[Strategy, Mapping[str, ParamValue] | None]
"""An enabled strategy and its parameters (None: its defaults)."""


def build_orchestrator(
    settings: OrchestratorSettings,
    strategies: Sequence[StrategyChoice],
    clock: Clock,
    *,
    vetoers: Sequence[Vetoer] = (),
    sink: DecisionSink | None = None,
    extra: Sequence[ExtraAgent] = (),
) -> Orchestrator:
    """The orchestrator the settings describe (module docstring)."""
    agents: list[tuple[Agent | LocalAgent, float]] = [(TechnicalAgent(), LOCAL_AGENT_TIMEOUT)]
    weights = {TechnicalAgent().name: settings.weights.technical}
    share = settings.weights.strategy / len(strategies) if strategies else 0.0
    for strategy, params in strategies:
        agent = StrategyAgent(strategy.name, strategy.warmup(resolve(strategy, params)))
        agents.append((agent, LOCAL_AGENT_TIMEOUT))
        weights[agent.name] = share
    for added in extra:
        agents.append((added.agent, added.timeout_seconds))
        weights[added.agent.name] = added.weight
    rules = VotingRules(
        weights=weights,
        quorum=settings.quorum,
        buy_threshold=settings.buy_threshold,
        sell_threshold=settings.sell_threshold,
    )
    return Orchestrator(
        agents=agents,
        rules=rules,
        book=IndicatorBook(settings.technical),
        clock=clock,
        variant=settings.variant,
        vetoers=vetoers,
        sink=sink,
    )
