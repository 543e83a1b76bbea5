"""Exposure rules at their boundaries, judged after the fill."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from trademind.safety.rules.exposure import MaxPositions, MaxPositionSize, SectorConcentration
from trademind.testing.safety import pre_trade_context

NOW = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)
TECH = {"AAPL": "Technology", "MSFT": "Technology", "XOM": "Energy"}


def test_position_size_after_the_fill_at_the_limit_passes() -> None:
    rule = MaxPositionSize(Decimal("0.10"))
    held = {"AAPL": (50, 100)}
    assert rule.check(pre_trade_context(quantity=50, positions=held, now=NOW)).passed
    verdict = rule.check(pre_trade_context(quantity=51, positions=held, now=NOW))
    assert verdict.message == (
        "max_position_size: AAPL would be $10,100.00, 10.10% of equity $100,000.00, above the "
        "limit 10.00%"
    )


def test_position_size_refuses_new_exposure_without_equity() -> None:
    rule = MaxPositionSize(Decimal("0.10"))
    verdict = rule.check(pre_trade_context(quantity=1, equity=0, now=NOW))
    assert verdict.message == "max_position_size: equity is $0.00; no new exposure is allowed"


def test_a_short_counts_by_its_absolute_value() -> None:
    rule = MaxPositionSize(Decimal("0.10"))
    short = pre_trade_context(side="sell", quantity=101, now=NOW)
    assert not rule.check(short).passed


def test_max_positions_refuses_only_a_new_symbol_beyond_the_limit() -> None:
    rule = MaxPositions(2)
    two = {"MSFT": (1, 100), "XOM": (1, 100)}
    one = {"MSFT": (1, 100)}
    assert rule.check(pre_trade_context(positions=one, now=NOW)).passed
    verdict = rule.check(pre_trade_context(positions=two, now=NOW))
    assert verdict.message == (
        "max_positions: a new position in AAPL would be position 3, above the limit of 2"
    )
    grow = pre_trade_context(symbol="MSFT", positions=two, now=NOW)
    assert rule.check(grow).passed


def test_sector_concentration_after_the_fill_at_the_limit_passes() -> None:
    rule = SectorConcentration(Decimal("0.30"))
    held = {"MSFT": (200, 100), "XOM": (500, 100)}  # tech $20,000, energy $50,000
    at_limit = pre_trade_context(quantity=100, positions=held, sectors=TECH, now=NOW)
    assert rule.check(at_limit).passed
    over = pre_trade_context(quantity=101, positions=held, sectors=TECH, now=NOW)
    assert rule.check(over).message == (
        "sector_concentration: sector 'Technology' would be $30,100.00, 30.10% of equity "
        "$100,000.00, above the limit 30.00%"
    )


def test_unknown_sector_is_a_bucket_of_its_own_named_in_the_reason() -> None:
    rule = SectorConcentration(Decimal("0.30"))
    held = {"ZZZ": (250, 100), "MSFT": (250, 100)}  # unknown $25,000, tech $25,000
    fits = pre_trade_context(symbol="QQQ", quantity=50, positions=held, sectors=TECH, now=NOW)
    assert rule.check(fits).passed
    over = pre_trade_context(symbol="QQQ", quantity=51, positions=held, sectors=TECH, now=NOW)
    assert rule.check(over).message.startswith(
        "sector_concentration: sector 'unknown' would be $30,100.00, 30.10% of equity"
    )
