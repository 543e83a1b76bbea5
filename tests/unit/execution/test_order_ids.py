"""Client order ids are deterministic, distinct per input and fit the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from trademind.core.errors import ValidationError
from trademind.core.orders import ID_MAX_LENGTH
from trademind.execution.order_ids import client_order_id, decision_id

WHEN = datetime(2024, 1, 2, 21, tzinfo=UTC)


def test_the_same_inputs_give_the_same_id() -> None:
    first = client_order_id("main", "AAPL", WHEN, 0)
    again = client_order_id("main", "AAPL", WHEN.astimezone(timezone(timedelta(hours=-5))), 0)
    assert first == again
    assert first.startswith("AAPL-20240102T210000-0-")


def test_each_part_changes_the_id() -> None:
    ids = {
        client_order_id("main", "AAPL", WHEN, 0),
        client_order_id("other", "AAPL", WHEN, 0),
        client_order_id("main", "MSFT", WHEN, 0),
        client_order_id("main", "AAPL", WHEN + timedelta(days=1), 0),
        client_order_id("main", "AAPL", WHEN, 1),
    }
    assert len(ids) == 5


def test_a_long_account_and_symbol_still_fit() -> None:
    order_id = client_order_id("a" * 64, "X" * 32, WHEN, 12345)
    assert len(order_id) <= ID_MAX_LENGTH
    assert len(decision_id("s" * 64, "X" * 32, WHEN)) <= ID_MAX_LENGTH


def test_bad_parts_are_refused() -> None:
    with pytest.raises(ValidationError):
        client_order_id("main", "AAPL", WHEN, -1)
    with pytest.raises(ValueError, match=r"naive|timezone"):
        client_order_id("main", "AAPL", datetime(2024, 1, 2), 0)
