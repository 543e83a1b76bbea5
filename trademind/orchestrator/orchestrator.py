"""The orchestrator: the trading loop's decision step when agents vote.

It implements :class:`~trademind.core.ports.DecisionMaker`. At every bar close, for every bar of
the batch (in the batch's order):

1. the symbol's :class:`~trademind.agents.indicator_book.IndicatorBook` advances by the bar (one
   step of each incremental indicator; nothing after the close is known);
2. every agent gives its opinion, in the agents' order: a local agent (CPU work on the
   context only: technical, strategy) is called directly (:func:`~trademind.agents.base.ask_local`),
   the others concurrently under their own timeouts (:func:`~trademind.agents.base.consult`);
   failures and garbage abstain either way;
3. the votes are tallied (:mod:`trademind.core.voting`);
4. the :class:`~trademind.core.decisions.Decision` (BUY, SELL or HOLD, with every vote and
   abstention, the variant tag and a one-sentence explanation) goes through the vetoers
   (:mod:`trademind.orchestrator.veto`);
5. every decision, acted on or not, goes to the decision sink (the decision log) with its tally.

All decisions are returned, HOLD ones too: the router places nothing for a HOLD or a vetoed one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, cast

from trademind.agents.base import (
    Agent,
    AgentContext,
    LocalAgent,
    ask_local,
    book_context,
    consult_all,
    is_local,
)
from trademind.agents.indicator_book import IndicatorBook
from trademind.core import values
from trademind.core.clock import Clock
from trademind.core.decisions import Abstention, Action, Decision, Signal, Vote
from trademind.core.market import Bar, BarBatch, TradingMode
from trademind.core.orders import ID_MAX_LENGTH
from trademind.core.voting import Tally, VotingRules, tally
from trademind.orchestrator.veto import Vetoer, apply_vetoes

AGENT_NAME = "orchestrator"
_DIGEST_LENGTH = 10


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision with the tally and rules that made it: one ``agent_decisions`` row."""

    decision: Decision
    tally: Tally
    rules: VotingRules


class DecisionSink(Protocol):
    """Where every decision goes (the decision log). Called once per bar close."""

    def record(self, records: Sequence[DecisionRecord]) -> None: ...


def orchestrated_decision_id(variant: str, symbol: str, closed_at: datetime) -> str:
    """``<SYMBOL>-<YYYYMMDDTHHMMSS>-v-<digest>``, the digest over variant, symbol and time:
    deterministic, so a resumed run re-derives the same id."""
    return _DecisionIds(variant, closed_at).of(symbol)


class _DecisionIds:
    """:func:`orchestrated_decision_id` for the symbols of one bar close (the time's texts once)."""

    def __init__(self, variant: str, closed_at: datetime) -> None:
        self._key = f"{variant}\x1f{{}}\x1f{closed_at.isoformat()}"
        self._stamp = closed_at.strftime("%Y%m%dT%H%M%S")

    def of(self, symbol: str) -> str:
        digest = hashlib.sha256(self._key.format(symbol).encode()).hexdigest()[:_DIGEST_LENGTH]
        head = f"{symbol}-{self._stamp}-v"
        return f"{head[: ID_MAX_LENGTH - _DIGEST_LENGTH - 1]}-{digest}"


class Orchestrator:
    """Agents vote, the orchestrator decides (module docstring). ``agents`` pairs each agent
    with its timeout in seconds (not applied to a local agent, which is called directly);
    ``rules`` must weigh every agent."""

    def __init__(
        self,
        *,
        agents: Sequence[tuple[Agent | LocalAgent, float]],
        rules: VotingRules,
        book: IndicatorBook,
        clock: Clock,
        variant: str,
        vetoers: Sequence[Vetoer] = (),
        sink: DecisionSink | None = None,
    ) -> None:
        for agent, _ in agents:
            rules.weight(agent.name)  # an agent without a weight is refused at once
        values.text(variant, "Decision.variant", max_length=32)  # checked once, not per decision
        self._agents = tuple(agents)
        self._local = tuple(agent for agent, _ in agents if is_local(agent))
        self._all_local = len(self._local) == len(self._agents)
        self._rules = rules
        self._book = book
        self._clock = clock
        self._variant = variant
        self._vetoers = tuple(vetoers)
        self._sink = sink

    @property
    def rules(self) -> VotingRules:
        return self._rules

    def warm_up(self, bar: Bar) -> None:
        """Advance the indicator book by ``bar`` without deciding: a resumed session feeds the
        bars an earlier run decided on, so it decides on the next ones exactly as an
        uninterrupted session (the local agents keep no state of their own)."""
        self._book.update(bar)

    async def decide(
        self, batch: BarBatch, signals: Sequence[Signal], mode: TradingMode
    ) -> Sequence[Decision]:
        by_symbol: Mapping[str, list[Signal]] = _group(signals) if signals else {}
        ids = _DecisionIds(self._variant, batch.closed_at)
        clock, local = self._clock, self._local
        records = []
        for bar in batch.bars:
            context = self._context(batch.closed_at, bar, by_symbol.get(bar.symbol, ()), mode)
            if self._all_local:  # no task, no await: the agents only compute
                opinions = [ask_local(agent, context, clock) for agent in local]
            else:
                opinions = await self._mixed_opinions(context)
            record = self._record(context, opinions, ids.of(bar.symbol))
            if self._vetoers and record.decision.action is not Action.HOLD:
                record = await self._vetoed(record)
            records.append(record)
        if self._sink is not None and records:
            self._sink.record(records)
        return [record.decision for record in records]

    def _context(
        self, closed_at: datetime, bar: Bar, signals: Sequence[Signal], mode: TradingMode
    ) -> AgentContext:
        bars, indicators = self._book.update(bar)
        return book_context(
            symbol=bar.symbol,
            closed_at=closed_at,
            mode=mode,
            bars=bars,
            indicators=indicators,
            bars_seen=self._book.seen(bar.symbol),
            signals=tuple(signals),
        )

    async def _mixed_opinions(self, context: AgentContext) -> list[Vote | Abstention]:
        """Every agent's opinion in the agents' order: local agents called directly, the
        others concurrently under their timeouts (module docstring)."""
        clock = self._clock
        remote = [(cast(Agent, a), timeout) for a, timeout in self._agents if not is_local(a)]
        answers = iter(await consult_all(remote, context, clock))
        return [
            ask_local(agent, context, clock) if is_local(agent) else next(answers)
            for agent, _ in self._agents
        ]

    def _record(
        self, context: AgentContext, opinions: list[Vote | Abstention], decision_id: str
    ) -> DecisionRecord:
        outcome = tally(opinions, self._rules)
        decision = Decision.assembled(
            decision_id=decision_id,
            symbol=context.symbol,
            action=outcome.action,
            confidence=outcome.confidence,
            decided_at=self._clock.now(),
            data_time=context.closed_at,
            mode=context.mode,
            reasoning=outcome.explanation,
            agent=AGENT_NAME,
            variant=self._variant,
            votes=tuple(opinions),
        )
        return DecisionRecord(decision=decision, tally=outcome, rules=self._rules)

    async def _vetoed(self, record: DecisionRecord) -> DecisionRecord:
        decision = await apply_vetoes(record.decision, self._vetoers)
        return DecisionRecord(decision=decision, tally=record.tally, rules=self._rules)


def _group(signals: Sequence[Signal]) -> Mapping[str, list[Signal]]:
    grouped: defaultdict[str, list[Signal]] = defaultdict(list)
    for signal in signals:
        grouped[signal.symbol].append(signal)
    return grouped
