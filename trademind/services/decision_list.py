"""`agents decisions`: an account's latest logged decisions, each explained by its votes.

Reads the decision log through :class:`~trademind.orchestrator.decision_log.DecisionLogStore`
and shows each decision as :func:`~trademind.services.decision_chain.stored_view` does (the
view ``trades show`` prints), newest first (``decided_at``, then the row id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from trademind.core.decisions import Action
from trademind.core.errors import UsageError
from trademind.orchestrator.decision_log import DecisionLogStore
from trademind.portfolio.store import LedgerStore, NoAccountError
from trademind.services.decision_chain import DecisionView, stored_view

if TYPE_CHECKING:
    from trademind.core.clock import Clock
    from trademind.db.session import Database

LIMIT_MAX: Final = 1000
"""The most decisions one call lists."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionList:
    """The decisions of ``account`` asked for (``symbol``/``action`` None: any), newest first;
    ``account`` None: the database has no account yet (so no decisions)."""

    account: str | None
    symbol: str | None
    action: str | None
    decisions: tuple[DecisionView, ...]


def parse_action(raw: str | None) -> Action | None:
    """``buy``, ``sell`` or ``hold`` (any case) as an Action; anything else a UsageError."""
    if raw is None:
        return None
    try:
        return Action(raw.strip().lower())
    except ValueError:
        raise UsageError(f"--action {raw!r}: buy, sell or hold") from None


def recent_decisions(
    database: Database,
    clock: Clock,
    account: str | None,
    *,
    symbol: str | None = None,
    action: str | None = None,
    limit: int = 20,
) -> DecisionList:
    """The latest ``limit`` (1..:data:`LIMIT_MAX`) decisions of ``account`` (None: the most
    recently used; with no account at all, none and no decisions); an unknown account is a
    ValidationError, bad options a UsageError."""
    if not 1 <= limit <= LIMIT_MAX:
        raise UsageError(f"--limit must be between 1 and {LIMIT_MAX}, got {limit}")
    wanted = parse_action(action)
    try:
        info = LedgerStore(database, clock).account(account)
    except NoAccountError:
        if account is not None:
            raise
        none = None if wanted is None else wanted.value
        return DecisionList(account=None, symbol=symbol, action=none, decisions=())
    stored = DecisionLogStore(database, info.id).recent(symbol, limit, wanted)
    return DecisionList(
        account=info.name,
        symbol=symbol,
        action=None if wanted is None else wanted.value,
        decisions=tuple(stored_view(decision) for decision in stored),
    )
