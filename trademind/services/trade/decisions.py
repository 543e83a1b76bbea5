"""The trade loop's decision step and its decisions in the decision log.

A session decides in one of two ways (:func:`session_decisions`):

- **plain** (``orchestrator.enabled`` false, the default): :class:`LoggedDecisions` around
  :class:`~trademind.runtime.decision_step.SignalDecisions`: each strategy signal is its own
  decision (BUY or SELL), logged as an ``agent_decisions`` row with the signal its single vote
  (:func:`~trademind.orchestrator.decision_log.write_signal_decisions`);
- **orchestrated** (``orchestrator.enabled`` true): :class:`OrchestratedDecisions`, the
  :class:`~trademind.orchestrator.orchestrator.Orchestrator` that
  :func:`~trademind.orchestrator.factory.build_orchestrator` makes from the ``orchestrator``
  settings and the session's strategies (plus the vetoers and extra agents a caller passes in
  :class:`DecisionExtras`): one decision per symbol and bar close, BUY, SELL or HOLD, every one
  logged with its tally (every vote, weight, score, the thresholds, quorum, participation, the
  veto and the explanation: :func:`~trademind.orchestrator.decision_log.write_records`).

Either way the rows are written with the journal's (:meth:`~trademind.portfolio.journal.
SqlBrokerJournal.attach`): inside a replay's block of steps as its transaction ends, before the
orders and fills that name them, so a stored step always has its decisions and a fill finds its
order's decision; outside a transaction, at once, before the router places the decision's
order. A decision's id is deterministic and rows already stored stay, so a resume that decides
a step again writes nothing twice.

A resumed session feeds the bars an earlier run processed to :meth:`SessionDecisions.warm_up`
(and to the strategies): the orchestrator's indicator book advances by them, so the resumed
session decides exactly as an uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Protocol

from trademind.orchestrator.decision_log import (
    record_facts,
    signal_facts,
    write_records,
    write_signal_decisions,
)
from trademind.orchestrator.factory import ExtraAgent, build_orchestrator
from trademind.runtime.decision_step import DecisionMaker, SignalDecisions

if TYPE_CHECKING:
    import sqlalchemy as sa

    from trademind.config.sections_agents import OrchestratorSettings
    from trademind.core.clock import Clock
    from trademind.core.decisions import Decision, Signal
    from trademind.core.market import Bar, BarBatch, TradingMode
    from trademind.orchestrator.orchestrator import DecisionRecord, Orchestrator
    from trademind.orchestrator.veto import Vetoer
    from trademind.portfolio.journal import SqlBrokerJournal
    from trademind.runtime.strategy_runner import StrategySetup


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionExtras:
    """What a session adds to the orchestrator's configured agents: ``vetoers`` (a risk agent,
    the safety layer) reviewing every BUY and SELL, and ``agents`` voting with their weight."""

    vetoers: Sequence[Vetoer] = ()
    agents: Sequence[ExtraAgent] = ()


class SessionDecisions(DecisionMaker, Protocol):
    """A session's decision step: decides at each bar close, warms up on a resume."""

    def warm_up(self, bar: Bar) -> None:
        """Take in ``bar`` (closed, decided by an earlier run) without deciding."""
        ...


