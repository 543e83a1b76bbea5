"""The safety layer's trading state of an account: :class:`TradingState`.

ACTIVE lets every order through to the pre-trade rules; REDUCING lets only orders that reduce
exposure (closing or shrinking a position) through; HALTED lets nothing through but cancels.
The state machine that changes it lives in :mod:`trademind.safety.state`.
"""

from __future__ import annotations

from enum import StrEnum


class TradingState(StrEnum):
    """Values are what ``safety_state.state`` and ``safety_events.from_state/to_state`` store."""

    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"
