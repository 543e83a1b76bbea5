"""`safety status`, `emergency-stop` and `reset-circuit-breaker`: an account's trading state.

The account is the one asked for (default: the most recently used, as for `portfolio`); no
account at all or an unknown name is a ValidationError (exit 1) saying what to do. A state
change goes through :class:`~trademind.safety.state_store.SafetyStateStore`: one transaction
for the ``safety_events`` row and the new state, stamped with the Clock's time. The change IS
the request: a running ``trade`` process sees HALTED and acts on it (cancels working orders,
liquidates when ``details.liquidate``); a stopped one does so when resumed.

A reason is required (not blank, at most :data:`REASON_MAX_LENGTH` characters): a
UsageError (exit 2) otherwise, checked before anything is read or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import sqlalchemy as sa

from trademind.core.errors import UsageError
from trademind.core.trading_state import TradingState
from trademind.db.models import ConfigChange
from trademind.portfolio.store import LedgerStore
from trademind.safety.state import StateChange, StateEvent
from trademind.safety.state_store import SafetyStateStore
from trademind.services.ledger_access import AccountView, account_view, open_ledger
from trademind.services.safety_limits import SafetyLimits, limits

if TYPE_CHECKING:
    from trademind.config.sections_trading import SafetySettings
    from trademind.core.clock import Clock
    from trademind.db.session import Database
    from trademind.portfolio.rows import AccountInfo

REASON_MAX_LENGTH: Final = 500
LATEST_EVENTS: Final = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class StateChangeView:
    """One recorded trading state change."""

    at: datetime
    event: str
    from_state: str
    to_state: str
    actor: str
    reason: str
    details: dict[str, Any]


def change_view(change: StateChange) -> StateChangeView:
    return StateChangeView(
        at=change.at,
        event=change.event.value,
        from_state=change.from_state.value,
        to_state=change.to_state.value,
        actor=change.actor,
        reason=change.reason,
        details=dict(change.details),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SettingChangeView:
    """One recorded change of a ``safety.*`` setting (a ``config_changes`` row)."""

    at: datetime
    key: str
    old_value: str | None
    new_value: str | None
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyStatus:
    """An account's trading state (``since``/``actor``/``reason`` None: never changed), the
    limits in force, its latest state changes and the latest changes of the safety settings
    (``safety set``, ``config set``...), newest first."""

    account: AccountView
    state: str
    since: datetime | None
    actor: str | None
    reason: str | None
    limits: SafetyLimits
    events: tuple[StateChangeView, ...]
    settings_changes: tuple[SettingChangeView, ...]
    day_trades: DayTrades


@dataclass(frozen=True, slots=True, kw_only=True)
class DayTrades:
    """The pattern day trader allowance as of the ledger's last time: ``remaining`` is None when
    no limit applies (``why`` says: the rule is off, or equity is at or above the threshold)."""

    remaining: int | None
    used: int
    allowed: int
    window_days: int
    why: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StateChangeResult:
    """A change just recorded for ``account``."""

    account: AccountView
    change: StateChangeView


def check_reason(reason: str) -> str:
    """``reason`` stripped; blank or longer than the limit: UsageError."""
    text = reason.strip()
    if not text:
        raise UsageError("--reason must not be blank: say why (it is recorded)")
    if len(text) > REASON_MAX_LENGTH:
        raise UsageError(
            f"--reason is {len(text):,} characters long; at most {REASON_MAX_LENGTH} are allowed"
        )
    return text


def resolve_account(database: Database, clock: Clock, account: str | None) -> AccountInfo:
    """The account ``account`` (None: the most recently used one)."""
    return LedgerStore(database, clock).account(account)


def status(
    database: Database, clock: Clock, account: str | None, safety: SafetySettings
) -> SafetyStatus:
    """The account's trading state, the limits in force and its latest state changes."""
    info = resolve_account(database, clock, account)
    store = SafetyStateStore(database, clock)
    current = store.current(info.id)
    events = store.events(info.id, limit=LATEST_EVENTS)
    return SafetyStatus(
        day_trades=day_trades(database, clock, info.name, safety),
        account=account_view(info),
        state=current.state.value,
        since=current.changed_at,
        actor=current.actor,
        reason=current.reason,
        limits=limits(safety),
        events=tuple(change_view(change) for change in events),
        settings_changes=settings_changes(database),
    )


