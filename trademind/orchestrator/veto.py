"""The veto hook: a risk agent or the safety layer may override a decision, with its reason.

A :class:`Vetoer` reviews every BUY or SELL decision the vote produced (a HOLD has nothing to
stop). Returning a reason vetoes it: the decision keeps the voted action for the record, is
marked ``vetoed`` with that reason, and the execution router places no order for it. A vetoer
that raises vetoes too ("veto check failed: ..."): no order passes a check that failed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Protocol

from trademind.core.decisions import Action, Decision

logger = logging.getLogger(__name__)


class Vetoer(Protocol):
    """May stop a decision before it becomes an order."""

    async def review(self, decision: Decision) -> str | None:
        """A reason to veto ``decision``, or None to let it pass."""
        ...


async def apply_vetoes(decision: Decision, vetoers: Sequence[Vetoer]) -> Decision:
    """``decision``, vetoed by the first vetoer that objects (module docstring)."""
    if decision.action is Action.HOLD or decision.vetoed:
        return decision
    for vetoer in vetoers:
        try:
            reason = await vetoer.review(decision)
        except Exception as error:  # a failing check never lets the order through
            reason = f"veto check {type(vetoer).__name__} failed: {type(error).__name__}: {error}"
            logger.warning("decision %s: %s", decision.decision_id, reason)
        if reason is not None:
            reason = reason.strip() or f"vetoed by {type(vetoer).__name__} (no reason given)"
            voted = f"{decision.action.value} with confidence {decision.confidence:.2f}"
            why = f"Vetoed: {reason}; the vote said {voted}."
            return dataclasses.replace(decision, vetoed=True, veto_reason=reason, reasoning=why)
    return decision
