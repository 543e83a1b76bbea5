"""Duplicate orders and the order rate throttle at their window edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trademind.core.orders import OrderSide
from trademind.safety.context import SubmittedOrder
from trademind.safety.rules.order_flow import DuplicateOrder, OrderRate
from trademind.testing.safety import pre_trade_context

NOW = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)


def _sent(
    seconds_ago: float, *, symbol: str = "AAPL", side: str = "buy", oid: str = "old"
) -> SubmittedOrder:
    return SubmittedOrder(
        client_order_id=oid,
        symbol=symbol,
        side=OrderSide(side),
        quantity=Decimal(10),
        submitted_at=NOW - timedelta(seconds=seconds_ago),
    )


def test_same_symbol_and_side_within_the_window_is_a_duplicate() -> None:
    rule = DuplicateOrder(60)
    at_edge = pre_trade_context(recent_orders=[_sent(60)], now=NOW)
    assert rule.check(at_edge).message == (
        "duplicate_order: a buy order for AAPL (old) was sent 60s ago, within the 60s window"
    )
    assert rule.check(pre_trade_context(recent_orders=[_sent(61)], now=NOW)).passed


def test_other_side_or_symbol_is_not_a_duplicate() -> None:
    rule = DuplicateOrder(60)
    others = [_sent(1, side="sell"), _sent(1, symbol="MSFT")]
    assert rule.check(pre_trade_context(recent_orders=others, now=NOW)).passed


def test_a_repeated_client_order_id_is_refused_whatever_its_age_and_window() -> None:
    for rule in (DuplicateOrder(60), DuplicateOrder(0)):
        old = [_sent(86_400, symbol="MSFT", oid="order-1")]
        verdict = rule.check(pre_trade_context(recent_orders=old, now=NOW))
        assert verdict.message.startswith("duplicate_order: client order id order-1 was already")


def test_window_zero_turns_the_symbol_side_check_off() -> None:
    assert DuplicateOrder(0).check(pre_trade_context(recent_orders=[_sent(0)], now=NOW)).passed


def test_the_throttle_allows_n_orders_per_rolling_window() -> None:
    rule = OrderRate(3, 60)
    two = [_sent(1, oid="a"), _sent(59, oid="b")]
    assert rule.check(pre_trade_context(recent_orders=two, now=NOW)).passed
    three = [*two, _sent(30, oid="c")]
    assert rule.check(pre_trade_context(recent_orders=three, now=NOW)).message == (
        "order_rate: 3 orders were sent in the last 60s; the limit is 3"
    )
    aged_out = [*two, _sent(60, oid="c")]  # exactly one window ago: out of (now - 60s, now]
    assert rule.check(pre_trade_context(recent_orders=aged_out, now=NOW)).passed
