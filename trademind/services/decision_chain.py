"""The decision behind a fill, for ``trades show``: :func:`decision_of`.

A fill's order names its decision (``orders.decision_ref``); the account's decision log
(``agent_decisions``) holds it with every vote and abstention as stored. The views here are
what ``trades show`` prints and its JSON holds: the decision (action, confidence, score,
explanation, variant, veto; for a tallied decision the buy and sell thresholds, the quorum and
the participating share of the weight, None for a strategy signal's own decision) and each
vote (agent, direction, score, confidence, weight, source, reasoning, key factors; an
abstention has no direction, score or key factors and its reason as reasoning).
:func:`stored_view` is the same view of a decision the log's store read back (``agents
decisions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from trademind.db.models import AgentDecision
from trademind.orchestrator.decision_log import StoredDecision, vote_documents

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True, kw_only=True)
class VoteView:
    """One agent's vote (``kind`` "vote") or abstention (``kind`` "abstention")."""

    agent: str
    kind: str
    direction: str | None
    score: float | None
    confidence: float | None
    weight: float
    source: str
    reasoning: str
    key_factors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionView:
    """A logged decision: who decided (``agent``: ``strategy`` or ``orchestrator``) what."""

    decision_id: str
    decided_at: datetime
    agent: str
    strategy: str | None
    variant: str | None
    action: str
    confidence: float
    score: float | None
    explanation: str
    vetoed: bool
    veto_reason: str | None
    votes: tuple[VoteView, ...]
    buy_threshold: float | None = None
    sell_threshold: float | None = None
    quorum: float | None = None
    participation: float | None = None
    symbol: str | None = None


def _vote(document: Mapping[str, Any]) -> VoteView:
    is_vote = document.get("kind") == "vote"
    return VoteView(
        agent=document["agent"],
        kind=document.get("kind", "vote"),
        direction=document.get("direction") if is_vote else None,
        score=document.get("score") if is_vote else None,
        confidence=document.get("confidence") if is_vote else None,
        weight=document.get("weight", 0.0),
        source=document.get("source", ""),
        reasoning=document.get("reasoning" if is_vote else "reason") or "",
        key_factors=tuple(document.get("key_factors", ())) if is_vote else (),
    )


def decision_of(session: Session, account_id: int, decision_ref: str | None) -> DecisionView | None:
    """The decision ``decision_ref`` of the account as logged (None: none, or not logged)."""
    if decision_ref is None:
        return None
    row = session.scalars(
        sa.select(AgentDecision).where(
            AgentDecision.account_id == account_id, AgentDecision.decision_ref == decision_ref
        )
    ).one_or_none()
    if row is None:
        return None
    return DecisionView(
        decision_id=decision_ref,
        decided_at=row.decided_at,
        agent=row.agent,
        strategy=row.strategy,
        variant=row.variant,
        action=row.action,
        confidence=row.confidence,
        score=row.score,
        explanation=row.reasoning or "",
        vetoed=row.vetoed,
        veto_reason=row.veto_reason,
        votes=tuple(_vote(document) for document in row.votes),
        buy_threshold=row.buy_threshold,
        sell_threshold=row.sell_threshold,
        quorum=row.quorum,
        participation=row.participation,
        symbol=row.symbol,
    )


def stored_view(stored: StoredDecision) -> DecisionView:
    """``stored`` (as :class:`~trademind.orchestrator.decision_log.DecisionLogStore` reads it
    back) as the same view: each vote through its stored document, so both read alike."""
    decision = stored.decision
    documents = vote_documents(decision, stored.weights)
    return DecisionView(
        decision_id=decision.decision_id,
        decided_at=decision.decided_at,
        agent=decision.agent,
        strategy=decision.strategy,
        variant=decision.variant,
        action=decision.action.value,
        confidence=decision.confidence,
        score=stored.score,
        explanation=decision.reasoning,
        vetoed=decision.vetoed,
        veto_reason=decision.veto_reason,
        votes=tuple(_vote(document) for document in documents),
        buy_threshold=stored.buy_threshold,
        sell_threshold=stored.sell_threshold,
        quorum=stored.quorum,
        participation=stored.participation,
        symbol=decision.symbol,
    )
