"""The agent ports and their guards. An :class:`Agent` (``async analyze(context)``) may wait on
I/O (an LLM, a news feed): :func:`consult` calls it under its timeout. A :class:`LocalAgent`
(``vote(context)``, plain) only computes on in-memory data (the technical and strategy agents):
:func:`ask_local` calls it directly, without a task or a timeout (it cannot hang on I/O, and an
asyncio task with ``wait_for`` per agent and symbol cost more than the agents' own work). Both
guards turn anything but a valid opinion into an abstention.

**Abstaining is not holding.** A HOLD :class:`~trademind.core.decisions.Vote` is an opinion
(stay as we are) and takes part in the vote; an :class:`~trademind.core.decisions.Abstention`
(no data, timed out, raised, returned garbage) takes no part at all. :func:`consult` never lets
a failure through as a neutral vote: a timeout, an exception, a vote of another symbol, a vote
whose data is newer than the context (look-ahead) or a vote the core refuses (confidence 7, a
NaN score, no direction: :class:`~trademind.core.decisions.Vote` validates itself, and the
guard validates what it got once more, so a vote changed after construction is caught too) all
become an abstention whose reason says what happened, logged at warning level. :func:`ask_local`
does the same for a local agent's exception or garbage.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, TypeGuard

from trademind.agents.indicator_book import IndicatorSnapshot
from trademind.core.clock import Clock
from trademind.core.decisions import Abstention, Signal, Vote
from trademind.core.errors import ValidationError
from trademind.core.market import Bar, TradingMode

logger = logging.getLogger(__name__)

_NO_TIME = timedelta(0)
SOURCE_GUARD = "guard"
"""The source of an abstention :func:`consult` made for an agent that gave no valid opinion."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentContext:
    """What an agent may see for one symbol at one bar close: nothing after ``closed_at``.

    ``bars`` are the symbol's most recent bars, oldest first, the last one the bar that closed
    at ``closed_at``; ``indicators`` the incremental indicator values after that bar (None when
    no book keeps them); ``bars_seen`` how many bars of the symbol came before and with this
    one (``bars`` keeps only the latest); ``signals`` the strategies' signals of this bar for
    this symbol; ``positions`` the held quantity per symbol (for agents that need the account,
    later).
    """

    symbol: str
    closed_at: datetime
    mode: TradingMode
    bars: tuple[Bar, ...]
    indicators: IndicatorSnapshot | None = None
    bars_seen: int = 0
    signals: tuple[Signal, ...] = ()
    positions: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.bars_seen < len(self.bars):
            raise ValidationError(f"{self.symbol}: {self.bars_seen} bars seen but more given")
        for bar in self.bars:
            if bar.symbol != self.symbol:
                raise ValidationError(f"context of {self.symbol} holds a bar of {bar.symbol}")
            if bar.ts >= self.closed_at:
                raise ValidationError(
                    f"{self.symbol}: bar {bar.ts.isoformat()} has not closed by "
                    f"{self.closed_at.isoformat()} (no look-ahead)"
                )
        for signal in self.signals:
            if signal.symbol != self.symbol or signal.ts != self.closed_at:
                raise ValidationError(
                    f"context of {self.symbol} at {self.closed_at.isoformat()} holds the signal "
                    f"of {signal.symbol} at {signal.ts.isoformat()}"
                )

    @property
    def last_bar(self) -> Bar | None:
        return self.bars[-1] if self.bars else None


def book_context(
    *,
    symbol: str,
    closed_at: datetime,
    mode: TradingMode,
    bars: tuple[Bar, ...],
    indicators: IndicatorSnapshot,
    bars_seen: int,
    signals: tuple[Signal, ...],
) -> AgentContext:
    """The context of the bars an :class:`~trademind.agents.indicator_book.IndicatorBook` gave
    for ``symbol`` (all of ``symbol``, times increasing: the book refuses anything else), so
    only the newest bar is checked against ``closed_at`` and the signals against the symbol and
    time; the other checks of :class:`AgentContext` would repeat the book's for every bar."""
    last = bars[-1]
    if last.symbol != symbol or last.ts >= closed_at or bars_seen < len(bars):
        raise ValidationError(f"{symbol}: the book's bars do not fit the close {closed_at}")
    for signal in signals:
        if signal.symbol != symbol or signal.ts != closed_at:
            raise ValidationError(f"signal of {signal.symbol} at {signal.ts} given for {symbol}")
    context = object.__new__(AgentContext)
    set_ = object.__setattr__
    set_(context, "symbol", symbol)
    set_(context, "closed_at", closed_at)
    set_(context, "mode", mode)
    set_(context, "bars", bars)
    set_(context, "indicators", indicators)
    set_(context, "bars_seen", bars_seen)
    set_(context, "signals", signals)
    set_(context, "positions", {})
    return context


