"""The trade loop's decisions in the decision log: :class:`LoggedDecisions`.

Every decision the decision step returns (the plain step's are BUY or SELL, one strategy
signal each; a HOLD one would be logged the same way, as the orchestrator logs every decision)
becomes an ``agent_decisions`` row of the account, its signal its single vote
(:func:`~trademind.orchestrator.decision_log.write_signal_decisions`). The rows are written
with the journal's (:meth:`~trademind.portfolio.journal.SqlBrokerJournal.attach`): inside a
replay's block of steps as its transaction ends, before the orders and fills that name them, so
a stored step always has its decisions and a fill finds its order's decision; outside a
transaction, at once, before the router places the decision's order. A decision's id is
deterministic and rows already stored stay, so a resume that decides a step again writes
nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from trademind.orchestrator.decision_log import write_signal_decisions
from trademind.runtime.decision_step import DecisionMaker, SignalDecisions

if TYPE_CHECKING:
    import sqlalchemy as sa

    from trademind.core.decisions import Decision, Signal
    from trademind.core.market import BarBatch, TradingMode
    from trademind.portfolio.journal import SqlBrokerJournal


class DecisionWrites:
    """Decisions of one account kept to be written (a journal's pending writes)."""

    def __init__(self, journal: SqlBrokerJournal, account: str) -> None:
        self._journal = journal
        self._account = account
        self._account_id: int | None = None
        self._pending: list[Decision] = []

    def __bool__(self) -> bool:
        return bool(self._pending)

    def add(self, decisions: Sequence[Decision]) -> None:
        if self._account_id is None:
            self._account_id = self._journal.store.account(self._account).id
        self._pending.extend(decisions)

    def clear(self) -> None:
        self._pending.clear()

    def flush(self, connection: sa.Connection) -> None:
        pending, self._pending = self._pending, []
        if pending and self._account_id is not None:
            write_signal_decisions(connection, self._account_id, pending)


class LoggedDecisions:
    """A :class:`DecisionMaker` that logs the decisions of ``inner`` (module docstring)."""

    def __init__(
        self, journal: SqlBrokerJournal, account: str, inner: DecisionMaker | None = None
    ) -> None:
        self._inner: DecisionMaker = inner or SignalDecisions()
        self._journal = journal
        self._writes = DecisionWrites(journal, account)
        journal.attach(self._writes)

    async def decide(
        self, batch: BarBatch, signals: Sequence[Signal], mode: TradingMode
    ) -> Sequence[Decision]:
        decisions = await self._inner.decide(batch, signals, mode)
        if decisions:
            self._writes.add(decisions)
            self._journal.write_attached()
        return decisions
