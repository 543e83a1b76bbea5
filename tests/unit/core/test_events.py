"""Events are frozen, UTC-stamped facts with their own field checks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from trademind.core.events import (
    ConfigReloaded,
    EmergencyStopRequested,
    Event,
    SystemStarted,
    SystemStopping,
)

WHEN = datetime(2024, 3, 1, 15, 0, tzinfo=UTC)


def test_frozen_event_cannot_be_mutated() -> None:
    event = EmergencyStopRequested(occurred_at=WHEN, reason="drawdown", requested_by="cli")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.reason = "other"  # type: ignore[misc]


def test_slotted_event_takes_no_new_attributes() -> None:
    event = SystemStarted(occurred_at=WHEN)
    with pytest.raises((AttributeError, TypeError)):
        event.extra = 1  # type: ignore[attr-defined]


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"SystemStopping\.occurred_at must be timezone-aware"):
        SystemStopping(occurred_at=datetime(2024, 3, 1, 15, 0))


def test_non_datetime_is_rejected() -> None:
    with pytest.raises(TypeError, match="must be a datetime"):
        SystemStarted(occurred_at="2024-03-01T15:00:00Z")  # type: ignore[arg-type]


def test_aware_datetime_is_converted_to_utc() -> None:
    new_york = timezone(timedelta(hours=-5))
    event = SystemStarted(occurred_at=datetime(2024, 3, 1, 10, 0, tzinfo=new_york))
    assert event.occurred_at == WHEN
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert event.occurred_at.tzinfo is UTC


def test_each_event_gets_its_own_id() -> None:
    first, second = SystemStarted(occurred_at=WHEN), SystemStarted(occurred_at=WHEN)
    assert first.event_id != second.event_id
    assert len(first.event_id) == 32
    int(first.event_id, 16)


def test_fields_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        SystemStarted(WHEN)  # type: ignore[misc]


def test_config_reloaded_keeps_a_tuple_of_keys() -> None:
    event = ConfigReloaded(occurred_at=WHEN, changed_keys=["safety.daily_loss_limit"])  # type: ignore[arg-type]
    assert event.changed_keys == ("safety.daily_loss_limit",)
    hash(event)  # hashable, so usable as a dict key or in a set


def test_config_reloaded_rejects_a_bare_string() -> None:
    with pytest.raises(TypeError, match="not a str"):
        ConfigReloaded(occurred_at=WHEN, changed_keys="app.log_level")  # type: ignore[arg-type]


def test_config_reloaded_rejects_empty_keys() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        ConfigReloaded(occurred_at=WHEN, changed_keys=("app.log_level", ""))


@pytest.mark.parametrize(("reason", "requested_by"), [("", "cli"), ("drawdown", "  ")])
def test_emergency_stop_needs_reason_and_requester(reason: str, requested_by: str) -> None:
    with pytest.raises(ValueError, match="non-empty string"):
        EmergencyStopRequested(occurred_at=WHEN, reason=reason, requested_by=requested_by)


def test_event_type_is_the_class_name() -> None:
    event: Event = ConfigReloaded(occurred_at=WHEN, changed_keys=())
    assert event.event_type == "ConfigReloaded"
