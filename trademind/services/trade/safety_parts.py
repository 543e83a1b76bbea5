"""The trading state's parts of a session: the gate the router asks and the emergency stop
handler the loop calls at each step (:mod:`trademind.runtime.state_gate`,
:mod:`trademind.runtime.emergency`), on the account's stored state.

The gate's one-second refresh runs on the wall clock's monotonic time (a replay's simulated
time does not move between its steps at ``--speed max``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trademind.portfolio.store import LedgerStore
from trademind.runtime.emergency import EmergencyStopHandler
from trademind.runtime.state_gate import TradingStateGate
from trademind.safety.state_store import SafetyStateStore

if TYPE_CHECKING:
    from trademind.brokers.base import Broker
    from trademind.core.clock import Clock
    from trademind.core.ports import BrokerJournal
    from trademind.db.session import Database
    from trademind.execution.router import ExecutionRouter


def state_gate(database: Database, wall: Clock, account: str) -> TradingStateGate:
    """The gate on ``account``'s stored trading state (the account exists by now)."""
    info = LedgerStore(database, wall).account(account)
    return TradingStateGate(SafetyStateStore(database, wall), info.id, wall.monotonic)


def emergency_handler(
    gate: TradingStateGate, router: ExecutionRouter, broker: Broker, journal: BrokerJournal
) -> EmergencyStopHandler:
    """The loop's emergency stop handler, recording what it handled through ``journal``."""
    return EmergencyStopHandler(gate, router, broker, journal)
