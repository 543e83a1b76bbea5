"""The decision log: every decision, acted on or not, an ``agent_decisions`` row with its votes.

:class:`DecisionLogStore` is a :class:`~trademind.orchestrator.orchestrator.DecisionSink` for one
account: one transaction per bar close (or, through :func:`write_records`, inside a
transaction the caller already holds). Parameterised statements only: the rows through
:class:`~trademind.db.prepared_insert.PreparedInsert` (compiled once, the driver's executemany),
the reads SQLAlchemy Core. A row is keyed by (account, ``decision_ref``), the decision's
deterministic id, so a resumed run that decides a bar again writes nothing twice. Every time
stored is the decision's own (``decided_at`` from the Clock, ``bar_ts`` the data time); the log
reads no clock itself.

Each vote is stored as :func:`vote_document` (agent, kind vote/abstention, direction, score,
confidence, weight, source, reasoning or reason, key factors, data time, latency in seconds);
:func:`agent_signals` is the document a fill's ``trades.agent_signals`` keeps.

A decision of the plain decision step (a strategy's signal as its own decision, without a vote)
is logged by :func:`write_signal_decisions`: the signal is its single vote (:func:`signal_vote`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.agents.strategy import SOURCE as RULES_SOURCE
from trademind.agents.strategy import agent_name
from trademind.core.decisions import Abstention, Action, Decision, Vote
from trademind.core.market import TradingMode
from trademind.core.voting import VotingRules
from trademind.db.models import AgentDecision
from trademind.db.prepared_insert import PreparedInsert
from trademind.orchestrator.orchestrator import DecisionRecord
from trademind.portfolio.decision_links import DecisionFacts

if TYPE_CHECKING:
    from trademind.db.session import Database

_DECISIONS: Final = cast(sa.Table, AgentDecision.__table__)
_KEY: Final = ("account_id", "decision_ref")
_INSERT: Final = PreparedInsert(_DECISIONS, conflict=_KEY)
_TEXT: Final[dict[Action | TradingMode, str]] = {
    member: member.value for member in (*Action, *TradingMode)
}
"""Each action's and mode's stored text (its value; a lookup is cheaper than ``.value``)."""


def vote_document(opinion: Vote | Abstention, weight: float) -> dict[str, Any]:
    """One vote or abstention as stored (module docstring)."""
    when = opinion.data_time
    if isinstance(opinion, Abstention):
        return {
            "agent": opinion.agent,
            "weight": weight,
            "source": opinion.source,
            "data_time": None if when is None else when.isoformat(),
            "latency_seconds": opinion.latency.total_seconds(),
            "kind": "abstention",
            "reason": opinion.reason,
        }
    vote = opinion
    return {
        "agent": vote.agent,
        "weight": weight,
        "source": vote.source,
        "data_time": vote.data_time.isoformat(),
        "latency_seconds": vote.latency.total_seconds(),
        "kind": "vote",
        "direction": _TEXT[vote.direction],
        "score": vote.score,
        "confidence": vote.confidence,
        "reasoning": vote.reasoning,
        "key_factors": list(vote.key_factors),
    }


def vote_documents(decision: Decision, weights: Mapping[str, float]) -> list[dict[str, Any]]:
    """Every vote and abstention of ``decision`` as stored, each with its weight (0 when
    ``weights`` has none for it)."""
    return [vote_document(v, weights.get(v.agent, 0.0)) for v in decision.votes]


def _opinion(symbol: str, document: Mapping[str, Any]) -> Vote | Abstention:
    data_time = document["data_time"]
    common: dict[str, Any] = {
        "agent": document["agent"],
        "symbol": symbol,
        "source": document["source"],
        "latency": timedelta(seconds=document["latency_seconds"]),
    }
    if document["kind"] == "abstention":
        when = None if data_time is None else datetime.fromisoformat(data_time)
        return Abstention(reason=document["reason"], data_time=when, **common)
    return Vote(
        direction=Action(document["direction"]),
        score=document["score"],
        confidence=document["confidence"],
        data_time=datetime.fromisoformat(data_time),
        reasoning=document["reasoning"],
        key_factors=tuple(document["key_factors"]),
        **common,
    )


def agent_signals(record: DecisionRecord) -> dict[str, Any]:
    """What a fill caused by ``record``'s decision keeps in ``trades.agent_signals``."""
    decision, tally = record.decision, record.tally
    return {
        "decision": decision.decision_id,
        "action": decision.action.value,
        "score": tally.score,
        "confidence": decision.confidence,
        "variant": decision.variant,
        "vetoed": decision.vetoed,
        "explanation": decision.reasoning,
        "votes": vote_documents(decision, tally.weights),
    }


