"""From bars to intent: :class:`Signal` (a strategy), :class:`Vote` / :class:`Abstention` (an
agent) and :class:`Decision` (the orchestrator's verdict over the votes).

Abstaining is not holding: an agent without data, timed out or failing returns an
:class:`Abstention` with its reason, which takes no part in the vote; a HOLD :class:`Vote` is an
opinion (stay as we are) that does. Scores and confidences are plain floats (they are not money).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from operator import attrgetter

from trademind.core import values
from trademind.core.errors import ValidationError
from trademind.core.market import TradingMode


class Action(StrEnum):
    """What a signal, vote or decision asks for. Values are ``agent_decisions.action``'s."""

    BUY = "buy"
    SELL = "sell"
    HOLD = "hold"


@dataclass(frozen=True, slots=True, kw_only=True)
class Signal:
    """A strategy's intent at the close of the bar ``ts``: enter (BUY) or exit (SELL).

    Strategies are long-only today (``entries``/``exits`` of
    :class:`~trademind.strategies.base.Signals`), so a signal is BUY or SELL; no signal is no
    :class:`Signal`, never a HOLD one. ``confidence`` is in [0, 1]; ``reason`` says why.
    """

    strategy: str
    symbol: str
    ts: datetime
    action: Action
    confidence: float
    reason: str = ""

    def __post_init__(self) -> None:
        values.text(self.strategy, "Signal.strategy")
        values.symbol(self.symbol, "Signal.symbol")
        values.free_text(self.reason, "Signal.reason")
        object.__setattr__(self, "ts", values.utc(self.ts, "Signal.ts"))
        action = values.member(Action, self.action, "Signal.action")
        if action is Action.HOLD:
            raise ValidationError("Signal.action must be buy or sell (no signal is no Signal)")
        object.__setattr__(self, "action", action)
        confidence = values.within(self.confidence, 0.0, 1.0, "Signal.confidence")
        object.__setattr__(self, "confidence", confidence)


def _check_opinion_source(
    owner: str, agent: object, symbol: object, source: object, latency: object
) -> None:
    values.text(agent, f"{owner}.agent")
    values.symbol(symbol, f"{owner}.symbol")
    values.text(source, f"{owner}.source")
    values.duration(latency, f"{owner}.latency")


_ZERO = timedelta(0)
_WHITESPACE = re.compile(r"\s")
_KNOWN_LIMIT = 4096
_known_texts: set[str] = set()
"""Texts already found non-blank (agent names, sources): a set lookup instead of a check."""
_known_symbols: set[str] = set()
"""Texts already found valid symbols."""


def _new_text(value: str) -> bool:
    if not value.strip():
        return False
    if len(_known_texts) < _KNOWN_LIMIT:
        _known_texts.add(value)
    return True


def _new_symbol(value: str) -> bool:
    if not 0 < len(value) <= values.SYMBOL_MAX_LENGTH or _WHITESPACE.search(value) is not None:
        return False
    if len(_known_symbols) < _KNOWN_LIMIT:
        _known_symbols.add(value)
    return True


def _plain_text(value: object) -> bool:
    return type(value) is str and (value in _known_texts or _new_text(value))


def _plain_symbol(value: object) -> bool:
    return type(value) is str and (value in _known_symbols or _new_symbol(value))


def _plain_time(value: object) -> bool:
    return type(value) is datetime and value.tzinfo is UTC


def _plain_source(agent: object, symbol: object, source: object, latency: object) -> bool:
    """True when :func:`_check_opinion_source` would pass without converting anything (exact
    ``str`` only: a subclass could compare equal to a known text and be something else)."""
    return (
        type(latency) is timedelta
        and latency >= _ZERO
        and type(agent) is str
        and (agent in _known_texts or _new_text(agent))
        and type(source) is str
        and (source in _known_texts or _new_text(source))
        and type(symbol) is str
        and (symbol in _known_symbols or _new_symbol(symbol))
    )


