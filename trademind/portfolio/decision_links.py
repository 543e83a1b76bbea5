"""What links an order and its fills to the decision that caused them (issue 11).

An order names its decision (``orders.decision_ref``, the decision's id); the decision log
(``agent_decisions``, the same account) holds that decision with its votes. The queries here
read an order's row joined to its logged decision, so that an order row gets the decision's
strategy and a fill (``trades``) the decision's strategy, its one-sentence reasoning and
``agent_signals``: the decision's id, action, score, confidence, variant, veto and every vote
as logged (the document :func:`trademind.orchestrator.decision_log.agent_signals` makes). An
order without a logged decision (a manual order, or one placed before decisions were logged)
links to nothing: its fills keep the order's strategy and ``{}``.

A process that logs decisions keeps what their orders' rows need (:class:`DecisionFacts`: the
strategy, the reasoning and the ``agent_signals`` document, made only when asked) in
:class:`KnownDecisions` once their rows are written, so the order and fill writes take them
from memory instead of reading ``agent_decisions`` back: the same values the table holds. A
decision not known there (logged by an earlier process, forgotten as the oldest of more than
``limit``, or a write that did not insert every row) is read from the table as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, cast

import sqlalchemy as sa

from trademind.db.models import AgentDecision
from trademind.db.models import Order as OrderRow

_ORDERS: Final = cast(sa.Table, OrderRow.__table__)
_DECISIONS: Final = cast(sa.Table, AgentDecision.__table__)

_ORDERS_WITH_DECISIONS: Final = (
    sa.select(
        _ORDERS.c.id,
        _ORDERS.c.client_order_id,
        _ORDERS.c.strategy,
        _DECISIONS.c.decision_ref,
        _DECISIONS.c.strategy.label("decision_strategy"),
        _DECISIONS.c.action,
        _DECISIONS.c.score,
        _DECISIONS.c.confidence,
        _DECISIONS.c.variant,
        _DECISIONS.c.vetoed,
        _DECISIONS.c.reasoning,
        _DECISIONS.c.votes,
    )
    .select_from(
        _ORDERS.outerjoin(
            _DECISIONS,
            sa.and_(
                _DECISIONS.c.account_id == _ORDERS.c.account_id,
                _DECISIONS.c.decision_ref == _ORDERS.c.decision_ref,
            ),
        )
    )
    .where(
        _ORDERS.c.account_id == sa.bindparam("account"),
        _ORDERS.c.client_order_id.in_(sa.bindparam("keys", expanding=True)),
    )
)
_ORDER_ROWS: Final = sa.select(
    _ORDERS.c.id, _ORDERS.c.client_order_id, _ORDERS.c.strategy, _ORDERS.c.decision_ref
).where(
    _ORDERS.c.account_id == sa.bindparam("account"),
    _ORDERS.c.client_order_id.in_(sa.bindparam("keys", expanding=True)),
)
_DECISION_DOCUMENTS: Final = sa.select(
    _DECISIONS.c.decision_ref,
    _DECISIONS.c.strategy.label("decision_strategy"),
    _DECISIONS.c.action,
    _DECISIONS.c.score,
    _DECISIONS.c.confidence,
    _DECISIONS.c.variant,
    _DECISIONS.c.vetoed,
    _DECISIONS.c.reasoning,
    _DECISIONS.c.votes,
).where(
    _DECISIONS.c.account_id == sa.bindparam("account"),
    _DECISIONS.c.decision_ref.in_(sa.bindparam("refs", expanding=True)),
)
_DECISION_STRATEGIES: Final = sa.select(_DECISIONS.c.decision_ref, _DECISIONS.c.strategy).where(
    _DECISIONS.c.account_id == sa.bindparam("account"),
    _DECISIONS.c.decision_ref.in_(sa.bindparam("refs", expanding=True)),
)


@dataclass(frozen=True, slots=True)
class OrderLink:
    """An order's row id and what its fills record of the decision behind it."""

    order_row_id: int
    strategy: str | None
    reasoning: str | None = None
    agent_signals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DecisionFacts:
    """What an order and its fills record of a logged decision (module docstring)."""

    strategy: str | None
    reasoning: str | None
    agent_signals: dict[str, Any]