def _decision_columns(account_id: int, decision: Decision) -> dict[str, Any]:
    """The columns every decision row has, whoever decided."""
    return {
        "account_id": account_id,
        "decision_ref": decision.decision_id,
        "decided_at": decision.decided_at,
        "bar_ts": decision.data_time,
        "mode": _TEXT[decision.mode],
        "agent": decision.agent,
        "strategy": decision.strategy,
        "variant": decision.variant,
        "symbol": decision.symbol,
        "action": _TEXT[decision.action],
        "confidence": decision.confidence,
        "reasoning": decision.reasoning,
        "vetoed": decision.vetoed,
        "veto_reason": decision.veto_reason,
    }


class _Rows:
    """``agent_decisions`` rows of one account's records; the columns of each voting rules
    (thresholds, quorum, weights) made once per call, not once per row."""

    def __init__(self, account_id: int) -> None:
        self._account_id = account_id
        self._rules: dict[int, tuple[VotingRules, tuple[float, float, float, dict[str, Any]]]] = {}

    def _rules_columns(self, rules: VotingRules) -> tuple[float, float, float, dict[str, Any]]:
        known = self._rules.get(id(rules))
        if known is None or known[0] is not rules:
            payload = {"weights": dict(rules.weights)}
            columns = (rules.buy_threshold, rules.sell_threshold, rules.quorum, payload)
            known = self._rules[id(rules)] = (rules, columns)
        return known[1]

    def row(self, record: DecisionRecord) -> dict[str, Any]:
        decision, tally = record.decision, record.tally
        buy, sell, quorum, payload = self._rules_columns(record.rules)
        return {
            **_decision_columns(self._account_id, decision),
            "buy_threshold": buy,
            "sell_threshold": sell,
            "quorum": quorum,
            "payload": payload,
            "score": tally.score,
            "participation": min(1.0, tally.participation),
            "votes": vote_documents(decision, tally.weights),
        }


def signal_vote(decision: Decision) -> Vote:
    """The single vote of a strategy's signal taken as its own decision (``SignalDecisions``:
    agent ``strategy``, no votes): the strategy's agent votes as
    :class:`~trademind.agents.strategy.StrategyAgent` would, score +1 BUY, -1 SELL, 0 HOLD."""
    name = agent_name(decision.strategy or decision.agent)
    score = {Action.BUY: 1.0, Action.SELL: -1.0}.get(decision.action, 0.0)
    return Vote(
        agent=name,
        symbol=decision.symbol,
        direction=decision.action,
        score=score,
        confidence=decision.confidence,
        data_time=decision.data_time,
        source=RULES_SOURCE,
        reasoning=decision.reasoning,
    )


def _signal_row(account_id: int, decision: Decision) -> dict[str, Any]:
    vote = signal_vote(decision)
    return {
        **_decision_columns(account_id, decision),
        "score": vote.score,
        "participation": 1.0,
        "votes": [vote_document(vote, 1.0)],
        "payload": {"weights": {vote.agent: 1.0}},
    }


_STORED_REFS: Final = sa.select(_DECISIONS.c.decision_ref).where(
    _DECISIONS.c.account_id == sa.bindparam("account"),
    _DECISIONS.c.decision_ref.in_(sa.bindparam("refs", expanding=True)),
)


def may_place(decision: Decision) -> bool:
    """Whether the router may place an order for ``decision`` (a BUY or SELL not vetoed)."""
    return decision.action is not Action.HOLD and not decision.vetoed


def _insert(
    connection: sa.Connection, rows: list[dict[str, Any]], acting: set[str]
) -> frozenset[str]:
    """Insert ``rows`` in their order (those stored already stay); of the ids ``acting`` (the
    decisions that may place an order), those inserted now: not stored before (one query for
    them; the account's lock keeps any other writer out of the transaction)."""
    stored: set[str] = set()
    if acting:
        found = connection.execute(
            _STORED_REFS, {"account": rows[0]["account_id"], "refs": sorted(acting)}
        )
        stored = set(found.scalars())
    _INSERT.execute(connection, rows)
    return frozenset(acting - stored)


def write_records(
    connection: sa.Connection, account_id: int, records: Sequence[DecisionRecord]
) -> frozenset[str]:
    """Insert ``records`` of ``account_id`` on ``connection``; rows already stored stay. The
    ids of the decisions that may place an order (:func:`may_place`) inserted now (not those
    stored already: their stored rows are what their orders record)."""
    if not records:
        return frozenset()
    rows = _Rows(account_id)
    acting = {r.decision.decision_id for r in records if may_place(r.decision)}
    return _insert(connection, [rows.row(record) for record in records], acting)


def write_signal_decisions(
    connection: sa.Connection, account_id: int, decisions: Sequence[Decision]
) -> frozenset[str]:
    """Insert ``decisions`` made from one strategy signal each (:func:`signal_vote` their
    single vote, weight 1; no thresholds or quorum: nothing was tallied); rows already stored
    stay. The ids inserted now that may place an order (as :func:`write_records`)."""
    if not decisions:
        return frozenset()
    acting = {decision.decision_id for decision in decisions if may_place(decision)}
    rows = [_signal_row(account_id, decision) for decision in decisions]
    return _insert(connection, rows, acting)


