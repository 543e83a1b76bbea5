"""Trading states persisted per account: ``safety_state`` rows and their ``safety_events``.

:meth:`SafetyStateStore.apply` reads the current state, checks the transition
(:func:`~trademind.safety.state.next_state`), writes the event row and the new state in one
transaction and returns the :class:`~trademind.safety.state.StateChange`. The account's row is
written (unchanged) first, which takes the write lock on both backends before the state is
read: two processes changing the same account's state are serialised, the second one deciding
on the first one's result. Times come from the Clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.core.errors import TradingStateError
from trademind.core.trading_state import TradingState
from trademind.db.models import Account, SafetyEvent, SafetyStateRow
from trademind.safety.state import (
    StateChange,
    StateEvent,
    check_actor_and_reason,
    next_state,
)

if TYPE_CHECKING:
    from trademind.core.clock import Clock
    from trademind.db.session import Database

_STATES: Final = cast(sa.Table, SafetyStateRow.__table__)
_EVENTS: Final = cast(sa.Table, SafetyEvent.__table__)
_ACCOUNTS: Final = cast(sa.Table, Account.__table__)
_SEVERITY = {
    TradingState.ACTIVE: "info",
    TradingState.REDUCING: "warning",
    TradingState.HALTED: "critical",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrentState:
    """An account's trading state now; ``changed_at``/``actor``/``reason`` are None for an
    account whose state never changed (ACTIVE by default). ``event_id``, ``event`` and
    ``details`` describe the ``safety_events`` row of the last change (what the trading loop
    needs to handle an emergency stop once: its id and ``{"liquidate": bool}``)."""

    account_id: int
    state: TradingState
    changed_at: datetime | None = None
    actor: str | None = None
    reason: str | None = None
    event_id: int | None = None
    event: StateEvent | None = None
    details: dict[str, Any] = field(default_factory=dict)


class SafetyStateStore:
    """Reads and changes the trading state of accounts in ``database``."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def current(self, account_id: int) -> CurrentState:
        """The account's state (ACTIVE when no change was ever recorded)."""
        return self._database.run(lambda connection: _read(connection, account_id))

    def apply(
        self,
        account_id: int,
        event: StateEvent,
        *,
        actor: str,
        reason: str,
        target: TradingState | None = None,
        details: dict[str, Any] | None = None,
    ) -> StateChange:
        """Record ``event`` for the account and return the change (committed on return).

        Raises :class:`TradingStateError` (nothing written) for an illegal transition, a blank
        actor or reason, or an unknown account.
        """
        at = self._clock.now()

        def work(connection: sa.Connection) -> StateChange:
            return record_change(
                connection,
                account_id,
                event,
                actor=actor,
                reason=reason,
                at=at,
                target=target,
                details=details,
            )

        return self._database.run(work)

    def events(self, account_id: int, *, limit: int = 100) -> list[StateChange]:
        """The account's state changes, newest first (at most ``limit``)."""
        query = (
            sa.select(_EVENTS)
            .where(_EVENTS.c.account_id == account_id, _EVENTS.c.to_state.is_not(None))
            .order_by(_EVENTS.c.occurred_at.desc(), _EVENTS.c.id.desc())
            .limit(limit)
        )
        rows = self._database.run(lambda connection: connection.execute(query).all())
        return [_change(row) for row in rows]


def record_change(
    connection: sa.Connection,
    account_id: int,
    event: StateEvent,
    *,
    actor: str,
    reason: str,
    at: datetime,
    target: TradingState | None = None,
    details: dict[str, Any] | None = None,
) -> StateChange:
    """:meth:`SafetyStateStore.apply` inside the caller's transaction on ``connection`` (the
    trading session's circuit breakers write their trips with the step's rows)."""
    actor, reason = check_actor_and_reason(actor, reason)
    _lock_account(connection, account_id)
    before = _read(connection, account_id).state
    change = StateChange(
        account_id=account_id,
        event=StateEvent(event),
        from_state=before,
        to_state=next_state(before, event, target),
        actor=actor,
        reason=reason,
        at=at,
        details=dict(details or {}),
    )
    _write(connection, change)
    return change


def read_state(connection: sa.Connection, account_id: int) -> CurrentState:
    """The account's state as ``connection`` sees it."""
    return _read(connection, account_id)


def _lock_account(connection: sa.Connection, account_id: int) -> None:
    """Take the write lock before reading the state: a no-op UPDATE of the account's row locks
    that row on PostgreSQL and makes SQLite's transaction a writer (waiting its turn) before
    its first read, so a concurrent change is never decided on a stale state."""
    touch = (
        sa.update(_ACCOUNTS)
        .where(_ACCOUNTS.c.id == account_id)
        .values(last_used_at=_ACCOUNTS.c.last_used_at)
    )
    if connection.execute(touch).rowcount == 0:
        raise TradingStateError(f"no account with id {account_id}; nothing was changed")


def _read(connection: sa.Connection, account_id: int) -> CurrentState:
    query = (
        sa.select(_STATES, _EVENTS.c.event_type, _EVENTS.c.details)
        .select_from(_STATES.outerjoin(_EVENTS, _EVENTS.c.id == _STATES.c.event_id))
        .where(_STATES.c.account_id == account_id)
    )
    row = connection.execute(query).first()
    if row is None:
        return CurrentState(account_id=account_id, state=TradingState.ACTIVE)
    return CurrentState(
        account_id=account_id,
        state=TradingState(row.state),
        changed_at=row.changed_at,
        actor=row.actor,
        reason=row.reason,
        event_id=row.event_id,
        event=None if row.event_type is None else StateEvent(row.event_type),
        details=dict(row.details or {}),
    )


def _write(connection: sa.Connection, change: StateChange) -> None:
    inserted = connection.execute(
        sa.insert(_EVENTS).values(
            occurred_at=change.at,
            event_type=change.event.value,
            severity=_SEVERITY[change.to_state],
            message=change.reason,
            details=change.details,
            account_id=change.account_id,
            actor=change.actor,
            from_state=change.from_state.value,
            to_state=change.to_state.value,
        )
    )
    key = inserted.inserted_primary_key
    event_id = None if key is None else key[0]
    values = {
        "state": change.to_state.value,
        "changed_at": change.at,
        "actor": change.actor,
        "reason": change.reason,
        "event_id": event_id,
    }
    updated = connection.execute(
        sa.update(_STATES).where(_STATES.c.account_id == change.account_id).values(**values)
    )
    if updated.rowcount == 0:
        connection.execute(sa.insert(_STATES).values(account_id=change.account_id, **values))


def _change(row: sa.Row[Any]) -> StateChange:
    return StateChange(
        account_id=row.account_id,
        event=StateEvent(row.event_type),
        from_state=TradingState(row.from_state),
        to_state=TradingState(row.to_state),
        actor=row.actor,
        reason=row.message,
        at=row.occurred_at,
        details=dict(row.details or {}),
    )
