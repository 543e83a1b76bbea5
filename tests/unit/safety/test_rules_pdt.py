"""The pattern day trader rule: counting day trades from fills, the window and the threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest

from trademind.core.orders import Fill, OrderSide
from trademind.safety.rules.pdt import PatternDayTrader, day_trades_by_date
from trademind.testing.safety import WeekdaySessions, pre_trade_context

SESSIONS = WeekdaySessions()
MONDAY = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)  # 10:00 New York
_ids = count()


def _fill(at: datetime, side: str, symbol: str = "AAPL") -> Fill:
    return Fill(
        order_id=f"o{next(_ids)}",
        symbol=symbol,
        side=OrderSide(side),
        quantity=Decimal(10),
        price=Decimal(100),
        ts=at,
    )


def _round_trip(day: datetime, symbol: str = "AAPL") -> list[Fill]:
    return [_fill(day, "buy", symbol), _fill(day + timedelta(minutes=5), "sell", symbol)]


@pytest.mark.parametrize(
    ("sides", "expected"),
    [
        ("b", 0),
        ("bbs", 1),  # two buys closed by one sell: one day trade
        ("bsbs", 2),
        ("sb", 1),  # shares held overnight sold, then bought back
        ("bss", 1),
        ("bsb", 1),
    ],
)
def test_counting_day_trades(sides: str, expected: int) -> None:
    side_of = {"b": OrderSide.BUY, "s": OrderSide.SELL}
    trades = [(MONDAY + timedelta(minutes=i), "AAPL", side_of[s]) for i, s in enumerate(sides)]
    assert day_trades_by_date(trades, SESSIONS).get("2024-03-04", 0) == expected


def test_days_and_symbols_are_counted_apart() -> None:
    trades = [
        (MONDAY, "AAPL", OrderSide.BUY),
        (MONDAY + timedelta(days=1), "AAPL", OrderSide.SELL),  # overnight: not a day trade
        (MONDAY, "MSFT", OrderSide.BUY),
        (MONDAY + timedelta(minutes=1), "AAPL", OrderSide.SELL),
    ]
    assert day_trades_by_date(trades, SESSIONS) == {"2024-03-04": 1, "2024-03-05": 0}


def _rule() -> PatternDayTrader:
    return PatternDayTrader(SESSIONS, Decimal(25_000), max_day_trades=3, window_days=5)


def _three_day_trades(first_day: datetime) -> list[Fill]:
    return [
        fill
        for day in (first_day, first_day + timedelta(days=1), first_day + timedelta(days=2))
        for fill in _round_trip(day, "MSFT")
    ]


def test_a_fourth_day_trade_in_five_business_days_is_refused_under_25000() -> None:
    rule = _rule()
    history = _three_day_trades(MONDAY)  # Mon, Tue, Wed
    friday = MONDAY + timedelta(days=4)
    fills = [*history, _fill(friday, "buy")]
    closing = pre_trade_context(
        side="sell",
        positions={"AAPL": (10, 100)},
        fills=fills,
        equity="24999.99",
        now=friday + timedelta(hours=1),
    )
    assert rule.day_trades_remaining(Decimal("24999.99"), fills, closing.now) == 0
    assert rule.check(closing).message == (
        "pattern_day_trader: this sell of AAPL would be day trade 4 in 5 business days; 3 are "
        "allowed while equity $24,999.99 is under $25,000.00"
    )


def test_at_the_threshold_the_rule_does_not_apply() -> None:
    rule = _rule()
    friday = MONDAY + timedelta(days=4)
    fills = [*_three_day_trades(MONDAY), _fill(friday, "buy")]
    closing = pre_trade_context(
        side="sell",
        positions={"AAPL": (10, 100)},
        fills=fills,
        equity=25_000,
        now=friday + timedelta(hours=1),
    )
    assert rule.check(closing).passed
    assert rule.day_trades_remaining(Decimal(25_000), fills, closing.now) is None


def test_day_trades_older_than_the_window_no_longer_count() -> None:
    rule = _rule()
    # Mon, Tue, Wed of the week before; now is the next Tuesday: Mon's is 6 sessions back.
    week_before = MONDAY - timedelta(days=7)
    tuesday = MONDAY + timedelta(days=1)
    fills = [*_three_day_trades(week_before), _fill(tuesday, "buy")]
    closing = pre_trade_context(
        side="sell",
        positions={"AAPL": (10, 100)},
        fills=fills,
        equity=10_000,
        now=tuesday + timedelta(hours=1),
    )
    # The window is Wed (week before) .. Tue: only the Wednesday day trade counts.
    assert rule.day_trades_in_window(fills, closing.now) == 1
    assert rule.day_trades_remaining(Decimal(10_000), fills, closing.now) == 2
    assert rule.check(closing).passed


def test_an_order_that_completes_no_day_trade_passes_with_no_allowance_left() -> None:
    rule = _rule()
    friday = MONDAY + timedelta(days=4)
    fills = _three_day_trades(MONDAY)
    opening = pre_trade_context(fills=fills, equity=10_000, now=friday)
    assert rule.check(opening).passed
    overnight = pre_trade_context(
        side="sell",
        positions={"AAPL": (10, 100)},
        fills=[*fills, _fill(MONDAY, "buy")],
        equity=10_000,
        now=friday,
    )
    assert rule.check(overnight).passed  # bought Monday, sold Friday


def test_the_last_allowed_day_trade_passes_and_the_next_is_refused() -> None:
    rule = _rule()
    friday = MONDAY + timedelta(days=4)
    two = _three_day_trades(MONDAY)[:4]  # Mon and Tue: two day trades used
    closing = pre_trade_context(
        side="sell",
        positions={"AAPL": (10, 100)},
        fills=[*two, _fill(friday, "buy")],
        equity="24999.99",
        now=friday + timedelta(hours=1),
    )
    assert rule.check(closing).passed  # day trade 3 of 3
    three = pre_trade_context(
        side="sell",
        positions={"AAPL": (10, 100)},
        fills=[*_three_day_trades(MONDAY), _fill(friday, "buy")],
        equity="24999.99",
        now=friday + timedelta(hours=1),
    )
    assert not rule.check(three).passed  # day trade 4