class Agent(Protocol):
    """One voter. ``name`` is unique among the orchestrator's agents (weights name it)."""

    @property
    def name(self) -> str: ...

    async def analyze(self, context: AgentContext) -> Vote | Abstention:
        """This agent's opinion on ``context.symbol`` at ``context.closed_at``."""
        ...


class LocalAgent(Protocol):
    """A voter that only computes on the context (no I/O): called directly (module doc)."""

    @property
    def name(self) -> str: ...

    def vote(self, context: AgentContext) -> Vote | Abstention:
        """This agent's opinion on ``context.symbol`` at ``context.closed_at``."""
        ...


def is_local(agent: object) -> TypeGuard[LocalAgent]:
    """True when ``agent`` declares itself local (a plain, not async, ``vote`` method)."""
    vote = getattr(agent, "vote", None)
    return callable(vote) and not asyncio.iscoroutinefunction(vote)


def abstain(agent: str, context: AgentContext, reason: str, source: str) -> Abstention:
    """An abstention of ``agent`` on the context's symbol, with the newest bar's time."""
    last = context.last_bar
    return Abstention(
        agent=agent,
        symbol=context.symbol,
        reason=reason,
        source=source,
        data_time=None if last is None else context.closed_at,
    )


def guarded_abstention(agent: str, context: AgentContext, reason: str, source: str) -> Abstention:
    """As :func:`abstain`, built without validating: for a local agent, whose opinions the
    agent guard (:func:`ask_local`, :func:`consult`) validates before they count."""
    return Abstention.unvalidated(
        agent=agent,
        symbol=context.symbol,
        reason=reason,
        source=source,
        data_time=None if not context.bars else context.closed_at,
    )


async def consult(
    agent: Agent, context: AgentContext, timeout: float, clock: Clock
) -> Vote | Abstention:
    """``agent.analyze(context)`` within ``timeout`` seconds, checked; its latency measured on
    ``clock.monotonic()``. Anything but a valid opinion becomes an abstention (module doc)."""
    started = clock.monotonic()
    problem: str | None = None
    opinion: object = None
    try:
        opinion = await asyncio.wait_for(agent.analyze(context), timeout)
    except TimeoutError:
        problem = f"timed out after {timeout:g} s"
    except (ValidationError, TypeError) as error:  # a Vote the core refused: garbage
        problem = f"gave an invalid vote: {error}"
    except Exception as error:  # any failure of an agent is an abstention
        problem = f"failed: {type(error).__name__}: {error}"
    else:
        problem = _misfit(opinion, agent.name, context)
    return _checked(opinion, problem, agent.name, context, clock.monotonic() - started)


def ask_local(agent: LocalAgent, context: AgentContext, clock: Clock) -> Vote | Abstention:
    """``agent.vote(context)``, checked as :func:`consult` checks (no timeout: a local agent
    does no I/O); its latency measured on ``clock.monotonic()``."""
    started = clock.monotonic()
    try:
        opinion = agent.vote(context)
    except (ValidationError, TypeError) as error:  # a Vote the core refused: garbage
        problem: str | None = f"gave an invalid vote: {error}"
        opinion = None
    except Exception as error:  # any failure of an agent is an abstention
        problem = f"failed: {type(error).__name__}: {error}"
        opinion = None
    else:
        problem = _misfit(opinion, agent.name, context)
    return _checked(opinion, problem, agent.name, context, clock.monotonic() - started)


def _checked(
    opinion: object, problem: str | None, name: str, context: AgentContext, seconds: float
) -> Vote | Abstention:
    latency = timedelta(seconds=seconds) if seconds > 0.0 else _NO_TIME
    if problem is None and isinstance(opinion, Vote | Abstention):
        try:  # checked again: an object changed after construction is still caught
            opinion.validate()
        except (ValidationError, TypeError) as error:
            problem = f"gave an invalid vote: {error}"
        else:
            return opinion if opinion.latency == latency else opinion.with_latency(latency)
    logger.warning("agent %s on %s: %s", name, context.symbol, problem)
    return abstain(name, context, f"{name} {problem}", SOURCE_GUARD).with_latency(latency)


def _misfit(opinion: object, name: str, context: AgentContext) -> str | None:
    if not isinstance(opinion, Vote | Abstention):
        return f"returned a {type(opinion).__name__}, not a vote or an abstention"
    if opinion.agent != name:
        return f"answered as agent {opinion.agent!r}"
    if opinion.symbol != context.symbol:
        return f"answered for {opinion.symbol}, not {context.symbol}"
    if opinion.data_time is not None and opinion.data_time > context.closed_at:
        return f"used data of {opinion.data_time.isoformat()}, after the bar close (look-ahead)"
    return None


async def consult_all(
    agents: Sequence[tuple[Agent, float]], context: AgentContext, clock: Clock
) -> list[Vote | Abstention]:
    """Every ``(agent, timeout)`` consulted concurrently, answers in the agents' order."""
    return list(
        await asyncio.gather(
            *(consult(agent, context, timeout, clock) for agent, timeout in agents)
        )
    )
