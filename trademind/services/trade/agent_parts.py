"""The agents a session adds to the orchestrator (``orchestrator.enabled``): the **risk agent**
(a vetoer, with the safety layer on), the **portfolio agent** (a voter, when
``orchestrator.portfolio.targets`` names any symbol) and the **sentiment agent** (a voter, when
``sentiment.enabled``: :mod:`~trademind.services.trade.sentiment_parts`), the first two both
reading the session's account through one
:class:`~trademind.services.trade.portfolio_view.SessionPortfolio`, refreshed from the broker at
every bar close before the agents vote (:class:`SessionDeciding`).

The risk agent sizes with the same :class:`~trademind.agents.risk_sizing.EntryLimits` as the
session's router and reads the same stored daily returns as the pre-trade rules, as of the bar
close: a BUY it vetoes is logged with its reason and places no order (docs/agents.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trademind.agents.portfolio import PortfolioAgent
from trademind.agents.risk import RiskAgent
from trademind.core.events import AccountUpdated, BarClosed
from trademind.core.values import decimal_from_float
from trademind.orchestrator.factory import ExtraAgent
from trademind.services.trade.decisions import DecisionExtras, session_decisions
from trademind.services.trade.portfolio_view import PointInTimeWindows, SessionPortfolio
from trademind.services.trade.safety_parts import SessionSafety, safety_inputs
from trademind.services.trade.sentiment_parts import session_sentiment

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AsyncExitStack
    from datetime import datetime

    from trademind.brokers.base import Broker
    from trademind.config import Settings
    from trademind.core.bus import EventBus
    from trademind.core.clock import Clock
    from trademind.core.decisions import Decision, Signal
    from trademind.core.market import Bar, BarBatch, TradingMode
    from trademind.db.session import Database
    from trademind.orchestrator.veto import Vetoer
    from trademind.portfolio.journal import SqlBrokerJournal
    from trademind.services.trade.decisions import SessionDecisions
    from trademind.services.trade.plan import TradePlan


@dataclass(frozen=True, slots=True)
class SessionAgents:
    """The extras to give the orchestrator and the view to refresh (None: nothing added)."""

    extras: DecisionExtras | None
    view: SessionPortfolio | None


def session_agents(
    settings: Settings,
    plan: TradePlan,
    *,
    safety: SessionSafety,
    journal: SqlBrokerJournal,
    now: Callable[[], datetime],
    given: DecisionExtras | None = None,
    sentiment: ExtraAgent | None = None,
) -> SessionAgents:
    """The risk, portfolio and ``sentiment`` agents of ``plan``'s session, after the ``given``
    extras."""
    if plan.orchestrator is None:
        return SessionAgents(given, None)
    view = SessionPortfolio(
        safety.sector_of,
        safety.sessions.session_date,
        decimal_from_float(plan.paper_config.initial_cash),
    )
    info = journal.store.account(plan.account)
    view.seed([(point.ts, point.equity) for point in journal.store.snapshots(info)])
    vetoers: list[Vetoer] = list(given.vetoers if given else ())
    agents: list[ExtraAgent] = list(given.agents if given else ())
    limits = safety.entry_limits(plan.paper_config, journal)
    if limits is not None:
        windows = PointInTimeWindows(safety.daily_returns, now)  # the pre-trade rules' returns
        vetoers.append(RiskAgent(view, settings.safety, limits, returns=windows))
    portfolio = settings.orchestrator.portfolio
    if portfolio.targets:
        weight = settings.orchestrator.weights.portfolio
        agents.append(ExtraAgent(PortfolioAgent(view, portfolio), weight))
    if sentiment is not None:
        agents.append(sentiment)
    return SessionAgents(DecisionExtras(vetoers=vetoers, agents=agents), view)


class SessionDeciding:
    """A session's decision step with the agents' view refreshed before each decision."""

    def __init__(
        self, inner: SessionDecisions, view: SessionPortfolio | None, broker: Broker
    ) -> None:
        self._inner = inner
        self._view = view
        self._broker = broker

    def subscribe(self, bus: EventBus) -> None:
        """Keep the view's closes and after-step equity current."""
        if self._view is not None:
            bus.subscribe(BarClosed, self._view.on_bar_closed)
            bus.subscribe(AccountUpdated, self._view.on_account_updated)

    async def decide(
        self, batch: BarBatch, signals: Sequence[Signal], mode: TradingMode
    ) -> Sequence[Decision]:
        if self._view is not None:
            await self._view.refresh(self._broker, batch.closed_at)
        return await self._inner.decide(batch, signals, mode)

    def warm_up(self, bar: Bar) -> None:
        self._inner.warm_up(bar)


def safety_and_decisions(
    database: Database,
    settings: Settings,
    plan: TradePlan,
    *,
    journal: SqlBrokerJournal,
    broker: Broker,
    clock: Clock,
    wall: Clock,
    closing: AsyncExitStack,
    given: DecisionExtras | None = None,
    variant: str | None = None,
) -> tuple[SessionSafety, SessionDeciding]:
    """A session's safety layer and its decision step (the orchestrator with the session's
    agents, or the plain signals, tagged with ``variant``), deciding at ``clock``'s time (the
    replay's, or the wall's); what the agents hold open (the sentiment agent's LLM client) is
    closed by ``closing``."""
    safety = SessionSafety(safety_inputs(database, settings, wall, clock.now, plan))
    sentiment = session_sentiment(
        database, settings, plan, journal=journal, clock=clock, wall=wall, closing=closing
    )
    agents = session_agents(
        settings, plan, safety=safety, journal=journal, now=clock.now, given=given,
        sentiment=sentiment,
    )  # fmt: skip
    decisions = session_decisions(
        journal,
        plan.account,
        plan.setups,
        clock,
        orchestrator=plan.orchestrator,
        extras=agents.extras,
        variant=variant,
    )
    return safety, SessionDeciding(decisions, agents.view, broker)
