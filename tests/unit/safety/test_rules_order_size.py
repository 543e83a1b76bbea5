"""Order size rules at their boundaries: shares, dollars, buying power."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from trademind.safety.rules.order_size import BuyingPower, MaxOrderQuantity, MaxOrderValue
from trademind.testing.safety import pre_trade_context

NOW = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)


def test_max_order_quantity_at_the_limit_passes_one_share_over_is_refused() -> None:
    rule = MaxOrderQuantity(Decimal(5000))
    assert rule.check(pre_trade_context(quantity=5000, price=1, now=NOW)).passed
    verdict = rule.check(pre_trade_context(quantity=5001, price=1, now=NOW))
    assert not verdict.passed
    assert verdict.message == (
        "max_order_quantity: order of 5,001 shares exceeds the limit of 5,000 shares"
    )


def test_max_order_value_at_the_limit_passes_a_cent_over_is_refused() -> None:
    rule = MaxOrderValue(Decimal(10_000))
    assert rule.check(pre_trade_context(quantity=100, price=100, now=NOW)).passed
    verdict = rule.check(pre_trade_context(quantity=100, price="100.0001", now=NOW))
    assert verdict.message == (
        "max_order_value: order value $10,000.01 exceeds the limit $10,000.00"
    )
    verdict = rule.check(pre_trade_context(quantity=124, price=100, now=NOW))
    assert verdict.message == (
        "max_order_value: order value $12,400.00 exceeds the limit $10,000.00"
    )


def test_a_buy_limit_order_is_valued_at_its_limit_when_that_is_higher() -> None:
    rule = MaxOrderValue(Decimal(10_000))
    context = pre_trade_context(quantity=100, price=99, limit_price=101, now=NOW)
    assert context.order_value == Decimal(10_100)
    assert not rule.check(context).passed
    below = pre_trade_context(quantity=100, price=100, limit_price=90, now=NOW)
    assert below.order_value == Decimal(10_000)  # the market price is the more it may cost


def test_buying_power_with_its_buffer_at_the_limit_passes() -> None:
    rule = BuyingPower(Decimal("0.01"))
    fits = pre_trade_context(quantity=99, price=100, buying_power=9999, now=NOW)
    assert rule.check(fits).passed  # 9,900 * 1.01 = 9,999
    short = pre_trade_context(quantity=99, price=100, buying_power="9998.99", now=NOW)
    assert rule.check(short).message == (
        "buying_power: order needs $9,999.00 (value $9,900.00 plus a 1.00% buffer) but "
        "buying power is $9,998.99"
    )


def test_buying_power_counts_only_the_opening_part_of_a_flip() -> None:
    rule = BuyingPower(Decimal(0))
    # Long 60, sell 100: 60 close, 40 open a short worth $4,000.
    flip = pre_trade_context(
        side="sell",
        quantity=100,
        price=100,
        positions={"AAPL": (60, 100)},
        buying_power=4000,
        now=NOW,
    )
    assert flip.opening_quantity == Decimal(40)
    assert rule.check(flip).passed
    tight = pre_trade_context(
        side="sell",
        quantity=100,
        price=100,
        positions={"AAPL": (60, 100)},
        buying_power="3999.99",
        now=NOW,
    )
    assert not rule.check(tight).passed
