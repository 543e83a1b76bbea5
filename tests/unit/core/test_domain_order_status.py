"""OrderStatus: the Interactive Brokers mapping, terminal statuses, allowed transitions."""

from __future__ import annotations

import pytest

from trademind.core.errors import ValidationError
from trademind.core.order_status import (
    IB_STATUSES,
    TERMINAL_STATUSES,
    TRANSITIONS,
    OrderStatus,
    can_transition,
)

S = OrderStatus


def test_values_are_what_the_database_stores() -> None:
    assert [status.value for status in OrderStatus] == [
        "pending", "presubmitted", "open", "partially_filled", "filled", "cancelled",
        "rejected", "expired",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("ib", "ours"),
    [
        ("PendingSubmit", S.PENDING),
        ("PreSubmitted", S.PRESUBMITTED),
        ("Submitted", S.OPEN),
        ("Filled", S.FILLED),
        ("Cancelled", S.CANCELLED),
        ("ApiCancelled", S.CANCELLED),
        ("Inactive", S.REJECTED),
    ],
)
def test_ib_statuses_map(ib: str, ours: OrderStatus) -> None:
    assert OrderStatus.from_ib_status(ib) is ours


def test_the_ib_table_is_exactly_the_documented_one() -> None:
    assert set(IB_STATUSES) == {
        "PendingSubmit", "PreSubmitted", "Submitted", "Filled", "Cancelled", "ApiCancelled",
        "Inactive",
    }  # fmt: skip


@pytest.mark.parametrize("text", ["PendingCancel", "ApiPending", "submitted", "", "Unknown"])
def test_any_other_ib_status_is_a_clear_error(text: str) -> None:
    with pytest.raises(
        ValidationError, match=rf"unknown Interactive Brokers order status '{text}'"
    ):
        OrderStatus.from_ib_status(text)


def test_a_non_text_ib_status_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="unknown Interactive Brokers order status"):
        OrderStatus.from_ib_status(None)  # type: ignore[arg-type]


def test_terminal_statuses() -> None:
    assert {status for status in OrderStatus if status.is_terminal} == {
        S.FILLED, S.CANCELLED, S.REJECTED, S.EXPIRED,
    }  # fmt: skip
    assert frozenset(TERMINAL_STATUSES) == {s for s in OrderStatus if s.is_terminal}


def test_every_status_has_its_transitions_and_terminal_ones_have_none() -> None:
    assert set(TRANSITIONS) == set(OrderStatus)
    for status in TERMINAL_STATUSES:
        assert TRANSITIONS[status] == frozenset()
        assert not any(can_transition(status, other) for other in OrderStatus)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.PENDING, S.PRESUBMITTED),
        (S.PENDING, S.OPEN),
        (S.PENDING, S.FILLED),
        (S.PENDING, S.REJECTED),
        (S.PRESUBMITTED, S.OPEN),
        (S.PRESUBMITTED, S.CANCELLED),
        (S.OPEN, S.PARTIALLY_FILLED),
        (S.OPEN, S.FILLED),
        (S.OPEN, S.EXPIRED),
        (S.OPEN, S.REJECTED),
        (S.PARTIALLY_FILLED, S.PARTIALLY_FILLED),
        (S.PARTIALLY_FILLED, S.FILLED),
        (S.PARTIALLY_FILLED, S.CANCELLED),
        (S.PARTIALLY_FILLED, S.EXPIRED),
    ],
)
def test_allowed_transitions(current: OrderStatus, new: OrderStatus) -> None:
    assert can_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.OPEN, S.PENDING),
        (S.OPEN, S.PRESUBMITTED),
        (S.PRESUBMITTED, S.PENDING),
        (S.PARTIALLY_FILLED, S.OPEN),
        (S.PARTIALLY_FILLED, S.REJECTED),
        (S.PENDING, S.PENDING),
        (S.OPEN, S.OPEN),
        (S.FILLED, S.CANCELLED),
        (S.CANCELLED, S.OPEN),
        (S.REJECTED, S.PENDING),
        (S.EXPIRED, S.FILLED),
    ],
)
def test_forbidden_transitions(current: OrderStatus, new: OrderStatus) -> None:
    assert not can_transition(current, new)


def test_transitions_never_go_back_to_pending() -> None:
    assert not any(can_transition(status, S.PENDING) for status in OrderStatus)