class KnownDecisions:
    """Facts of the decisions this process logged, by account and decision id (module
    docstring); at most ``limit``, the oldest forgotten first."""

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._facts: dict[tuple[int, str], Callable[[], DecisionFacts] | DecisionFacts] = {}

    def remember(
        self, account_id: int, decision_ref: str, facts: Callable[[], DecisionFacts]
    ) -> None:
        """Know ``decision_ref`` (its row written): ``facts`` makes what its orders record."""
        self._facts[(account_id, decision_ref)] = facts
        if len(self._facts) > self._limit:
            del self._facts[next(iter(self._facts))]

    def facts(self, account_id: int, decision_ref: str) -> DecisionFacts | None:
        """The facts of ``decision_ref`` (made at the first call), None when not known."""
        key = (account_id, decision_ref)
        found = self._facts.get(key)
        if found is None or isinstance(found, DecisionFacts):
            return found
        made = self._facts[key] = found()
        return made

    def strategy(self, account_id: int, decision_ref: str) -> tuple[bool, str | None]:
        """(whether ``decision_ref`` is known, its strategy)."""
        facts = self.facts(account_id, decision_ref)
        return (False, None) if facts is None else (True, facts.strategy)

    def clear(self) -> None:
        """Forget everything (a transaction that wrote the rows failed)."""
        self._facts.clear()


def _stored_facts(row: Any) -> DecisionFacts:  # a row naming a logged decision
    signals = {
        "decision": row.decision_ref,
        "action": row.action,
        "score": row.score,
        "confidence": row.confidence,
        "variant": row.variant,
        "vetoed": row.vetoed,
        "explanation": row.reasoning,
        "votes": list(row.votes),
    }
    return DecisionFacts(row.decision_strategy, row.reasoning, signals)


def _linked(row_id: int, strategy: str | None, facts: DecisionFacts | None) -> OrderLink:
    if facts is None:
        return OrderLink(row_id, strategy)
    return OrderLink(row_id, strategy or facts.strategy, facts.reasoning, facts.agent_signals)


def order_links(
    connection: sa.Connection,
    account_id: int,
    client_order_ids: Iterable[str],
    known: KnownDecisions | None = None,
) -> dict[str, OrderLink]:
    """The stored orders among ``client_order_ids`` of the account, each with its decision:
    from ``known`` where it holds the decision, else as logged."""
    keys = sorted(set(client_order_ids))
    if not keys:
        return {}
    if known is None:
        found = connection.execute(_ORDERS_WITH_DECISIONS, {"account": account_id, "keys": keys})
        return {
            row.client_order_id: _linked(
                row.id, row.strategy, None if row.decision_ref is None else _stored_facts(row)
            )
            for row in found
        }
    orders = list(connection.execute(_ORDER_ROWS, {"account": account_id, "keys": keys}))
    facts: dict[str, DecisionFacts | None] = {}
    for row in orders:
        if row.decision_ref is not None and row.decision_ref not in facts:
            facts[row.decision_ref] = known.facts(account_id, row.decision_ref)
    unknown = sorted(ref for ref, found in facts.items() if found is None)
    facts.update(decision_facts(connection, account_id, unknown))
    return {
        row.client_order_id: _linked(
            row.id, row.strategy, None if row.decision_ref is None else facts.get(row.decision_ref)
        )
        for row in orders
    }


def decision_facts(
    connection: sa.Connection, account_id: int, decision_refs: Iterable[str]
) -> Mapping[str, DecisionFacts]:
    """The facts of the logged decisions among ``decision_refs`` of the account, as stored."""
    decision_refs = sorted(set(decision_refs))
    if not decision_refs:
        return {}
    found = connection.execute(_DECISION_DOCUMENTS, {"account": account_id, "refs": decision_refs})
    return {row.decision_ref: _stored_facts(row) for row in found}


def decision_strategies(
    connection: sa.Connection,
    account_id: int,
    decision_refs: Iterable[str],
    known: KnownDecisions | None = None,
) -> dict[str, str | None]:
    """The strategy of each logged decision among ``decision_refs`` of the account (from
    ``known`` where it holds the decision)."""
    strategies: dict[str, str | None] = {}
    unknown = []
    for ref in sorted(set(decision_refs)):
        is_known, strategy = (False, None) if known is None else known.strategy(account_id, ref)
        if is_known:
            strategies[ref] = strategy
        else:
            unknown.append(ref)
    if unknown:
        found = connection.execute(_DECISION_STRATEGIES, {"account": account_id, "refs": unknown})
        strategies.update({row.decision_ref: row.strategy for row in found})
    return strategies