def record_facts(record: DecisionRecord) -> DecisionFacts:
    """What an order and its fills record of ``record``'s decision: the values
    :mod:`~trademind.portfolio.decision_links` reads back from its row."""
    decision = record.decision
    return DecisionFacts(decision.strategy, decision.reasoning, agent_signals(record))


def signal_facts(decision: Decision) -> DecisionFacts:
    """As :func:`record_facts`, for a strategy signal's own decision (its row as
    :func:`write_signal_decisions` stores it)."""
    vote = signal_vote(decision)
    signals = {
        "decision": decision.decision_id,
        "action": decision.action.value,
        "score": vote.score,
        "confidence": decision.confidence,
        "variant": decision.variant,
        "vetoed": decision.vetoed,
        "explanation": decision.reasoning,
        "votes": [vote_document(vote, 1.0)],
    }
    return DecisionFacts(decision.strategy, decision.reasoning, signals)


@dataclass(frozen=True, slots=True)
class StoredDecision:
    """A logged decision as read back: the core decision and the figures of its vote."""

    decision: Decision
    score: float | None
    buy_threshold: float | None
    sell_threshold: float | None
    quorum: float | None
    participation: float | None
    weights: Mapping[str, float]


def _stored(row: sa.Row[Any]) -> StoredDecision:
    decision = Decision(
        decision_id=row.decision_ref,
        symbol=row.symbol,
        action=Action(row.action),
        confidence=row.confidence,
        decided_at=row.decided_at,
        data_time=row.bar_ts,
        mode=TradingMode(row.mode),
        reasoning=row.reasoning or "",
        agent=row.agent,
        strategy=row.strategy,
        variant=row.variant,
        votes=tuple(_opinion(row.symbol, document) for document in row.votes),
        vetoed=row.vetoed,
        veto_reason=row.veto_reason,
    )
    weights = {document["agent"]: document["weight"] for document in row.votes}
    return StoredDecision(
        decision, row.score, row.buy_threshold, row.sell_threshold, row.quorum,
        row.participation, weights,
    )  # fmt: skip


class DecisionLogStore:
    """The decision log of the account ``account_id`` in ``database`` (module docstring)."""

    def __init__(self, database: Database, account_id: int) -> None:
        self._database = database
        self._account_id = account_id

    def record(self, records: Sequence[DecisionRecord]) -> None:
        """Store ``records`` in one transaction (the decision sink)."""
        self._database.run(lambda connection: write_records(connection, self._account_id, records))

    def load(self, decision_ref: str) -> StoredDecision | None:
        """The decision ``decision_ref`` of this account, None when it was not logged."""
        query = sa.select(_DECISIONS).where(
            _DECISIONS.c.account_id == self._account_id,
            _DECISIONS.c.decision_ref == decision_ref,
        )
        row = self._database.run(lambda connection: connection.execute(query).one_or_none())
        return None if row is None else _stored(row)

    def recent(
        self, symbol: str | None = None, limit: int = 100, action: Action | None = None
    ) -> list[StoredDecision]:
        """This account's latest decisions (of ``symbol``, with ``action``), newest first."""
        query = sa.select(_DECISIONS).where(_DECISIONS.c.account_id == self._account_id)
        if symbol is not None:
            query = query.where(_DECISIONS.c.symbol == symbol)
        if action is not None:
            query = query.where(_DECISIONS.c.action == _TEXT[action])
        query = query.order_by(_DECISIONS.c.decided_at.desc(), _DECISIONS.c.id.desc()).limit(limit)
        rows = self._database.run(lambda connection: list(connection.execute(query)))
        return [_stored(row) for row in rows]

    def counts(self, start: datetime, end: datetime) -> dict[str, int]:
        """How many of this account's decisions about bars closed in ``[start, end)`` have
        each action (``buy``, ``sell``, ``hold``; vetoed ones counted under ``vetoed`` too)."""
        bar = _DECISIONS.c.bar_ts
        inside = (_DECISIONS.c.account_id == self._account_id, bar >= start, bar < end)
        query = (
            sa.select(_DECISIONS.c.action, _DECISIONS.c.vetoed, sa.func.count())
            .where(*inside)
            .group_by(_DECISIONS.c.action, _DECISIONS.c.vetoed)
        )
        rows = self._database.run(lambda connection: list(connection.execute(query)))
        counts = {"buy": 0, "sell": 0, "hold": 0, "vetoed": 0}
        for action, vetoed, count in rows:
            counts[str(action)] = counts.get(str(action), 0) + int(count)
            if vetoed:
                counts["vetoed"] += int(count)
        return counts
