"""The trading state machine: which named event may move an account from which state to which.

States (:class:`~trademind.core.trading_state.TradingState`) are ordered by strictness:
ACTIVE < REDUCING < HALTED. Events:

- ``emergency_stop``: to HALTED from any state (a second stop is recorded too).
- ``circuit_breaker_tripped``: to REDUCING or HALTED, only when stricter than the current state
  (a breaker never loosens the state).
- ``reset``: to ACTIVE from REDUCING or HALTED (nothing to reset when ACTIVE).
- ``manual_set``: to any other state (an operator's explicit choice).

Every change names its ``actor`` and a ``reason``; :func:`next_state` is pure, the store
(:mod:`trademind.safety.state_store`) persists the change and its ``safety_events`` row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from trademind.core.errors import TradingStateError
from trademind.core.trading_state import TradingState

ACTOR_MAX_LENGTH: Final = 64
_STRICTNESS: Final = {TradingState.ACTIVE: 0, TradingState.REDUCING: 1, TradingState.HALTED: 2}


class StateEvent(StrEnum):
    """The named events that change a trading state (stored in ``safety_events.event_type``)."""

    EMERGENCY_STOP = "emergency_stop"
    CIRCUIT_BREAKER_TRIPPED = "circuit_breaker_tripped"
    RESET = "reset"
    MANUAL_SET = "manual_set"


@dataclass(frozen=True, slots=True, kw_only=True)
class StateChange:
    """One recorded change: ``event`` moved ``account_id`` from ``from_state`` to ``to_state``
    at ``at`` (the Clock's time) because ``actor`` asked, for ``reason``."""

    account_id: int
    event: StateEvent
    from_state: TradingState
    to_state: TradingState
    actor: str
    reason: str
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)


def is_stricter(state: TradingState, than: TradingState) -> bool:
    """True when ``state`` lets fewer orders through than ``than``."""
    return _STRICTNESS[state] > _STRICTNESS[than]


def next_state(
    current: TradingState, event: StateEvent, target: TradingState | None = None
) -> TradingState:
    """The state ``event`` leads to from ``current``; ``target`` is the state asked for by
    ``circuit_breaker_tripped`` and ``manual_set`` (the others have a fixed one).

    Raises :class:`TradingStateError` for an illegal transition, naming both states.
    """
    event = StateEvent(event)
    if event is StateEvent.EMERGENCY_STOP:
        return TradingState.HALTED
    if event is StateEvent.RESET:
        if current is TradingState.ACTIVE:
            raise TradingStateError("reset refused: trading is already active; nothing to reset")
        return TradingState.ACTIVE
    wanted = _target(event, target)
    if event is StateEvent.CIRCUIT_BREAKER_TRIPPED:
        if wanted is TradingState.ACTIVE or not is_stricter(wanted, current):
            raise TradingStateError(
                f"circuit_breaker_tripped refused: a breaker only tightens the state, and "
                f"{wanted.value} is not stricter than the current {current.value}"
            )
        return wanted
    if wanted is current:
        raise TradingStateError(f"manual_set refused: trading is already {current.value}")
    return wanted


def _target(event: StateEvent, target: TradingState | None) -> TradingState:
    if target is None:
        raise TradingStateError(f"{event.value} needs the state to set (active, reducing, halted)")
    try:
        return TradingState(target)
    except ValueError:
        raise TradingStateError(
            f"{event.value}: unknown trading state {target!r} (active, reducing, halted)"
        ) from None


def check_actor_and_reason(actor: str, reason: str) -> tuple[str, str]:
    """``actor`` and ``reason`` stripped; both must be non-blank, the actor at most 64
    characters (:class:`TradingStateError` otherwise)."""
    actor, reason = actor.strip(), reason.strip()
    if not actor or len(actor) > ACTOR_MAX_LENGTH:
        raise TradingStateError(
            f"a trading state change needs an actor of 1 to {ACTOR_MAX_LENGTH} characters, "
            f"got {actor!r}"
        )
    if not reason:
        raise TradingStateError("a trading state change needs a reason (got a blank one)")
    return actor, reason
