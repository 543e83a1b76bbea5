"""Events carried by the in-process event bus.

Every event is a frozen, slotted, keyword-only dataclass deriving from :class:`Event`. Events
are facts that happened: they are immutable, carry the time they occurred (UTC, from the
component's :class:`~trademind.core.clock.Clock`, never ``datetime.now()`` directly) and a
unique id. Issues that bring a capability add its events here (see docs/events.md).

Subclasses check their own fields by overriding :meth:`Event.validate`; they do not need to
override ``__post_init__`` (zero-argument ``super()`` does not work in slotted dataclasses on
Python 3.12).
"""

from __future__ import annotations

import itertools
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from trademind.core.accounts import Account
from trademind.core.clock import ensure_utc
from trademind.core.decisions import Decision, Signal
from trademind.core.market import Bar
from trademind.core.order_state import OrderState
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Fill


class _EventIds:
    """Unique event ids, 32 hex digits: a random 64-bit prefix drawn once per process (again in
    a forked child) and a counter. A trading loop makes several events per bar, and a uuid4
    (16 bytes from the operating system each) cost a noticeable share of a replay's time."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._prefix = uuid.uuid4().hex[:16]
        self._counter = itertools.count()

    def __call__(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


_new_event_id = _EventIds()
if hasattr(os, "register_at_fork"):  # not on Windows, where processes are not forked
    os.register_at_fork(after_in_child=_new_event_id.reset)


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every event. ``occurred_at`` is converted to UTC; a naive datetime is rejected."""

    occurred_at: datetime
    event_id: str = field(default_factory=_new_event_id)

    def __post_init__(self) -> None:
        if not isinstance(self.occurred_at, datetime):
            raise TypeError(
                f"{type(self).__name__}.occurred_at must be a datetime, "
                f"got {type(self.occurred_at).__name__}"
            )
        utc = ensure_utc(self.occurred_at, what=f"{type(self).__name__}.occurred_at")
        object.__setattr__(self, "occurred_at", utc)
        if not self.event_id:
            raise ValueError(f"{type(self).__name__}.event_id must not be empty")
        self.validate()

    def validate(self) -> None:
        """Check the subclass's own fields; raise ValueError or TypeError. Default: nothing."""

    @property
    def event_type(self) -> str:
        """The event's class name, as used in logs."""
        return type(self).__name__


def _require_text(event: Event, name: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{event.event_type}.{name} must be a non-empty string")


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemStarted(Event):
    """The runtime finished wiring and is running."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemStopping(Event):
    """The runtime is shutting down; components flush and close."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigReloaded(Event):
    """A new, valid configuration was applied; ``changed_keys`` are dotted paths, sorted."""

    changed_keys: tuple[str, ...]

    def validate(self) -> None:
        keys: object = self.changed_keys
        if isinstance(keys, str):
            raise TypeError("ConfigReloaded.changed_keys must be a sequence of keys, not a str")
        changed = tuple(self.changed_keys)
        if not all(isinstance(key, str) and key for key in changed):
            raise ValueError("ConfigReloaded.changed_keys must be non-empty strings")
        object.__setattr__(self, "changed_keys", changed)


@dataclass(frozen=True, slots=True, kw_only=True)
class EmergencyStopRequested(Event):
    """Someone (a person through CLI or web, or a circuit breaker) asked to stop trading now."""

    reason: str
    requested_by: str

    def validate(self) -> None:
        _require_text(self, "reason", self.reason)
        _require_text(self, "requested_by", self.requested_by)


@dataclass(frozen=True, slots=True, kw_only=True)
class BarClosed(Event):
    """A bar of one symbol closed (replay: at the bar's end in simulated time)."""

    bar: Bar


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderStatusChanged(Event):
    """A broker reported a new state of an order of ``account``."""

    account: str
    state: OrderState

    def validate(self) -> None:
        _require_text(self, "account", self.account)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFilled(Event):
    """(Part of) an order of ``account`` was executed."""

    account: str
    fill: Fill

    def validate(self) -> None:
        _require_text(self, "account", self.account)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountUpdated(Event):
    """A broker reported new balances for an account."""

    account: Account


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalRaised(Event):
    """A strategy signalled at a bar close (the trading loop, before the decision step)."""

    signal: Signal


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionMade(Event):
    """The decision step decided for one symbol of ``account``; the router acts on it next."""

    account: str
    decision: Decision

    def validate(self) -> None:
        _require_text(self, "account", self.account)


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderTransitionRefused(Event):
    """A broker reported a state the order's lifecycle forbids (``filled -> open``, ...): the
    execution router kept the state it had and logged the report."""

    account: str
    client_order_id: str
    current: OrderStatus
    reported: OrderStatus

    def validate(self) -> None:
        _require_text(self, "account", self.account)
        _require_text(self, "client_order_id", self.client_order_id)


__all__ = [
    "AccountUpdated",
    "BarClosed",
    "ConfigReloaded",
    "DecisionMade",
    "EmergencyStopRequested",
    "Event",
    "OrderFilled",
    "OrderStatusChanged",
    "OrderTransitionRefused",
    "SignalRaised",
    "SystemStarted",
    "SystemStopping",
]
