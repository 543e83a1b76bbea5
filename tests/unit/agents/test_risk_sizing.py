"""RiskSizer / EntryLimits: each cap at its boundary, Kelly with known numbers, rounding."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from support.portfolio_views import position

from trademind.agents.risk_sizing import EntryLimits, RiskSizer, kelly_fraction_of_equity
from trademind.config.sections_trading import RiskSizingSettings, SafetySettings
from trademind.core.accounts import Account, Position
from trademind.core.decisions import Action, Decision
from trademind.core.errors import ValidationError
from trademind.core.market import TradingMode
from trademind.execution.entry_orders import SizingRequest

WHEN = datetime(2024, 3, 1, tzinfo=UTC)
WIDE = {"max_order_value": 1e6, "max_order_quantity": 1e6}


def _request(symbol: str = "AAPL", price: str = "100", *held: Position) -> SizingRequest:
    decision = Decision(
        decision_id="d1",
        symbol=symbol,
        action=Action.BUY,
        confidence=0.8,
        decided_at=WHEN,
        data_time=WHEN,
        mode=TradingMode.REPLAY,
        reasoning="test",
    )
    account = Account(
        account_id="acc",
        cash=Decimal(100_000),
        portfolio_value=Decimal(100_000),
        buying_power=Decimal(100_000),
    )
    return SizingRequest(decision=decision, price=Decimal(price), account=account, positions=held)


def _sizer(asked: int | str, safety: SafetySettings, **options: object) -> RiskSizer[SizingRequest]:
    limits = EntryLimits.from_settings(safety, **options)  # type: ignore[arg-type]
    return RiskSizer(lambda request: Decimal(asked), limits)


@pytest.mark.parametrize(
    ("settings", "at_limit", "binding"),
    [
        ({"max_order_quantity": 50.0}, 50, "max_order_quantity"),
        ({"max_order_value": 5_000.0}, 50, "max_order_value"),  # $5,000 at $100
        ({**WIDE, "max_position_size": 0.10}, 100, "max_position_size"),  # $10,000 at $100
    ],
)
def test_each_order_cap_passes_at_its_limit_and_cuts_one_share_more(
    settings: dict[str, float], at_limit: int, binding: str
) -> None:
    safety = SafetySettings(**settings)  # type: ignore[arg-type]
    exact = _sizer(at_limit, safety).size(_request())
    assert (exact.quantity, exact.binding) == (Decimal(at_limit), "sizer")
    over = _sizer(at_limit + 1, safety).size(_request())
    assert (over.quantity, over.binding) == (Decimal(at_limit), binding)
    assert f"{binding} binds" in over.explanation
    assert f"the sizer asked {at_limit + 1}" in over.explanation


def test_the_position_cap_counts_the_shares_already_held() -> None:
    safety = SafetySettings(**WIDE)  # type: ignore[arg-type]
    held = position("AAPL", 40, 90)  # valued at the order's price: 40 x $100
    request = _request("AAPL", "100", held)
    assert _sizer(60, safety).size(request).binding == "sizer"
    over = _sizer(61, safety).size(request)
    assert (over.quantity, over.binding) == (Decimal(60), "max_position_size")


def test_heat_room_is_the_limit_less_the_other_positions_risk_over_the_stop_distance() -> None:
    safety = SafetySettings(
        **WIDE,
        max_position_size=0.3,
        max_portfolio_heat=0.02,  # type: ignore[arg-type]
    )
    other = position("MSFT", 200, 100)  # $20,000 x 5% = $1,000 at risk
    request = _request("AAPL", "100", other)
    # ($2,000 allowed - $1,000) / ($100 x 5%) = 200 shares
    assert _sizer(200, safety).size(request).binding == "sizer"
    over = _sizer(201, safety).size(request)
    assert (over.quantity, over.binding) == (Decimal(200), "portfolio_heat")
    assert "default_stop_loss" in over.explanation


def test_the_accounts_stop_loss_replaces_the_default_in_the_heat_room() -> None:
    safety = SafetySettings(
        **WIDE,
        max_position_size=0.3,
        max_portfolio_heat=0.02,  # type: ignore[arg-type]
    )
    request = _request("AAPL", "100", position("MSFT", 200, 100))
    sized = _sizer(1000, safety, stop_loss=0.08).size(request)
    # others: $20,000 x 8% = $1,600; ($2,000 - $1,600) / ($100 x 8%) = 50 shares
    assert (sized.quantity, sized.binding) == (Decimal(50), "portfolio_heat")
    assert "the account's stop-loss" in sized.explanation


def test_a_quantity_is_never_negative_and_whole_unless_fractional() -> None:
    safety = SafetySettings()
    over_held = _request("AAPL", "100", position("AAPL", 150, 100))
    assert _sizer(10, safety)(over_held) == Decimal(0)
    odd_price = _request("AAPL", "300")  # $10,000 / $300 = 33.33 shares
    assert _sizer(40, safety)(odd_price) == Decimal(33)
    assert _sizer(40, safety, fractional_shares=True)(odd_price) == Decimal("33.333333")


def test_a_sizer_that_sizes_nothing_stays_at_nothing() -> None:
    sized = _sizer(0, SafetySettings()).size(_request())
    assert (sized.quantity, sized.binding) == (Decimal(0), "sizer")


def _kelly_safety(min_trades: int = 10) -> SafetySettings:
    sizing = RiskSizingSettings(kelly=True, kelly_min_trades=min_trades)
    return SafetySettings(**WIDE, max_position_size=0.3, sizing=sizing)  # type: ignore[arg-type]


def test_kelly_with_known_numbers_half_kelly_of_a_60_percent_even_payoff_edge() -> None:
    trips = [0.1] * 6 + [-0.1] * 4  # p = 0.6, b = 1: f* = 0.2, half Kelly 0.1
    estimate = kelly_fraction_of_equity(trips, multiplier=0.5, cap=0.25, min_trades=10)
    assert estimate.applied
    assert estimate.win_rate == pytest.approx(0.6)
    assert estimate.payoff == pytest.approx(1.0)
    assert estimate.full == pytest.approx(0.2)
    assert estimate.fraction == pytest.approx(0.1)
    sizer = _sizer(101, _kelly_safety(), round_trips=lambda: trips)
    sized = sizer.size(_request())  # 10% of $100,000 at $100 = 100 shares
    assert (sized.quantity, sized.binding) == (Decimal(100), "kelly")
    assert _sizer(100, _kelly_safety(), round_trips=lambda: trips).size(_request()).binding == (
        "sizer"
    )


def test_kelly_is_capped_at_kelly_cap_of_equity() -> None:
    trips = [0.05] * 10  # no loss: b infinite, f* = p = 1; half Kelly 0.5, capped at 0.25
    estimate = kelly_fraction_of_equity(trips, multiplier=0.5, cap=0.25, min_trades=10)
    assert (estimate.full, estimate.fraction) == (1.0, 0.25)
    sized = _sizer(1000, _kelly_safety(), round_trips=lambda: trips).size(_request())
    assert (sized.quantity, sized.binding) == (Decimal(250), "kelly")


def test_kelly_is_not_applied_below_the_minimum_round_trips_and_says_so() -> None:
    trips = [0.1] * 5 + [-0.1] * 4  # 9 trips, an edge, but too few
    sized = _sizer(1000, _kelly_safety(), round_trips=lambda: trips).size(_request())
    assert sized.binding == "max_position_size"
    assert sized.quantity == Decimal(300)
    assert "Kelly not applied: 9 of 10 round trips" in sized.explanation


def test_no_edge_sizes_to_zero() -> None:
    trips = [0.1] * 4 + [-0.1] * 6  # p = 0.4, b = 1: f* = -0.2
    sized = _sizer(100, _kelly_safety(), round_trips=lambda: trips).size(_request())
    assert (sized.quantity, sized.binding) == (Decimal(0), "kelly")
    assert "Kelly says no edge" in sized.explanation
    all_lost = [-0.1] * 10
    assert _sizer(100, _kelly_safety(), round_trips=lambda: all_lost)(_request()) == Decimal(0)


def test_kelly_without_a_round_trip_source_is_refused() -> None:
    with pytest.raises(ValidationError, match="no source of round-trip returns"):
        EntryLimits(_kelly_safety())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kelly_fraction", 0.0, "greater than 0"),
        ("kelly_fraction", 1.5, "less than or equal to 1"),
        ("kelly_cap", 0.0, "greater than 0"),
        ("kelly_min_trades", 1, "greater than or equal to 2"),
        ("take_profit_multiple", -1.0, "greater than 0"),
    ],
)
def test_bad_sizing_settings_are_refused(field: str, value: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RiskSizingSettings(**{field: value})  # type: ignore[arg-type]