class DecisionWrites:
    """Decisions of one account kept to be written (a journal's pending writes): plain ones
    (a strategy signal each) and orchestrated ones (with their tally)."""

    def __init__(self, journal: SqlBrokerJournal, account: str) -> None:
        self._journal = journal
        self._account = account
        self._account_id: int | None = None
        self._signals: list[Decision] = []
        self._records: list[DecisionRecord] = []

    def __bool__(self) -> bool:
        return bool(self._signals) or bool(self._records)

    def _known_account(self) -> None:
        if self._account_id is None:
            self._account_id = self._journal.store.account(self._account).id

    def add(self, decisions: Sequence[Decision]) -> None:
        self._known_account()
        self._signals.extend(decisions)

    def add_records(self, records: Sequence[DecisionRecord]) -> None:
        self._known_account()
        self._records.extend(records)

    def clear(self) -> None:
        self._signals.clear()
        self._records.clear()

    def flush(self, connection: sa.Connection) -> None:
        """Write the pending rows; then the journal knows the decisions inserted now that may
        place an order (BUY or SELL, not vetoed), so their orders and fills take their facts
        from memory (a decision stored already by an earlier run is read back as stored)."""
        signals, self._signals = self._signals, []
        records, self._records = self._records, []
        account_id = self._account_id
        if account_id is None:
            return
        known = self._journal.decisions
        if signals:
            inserted = write_signal_decisions(connection, account_id, signals)
            for one in signals:
                if one.decision_id in inserted:
                    known.remember(account_id, one.decision_id, partial(signal_facts, one))
        if records:
            inserted = write_records(connection, account_id, records)
            for record in records:
                ref = record.decision.decision_id
                if ref in inserted:
                    known.remember(account_id, ref, partial(record_facts, record))


class LoggedDecisions:
    """A :class:`DecisionMaker` that logs the decisions of ``inner`` (module docstring)."""

    def __init__(
        self,
        journal: SqlBrokerJournal,
        account: str,
        inner: DecisionMaker | None = None,
        *,
        variant: str | None = None,
    ) -> None:
        self._inner: DecisionMaker = inner or SignalDecisions()
        self._variant = variant
        self._journal = journal
        self._writes = DecisionWrites(journal, account)
        journal.attach(self._writes)

    async def decide(
        self, batch: BarBatch, signals: Sequence[Signal], mode: TradingMode
    ) -> Sequence[Decision]:
        decisions = await self._inner.decide(batch, signals, mode)
        if self._variant is not None:
            decisions = [replace(one, variant=self._variant) for one in decisions]
        if decisions:
            self._writes.add(decisions)
            self._journal.write_attached()
        return decisions

    def warm_up(self, bar: Bar) -> None:
        """Nothing to advance: each signal is its own decision."""


class _JournalSink:
    """The orchestrator's decision sink: its records written with the journal's."""

    def __init__(self, journal: SqlBrokerJournal, writes: DecisionWrites) -> None:
        self._journal = journal
        self._writes = writes

    def record(self, records: Sequence[DecisionRecord]) -> None:
        self._writes.add_records(records)
        self._journal.write_attached()


class OrchestratedDecisions:
    """The orchestrator as a session's decision step, its records logged (module docstring)."""

    def __init__(self, orchestrator: Orchestrator) -> None:
        self._orchestrator = orchestrator

    @property
    def orchestrator(self) -> Orchestrator:
        return self._orchestrator

    async def decide(
        self, batch: BarBatch, signals: Sequence[Signal], mode: TradingMode
    ) -> Sequence[Decision]:
        return await self._orchestrator.decide(batch, signals, mode)

    def warm_up(self, bar: Bar) -> None:
        self._orchestrator.warm_up(bar)


def session_decisions(
    journal: SqlBrokerJournal,
    account: str,
    setups: Sequence[StrategySetup],
    clock: Clock,
    *,
    orchestrator: OrchestratorSettings | None,
    extras: DecisionExtras | None = None,
    variant: str | None = None,
) -> SessionDecisions:
    """The decision step of ``account``'s session (module docstring): orchestrated when
    ``orchestrator`` settings are given (None: plain), deciding at ``clock``'s time. A plain
    session's decisions carry ``variant`` (an A/B test's variant; None: no tag); orchestrated
    ones carry ``orchestrator.variant``."""
    if orchestrator is None:
        return LoggedDecisions(journal, account, variant=variant)
    extras = extras or DecisionExtras()
    writes = DecisionWrites(journal, account)
    journal.attach(writes)
    built = build_orchestrator(
        orchestrator,
        [(setup.strategy, setup.params) for setup in setups],
        clock,
        vetoers=extras.vetoers,
        sink=_JournalSink(journal, writes),
        extra=extras.agents,
    )
    return OrchestratedDecisions(built)