def _plain_vote(vote: Vote) -> bool:
    """The quick check of :meth:`Vote.validate`: True only when the full checks would pass and
    change nothing (exact types, in range, UTC); False sends the vote to the full checks."""
    score, confidence, direction = vote.score, vote.confidence, vote.direction
    if type(score) is not float or type(confidence) is not float or type(direction) is not Action:
        return False
    if not (-1.0 <= score <= 1.0 and 0.0 <= confidence <= 1.0):  # NaN fails every comparison
        return False
    if (direction is Action.BUY and score < 0.0) or (direction is Action.SELL and score > 0.0):
        return False
    when, factors = vote.data_time, vote.key_factors
    if not (_plain_time(when) and type(vote.reasoning) is str and type(factors) is tuple):
        return False
    for factor in factors:
        if type(factor) is not str or not factor.strip():
            return False
    return _plain_source(vote.agent, vote.symbol, vote.source, vote.latency)


def _plain_abstention(abstention: Abstention) -> bool:
    """The quick check of :meth:`Abstention.validate` (as :func:`_plain_vote`)."""
    when, one = abstention.data_time, abstention
    reason = one.reason
    return (
        type(reason) is str
        and bool(reason.strip())
        and (when is None or _plain_time(when))
        and _plain_source(one.agent, one.symbol, one.source, one.latency)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Vote:
    """An agent's opinion on one symbol.

    ``score`` in [-1, 1] is signed strength (positive: buy); a BUY vote's score is not negative,
    a SELL vote's not positive. ``confidence`` is in [0, 1]. ``data_time`` is the time of the
    newest data the agent used (UTC), ``latency`` how long it took, ``source`` where the opinion
    came from (``rules``, ``llm``, ``fallback``, ...).
    """

    agent: str
    symbol: str
    direction: Action
    score: float
    confidence: float
    data_time: datetime
    source: str
    reasoning: str = ""
    key_factors: tuple[str, ...] = ()
    latency: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ValidationError or TypeError unless every field is valid (run at construction;
        the agent guard runs it again on what an agent returned). Fields already in their
        canonical form pass a quick check; anything else goes through the full checks, which
        normalise (a text direction to :class:`Action`, a time to UTC) or say what is wrong."""
        if not _plain_vote(self):
            self._validate_fully()

    @classmethod
    def unvalidated(
        cls,
        *,
        agent: str,
        symbol: str,
        direction: Action,
        score: float,
        confidence: float,
        data_time: datetime,
        source: str,
        reasoning: str = "",
        key_factors: tuple[str, ...] = (),
    ) -> Vote:
        """A vote built without :meth:`validate`, for an agent whose votes reach the decision
        only through the agent guard (:mod:`trademind.agents.base`), which validates every
        vote it passes on: each vote is checked once, at that edge."""
        vote = object.__new__(cls)
        set_ = object.__setattr__
        set_(vote, "agent", agent)
        set_(vote, "symbol", symbol)
        set_(vote, "direction", direction)
        set_(vote, "score", score)
        set_(vote, "confidence", confidence)
        set_(vote, "data_time", data_time)
        set_(vote, "source", source)
        set_(vote, "reasoning", reasoning)
        set_(vote, "key_factors", key_factors)
        set_(vote, "latency", _ZERO)
        return vote

    def with_latency(self, latency: timedelta) -> Vote:
        """This vote with ``latency`` (checked); the other fields are copied as they are,
        without checking them again: call it on a vote that passed :meth:`validate`."""
        return _copy_with_latency(self, latency, "Vote.latency")

    def _validate_fully(self) -> None:
        _check_opinion_source("Vote", self.agent, self.symbol, self.source, self.latency)
        set_ = object.__setattr__
        direction = values.member(Action, self.direction, "Vote.direction")
        set_(self, "direction", direction)
        score = values.within(self.score, -1.0, 1.0, "Vote.score")
        if (direction is Action.BUY and score < 0) or (direction is Action.SELL and score > 0):
            raise ValidationError(f"Vote.score {score:g} contradicts the direction {direction}")
        set_(self, "score", score)
        set_(self, "confidence", values.within(self.confidence, 0.0, 1.0, "Vote.confidence"))
        set_(self, "data_time", values.utc(self.data_time, "Vote.data_time"))
        values.free_text(self.reasoning, "Vote.reasoning")
        factors = tuple(self.key_factors)
        for factor in factors:
            values.text(factor, "Vote.key_factors item")
        set_(self, "key_factors", factors)


@dataclass(frozen=True, slots=True, kw_only=True)
class Abstention:
    """An agent that gives no opinion on ``symbol``, and why (no data, timeout, error, ...).

    It does not count as a vote (not even a neutral one). ``data_time`` is the newest data the
    agent had, None when it had none.
    """

    agent: str
    symbol: str
    reason: str
    source: str
    data_time: datetime | None = None
    latency: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """As :meth:`Vote.validate`."""
        if not _plain_abstention(self):
            self._validate_fully()

    @classmethod
    def unvalidated(
        cls, *, agent: str, symbol: str, reason: str, source: str, data_time: datetime | None
    ) -> Abstention:
        """An abstention built without :meth:`validate`, for a local agent whose opinions
        reach the decision only through the agent guard, which validates them (as
        :meth:`Vote.unvalidated`)."""
        abstention = object.__new__(cls)
        set_ = object.__setattr__
        set_(abstention, "agent", agent)
        set_(abstention, "symbol", symbol)
        set_(abstention, "reason", reason)
        set_(abstention, "source", source)
        set_(abstention, "data_time", data_time)
        set_(abstention, "latency", _ZERO)
        return abstention

    def with_latency(self, latency: timedelta) -> Abstention:
        """As :meth:`Vote.with_latency`."""
        return _copy_with_latency(self, latency, "Abstention.latency")

    def _validate_fully(self) -> None:
        _check_opinion_source("Abstention", self.agent, self.symbol, self.source, self.latency)
        values.text(self.reason, "Abstention.reason")
        if self.data_time is not None:
            when = values.utc(self.data_time, "Abstention.data_time")
            object.__setattr__(self, "data_time", when)


def _copy_with_latency[O: (Vote, Abstention)](opinion: O, latency: timedelta, what: str) -> O:
    if type(latency) is timedelta and latency == opinion.latency:
        return opinion  # as valid as the opinion's own
    values.duration(latency, what)
    kind = type(opinion)
    copy = object.__new__(kind)
    for setter, value in zip(_SETTERS[kind], _READ[kind](opinion), strict=True):
        setter(copy, value)
    _LATENCY[kind](copy, latency)
    return copy


_FIELDS: dict[type, tuple[str, ...]] = {
    kind: tuple(name for name in kind.__slots__ if name != "latency") for kind in (Vote, Abstention)
}
"""The fields an opinion's copy takes over (every slot but the latency, set after)."""
_READ = {kind: attrgetter(*fields) for kind, fields in _FIELDS.items()}
_SETTERS = {kind: [vars(kind)[name].__set__ for name in fields] for kind, fields in _FIELDS.items()}
"""Each field's slot setter (its descriptor: the frozen class's ``__setattr__`` refuses)."""
_LATENCY = {kind: vars(kind)["latency"].__set__ for kind in _FIELDS}


def _plain_bounded(value: object, longest: int) -> bool:
    return type(value) is str and len(value) <= longest and bool(value.strip())


def _plain_decision(decision: Decision) -> bool:
    """The quick check of a decision's fields (as :func:`_plain_vote`); the time order and the
    veto's reason are checked on every decision (:meth:`Decision._check_consistency`)."""
    symbol, confidence = decision.symbol, decision.confidence
    return (
        _plain_bounded(decision.decision_id, 64)
        and _plain_bounded(decision.agent, 64)
        and _plain_symbol(symbol)
        and type(decision.reasoning) is str
        and (decision.strategy is None or _plain_bounded(decision.strategy, 64))
        and (decision.variant is None or _plain_bounded(decision.variant, 32))
        and type(decision.action) is Action
        and type(decision.mode) is TradingMode
        and type(confidence) is float
        and 0.0 <= confidence <= 1.0
        and _plain_time(decision.decided_at)
        and _plain_time(decision.data_time)
        and type(decision.votes) is tuple
        and all(type(vote) is Vote or type(vote) is Abstention for vote in decision.votes)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """What the system decided for one symbol at ``decided_at``, from which votes, and why.

    ``data_time`` is the close of the newest bar the decision could see; it is not after
    ``decided_at`` (no decision uses a later bar). ``confidence`` is in [0, 1]. A vetoed
    decision carries its ``veto_reason``; one that is not vetoed carries none. ``decision_id``
    is ours (non-blank, at most 64 characters): orders it causes name it.
    """

    decision_id: str
    symbol: str
    action: Action
    confidence: float
    decided_at: datetime
    data_time: datetime
    mode: TradingMode
    reasoning: str
    agent: str = "orchestrator"
    strategy: str | None = None
    variant: str | None = None
    votes: tuple[Vote | Abstention, ...] = field(default=())
    vetoed: bool = False
    veto_reason: str | None = None

    def __post_init__(self) -> None:
        if not _plain_decision(self):
            self._validate_fully()
        self._check_consistency()

    @classmethod
    def assembled(
        cls,
        *,
        decision_id: str,
        symbol: str,
        action: Action,
        confidence: float,
        decided_at: datetime,
        data_time: datetime,
        mode: TradingMode,
        reasoning: str,
        agent: str,
        variant: str,
        votes: tuple[Vote | Abstention, ...],
    ) -> Decision:
        """The orchestrator's decision from parts it has checked already: its id (made by it),
        a symbol of a validated bar, its own name and variant (checked when it was built), the
        tally's text, and opinions that passed the agent guard. The figures and times are
        checked here as in the constructor (quickly when canonical), and so are the time order
        and the veto fields."""
        decision = object.__new__(cls)
        set_ = object.__setattr__
        set_(decision, "decision_id", decision_id)
        set_(decision, "symbol", symbol)
        set_(decision, "action", action)
        set_(decision, "confidence", confidence)
        set_(decision, "decided_at", decided_at)
        set_(decision, "data_time", data_time)
        set_(decision, "mode", mode)
        set_(decision, "reasoning", reasoning)
        set_(decision, "agent", agent)
        set_(decision, "strategy", None)
        set_(decision, "variant", variant)
        set_(decision, "votes", votes)
        set_(decision, "vetoed", False)
        set_(decision, "veto_reason", None)
        if not (
            type(action) is Action
            and type(mode) is TradingMode
            and type(confidence) is float
            and 0.0 <= confidence <= 1.0
            and _plain_time(decided_at)
            and _plain_time(data_time)
            and type(votes) is tuple
        ):
            decision._validate_fully()
        decision._check_consistency()
        return decision

    def _validate_fully(self) -> None:
        values.text(self.decision_id, "Decision.decision_id", max_length=64)
        values.symbol(self.symbol, "Decision.symbol")
        values.text(self.agent, "Decision.agent", max_length=64)
        values.free_text(self.reasoning, "Decision.reasoning")
        if self.strategy is not None:
            values.text(self.strategy, "Decision.strategy", max_length=64)
        if self.variant is not None:
            values.text(self.variant, "Decision.variant", max_length=32)
        set_ = object.__setattr__
        set_(self, "action", values.member(Action, self.action, "Decision.action"))
        set_(self, "mode", values.member(TradingMode, self.mode, "Decision.mode"))
        set_(self, "confidence", values.within(self.confidence, 0.0, 1.0, "Decision.confidence"))
        set_(self, "decided_at", values.utc(self.decided_at, "Decision.decided_at"))
        set_(self, "data_time", values.utc(self.data_time, "Decision.data_time"))
        votes = tuple(self.votes)
        for vote in votes:
            if not isinstance(vote, Vote | Abstention):
                raise TypeError(f"Decision.votes holds a {type(vote).__name__}")
        set_(self, "votes", votes)

    def _check_consistency(self) -> None:
        if self.data_time > self.decided_at:
            raise ValidationError(
                f"decision {self.decision_id}: data time {self.data_time.isoformat()} is after "
                f"the decision time {self.decided_at.isoformat()}"
            )
        if self.vetoed and (self.veto_reason is None or not self.veto_reason.strip()):
            raise ValidationError(f"decision {self.decision_id} is vetoed without a reason")
        if not self.vetoed and self.veto_reason is not None:
            raise ValidationError(f"decision {self.decision_id} has a veto reason but no veto")

    @property
    def abstentions(self) -> tuple[Abstention, ...]:
        """The agents that gave no opinion."""
        return tuple(vote for vote in self.votes if isinstance(vote, Abstention))

    @property
    def cast_votes(self) -> tuple[Vote, ...]:
        """The votes that count (abstentions left out)."""
        return tuple(vote for vote in self.votes if isinstance(vote, Vote))
