"""Trading states persisted per account on SQLite and PostgreSQL (revision 0007)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from trademind.core.clock import TestClock
from trademind.core.errors import TradingStateError
from trademind.core.market import TradingMode
from trademind.core.trading_state import TradingState
from trademind.db.models import SafetyEvent
from trademind.db.session import Database
from trademind.portfolio.store import LedgerStore
from trademind.safety.state import StateEvent
from trademind.safety.state_store import SafetyStateStore

START = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)


def _account(database: Database, clock: TestClock, name: str = "paper") -> int:
    store = LedgerStore(database, clock)
    info = store.open_account(
        name, mode=TradingMode.PAPER, broker="paper", starting_cash=Decimal(100_000)
    )
    return info.id


def test_a_new_account_is_active(database: Database) -> None:
    clock = TestClock(START)
    account = _account(database, clock)
    current = SafetyStateStore(database, clock).current(account)
    assert current.state is TradingState.ACTIVE
    assert current.changed_at is None


def test_changes_are_persisted_with_their_events(database: Database) -> None:
    clock = TestClock(START)
    account = _account(database, clock)
    store = SafetyStateStore(database, clock)
    store.apply(
        account,
        StateEvent.EMERGENCY_STOP,
        actor="alice",
        reason="fat finger",
        details={"liquidate": False},
    )
    clock.advance(60)
    store.apply(account, StateEvent.RESET, actor="bob", reason="checked the book")
    clock.advance(60)
    store.apply(
        account,
        StateEvent.CIRCUIT_BREAKER_TRIPPED,
        actor="circuit_breaker",
        reason="daily loss 2.10% above the limit 2.00%",
        target=TradingState.REDUCING,
    )

    fresh = SafetyStateStore(database, TestClock(START))  # another process
    current = fresh.current(account)
    assert (current.state, current.actor, current.changed_at) == (
        TradingState.REDUCING,
        "circuit_breaker",
        START.replace(minute=2),
    )
    events = fresh.events(account)
    assert [(e.event, e.from_state, e.to_state, e.actor) for e in events] == [
        (
            StateEvent.CIRCUIT_BREAKER_TRIPPED,
            TradingState.ACTIVE,
            TradingState.REDUCING,
            "circuit_breaker",
        ),
        (StateEvent.RESET, TradingState.HALTED, TradingState.ACTIVE, "bob"),
        (StateEvent.EMERGENCY_STOP, TradingState.ACTIVE, TradingState.HALTED, "alice"),
    ]
    assert events[2].reason == "fat finger"
    assert events[2].details == {"liquidate": False}
    assert events[2].at == START
    with database.session() as session:
        severities = session.scalars(sa.select(SafetyEvent.severity).order_by(SafetyEvent.id)).all()
    assert severities == ["critical", "info", "warning"]


def test_an_illegal_change_writes_nothing(database: Database) -> None:
    clock = TestClock(START)
    account = _account(database, clock)
    store = SafetyStateStore(database, clock)
    with pytest.raises(TradingStateError, match="already active"):
        store.apply(account, StateEvent.RESET, actor="bob", reason="just in case")
    with pytest.raises(TradingStateError, match="reason"):
        store.apply(account, StateEvent.EMERGENCY_STOP, actor="bob", reason=" ")
    assert store.events(account) == []
    assert store.current(account).state is TradingState.ACTIVE


def test_an_unknown_account_is_refused(database: Database) -> None:
    store = SafetyStateStore(database, TestClock(START))
    with pytest.raises(TradingStateError, match="no account with id 999"):
        store.apply(999, StateEvent.EMERGENCY_STOP, actor="ops", reason="drill")


def test_states_are_per_account(database: Database) -> None:
    clock = TestClock(START)
    first, second = _account(database, clock, "one"), _account(database, clock, "two")
    store = SafetyStateStore(database, clock)
    store.apply(
        first, StateEvent.MANUAL_SET, actor="ops", reason="wind down", target=TradingState.REDUCING
    )
    assert store.current(first).state is TradingState.REDUCING
    assert store.current(second).state is TradingState.ACTIVE
    assert store.events(second) == []


def test_concurrent_changes_are_serialised(database: Database) -> None:
    """Four threads reset one halted account at once: one reset wins, the others see it
    already active (none decides on a stale state, none fails on a lock)."""
    clock = TestClock(START)
    account = _account(database, clock)
    store = SafetyStateStore(database, clock)
    store.apply(account, StateEvent.EMERGENCY_STOP, actor="ops", reason="drill")
    barrier = threading.Barrier(4)

    def reset(worker: int) -> str:
        barrier.wait()
        try:
            store.apply(account, StateEvent.RESET, actor=f"worker-{worker}", reason="race")
        except TradingStateError as exc:
            return str(exc)
        return "reset"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(reset, range(4)))
    assert (
        sorted(outcomes)
        == ["reset"] + ["reset refused: trading is already active; nothing to reset"] * 3
    )
    assert [e.event for e in store.events(account)] == [StateEvent.RESET, StateEvent.EMERGENCY_STOP]