def day_trades(database: Database, clock: Clock, account: str, safety: SafetySettings) -> DayTrades:
    """Day trades used and remaining in the account's last ``pdt.window_days`` sessions, by the
    pre-trade rule's own count (docs/safety.md, "Pattern day trader rule")."""
    from trademind.safety.rules.pdt import PatternDayTrader
    from trademind.safety.sessions import ExchangeSessions

    pdt = safety.pdt
    opened = open_ledger(database, clock, account)
    rule = PatternDayTrader(
        ExchangeSessions(),
        Decimal(str(pdt.equity_threshold)),
        pdt.max_day_trades,
        pdt.window_days,
    )
    at, fills = opened.valuation.ts, opened.ledger.fills
    used = rule.day_trades_in_window(fills, at)
    equity = opened.valuation.equity
    if not pdt.enabled or not safety.enabled:
        why = "the pattern day trader rule is off"
        remaining = None
    else:
        remaining = rule.day_trades_remaining(equity, fills, at)
        why = (
            f"equity {equity:,.2f} is at or above {pdt.equity_threshold:,.2f}: no limit"
            if remaining is None
            else f"equity {equity:,.2f} is under {pdt.equity_threshold:,.2f}"
        )
    return DayTrades(
        remaining=remaining,
        used=used,
        allowed=pdt.max_day_trades,
        window_days=pdt.window_days,
        why=why,
    )


def settings_changes(
    database: Database, *, limit: int = LATEST_EVENTS
) -> tuple[SettingChangeView, ...]:
    """The latest recorded changes of ``safety.*`` settings, newest first."""
    query = (
        sa.select(ConfigChange)
        .where(ConfigChange.key.startswith("safety.", autoescape=True))
        .order_by(ConfigChange.changed_at.desc(), ConfigChange.id.desc())
        .limit(limit)
    )
    with database.session() as session:
        return tuple(
            SettingChangeView(
                at=row.changed_at,
                key=row.key,
                old_value=row.old_value,
                new_value=row.new_value,
                source=row.source,
            )
            for row in session.scalars(query)
        )


def emergency_stop(
    database: Database,
    clock: Clock,
    account: str | None,
    *,
    reason: str,
    liquidate: bool,
    actor: str,
) -> StateChangeResult:
    """Halt the account (recorded with ``details.liquidate``)."""
    text = check_reason(reason)
    info = resolve_account(database, clock, account)
    change = SafetyStateStore(database, clock).apply(
        info.id,
        StateEvent.EMERGENCY_STOP,
        actor=actor,
        reason=text,
        details={"liquidate": liquidate},
    )
    return StateChangeResult(account=account_view(info), change=change_view(change))


def reset(
    database: Database, clock: Clock, account: str | None, *, reason: str, actor: str
) -> StateChangeResult:
    """Back to ACTIVE; refused (TradingStateError, exit 1) when the account is active."""
    text = check_reason(reason)
    info = resolve_account(database, clock, account)
    change = SafetyStateStore(database, clock).apply(
        info.id, StateEvent.RESET, actor=actor, reason=text
    )
    return StateChangeResult(account=account_view(info), change=change_view(change))


def state_history(
    database: Database, clock: Clock, info: AccountInfo, events: set[StateEvent]
) -> tuple[StateChangeView, ...]:
    """The account's changes by ``events``, newest first."""
    changes = SafetyStateStore(database, clock).events(info.id, limit=1000)
    return tuple(change_view(change) for change in changes if change.event in events)


def is_active(state: str) -> bool:
    return state == TradingState.ACTIVE.value
