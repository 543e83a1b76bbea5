"""What links an order and its fills to the decision that caused them (issue 11).

An order names its decision (``orders.decision_ref``, the decision's id); the decision log
(``agent_decisions``, the same account) holds that decision with its votes. The queries here
read an order's row joined to its logged decision, so that an order row gets the decision's
strategy and a fill (``trades``) the decision's strategy, its one-sentence reasoning and
``agent_signals``: the decision's id, action, score, confidence, variant, veto and every vote
as logged (the document :func:`trademind.orchestrator.decision_log.agent_signals` makes). An
order without a logged decision (a manual order, or one placed before decisions were logged)
links to nothing: its fills keep the order's strategy and ``{}``.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def _link(row: Any) -> OrderLink:  # a row of _ORDERS_WITH_DECISIONS
    if row.decision_ref is None:
        return OrderLink(row.id, row.strategy)
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
    return OrderLink(row.id, row.strategy or row.decision_strategy, row.reasoning, signals)


def order_links(
    connection: sa.Connection, account_id: int, client_order_ids: Iterable[str]
) -> dict[str, OrderLink]:
    """The stored orders among ``client_order_ids`` of the account, each with its decision."""
    keys = sorted(set(client_order_ids))
    if not keys:
        return {}
    found = connection.execute(_ORDERS_WITH_DECISIONS, {"account": account_id, "keys": keys})
    return {row.client_order_id: _link(row) for row in found}


def decision_strategies(
    connection: sa.Connection, account_id: int, decision_refs: Iterable[str]
) -> dict[str, str | None]:
    """The strategy of each logged decision among ``decision_refs`` of the account."""
    refs = sorted(set(decision_refs))
    if not refs:
        return {}
    found = connection.execute(_DECISION_STRATEGIES, {"account": account_id, "refs": refs})
    return {row.decision_ref: row.strategy for row in found}
