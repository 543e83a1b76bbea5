"""The in-memory ledger: cash, average cost, realised P&L, round trips, marks, idempotence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trademind.core.orders import Fill, OrderSide
from trademind.portfolio.book import TripSide
from trademind.portfolio.ledger import Ledger

T0 = datetime(2024, 1, 2, 15, tzinfo=UTC)


def fill(
    side: str,
    quantity: str,
    price: str,
    *,
    symbol: str = "AAPL",
    commission: str = "0",
    minutes: int = 0,
    execution_id: str | None = None,
) -> Fill:
    return Fill(
        order_id=f"o-{minutes}",
        symbol=symbol,
        side=OrderSide(side),
        quantity=Decimal(quantity),
        price=Decimal(price),
        ts=T0 + timedelta(minutes=minutes),
        commission=Decimal(commission),
        execution_id=execution_id,
    )


def test_a_buy_pays_quantity_times_price_plus_commission() -> None:
    ledger = Ledger("demo", Decimal(10_000))
    ledger.apply(fill("buy", "10", "100", commission="1"))
    assert ledger.cash == Decimal("8999")
    position = ledger.position("AAPL")
    assert position is not None
    assert position.quantity == 10
    assert position.avg_cost == Decimal("100.1")  # the commission is part of the cost


def test_a_sell_receives_proceeds_less_commission_and_realises_net_pnl() -> None:
    ledger = Ledger("demo", Decimal(10_000))
    ledger.apply(fill("buy", "10", "100", commission="1"))
    ledger.apply(fill("sell", "10", "110", commission="1", minutes=1))
    assert ledger.cash == Decimal("10098")
    assert ledger.realized_pnl == Decimal("98")  # 1100 - 1000 - 2 commissions
    assert ledger.position("AAPL") is None
    (trip,) = ledger.round_trips
    assert (trip.side, trip.quantity, trip.entry_price, trip.exit_price) == (
        TripSide.LONG,
        Decimal(10),
        Decimal(100),
        Decimal(110),
    )
    assert (trip.commission, trip.pnl) == (Decimal(2), Decimal(98))
    assert (trip.entry_time, trip.exit_time) == (T0, T0 + timedelta(minutes=1))


def test_several_entries_average_and_partial_exits_keep_the_average() -> None:
    ledger = Ledger("demo", Decimal(100_000))
    ledger.apply(fill("buy", "10", "100"))
    ledger.apply(fill("buy", "30", "120", minutes=1))
    position = ledger.position("AAPL")
    assert position is not None
    assert position.avg_cost == Decimal(115)
    ledger.apply(fill("sell", "15", "130", minutes=2))  # partial exit
    position = ledger.position("AAPL")
    assert position is not None
    assert position.quantity == 25
    assert position.avg_cost == Decimal(115)
    assert ledger.realized_pnl == Decimal(15 * 15)
    assert position.realized_pnl == Decimal(225)
    assert [trip.symbol for trip in ledger.round_trips] == []
    ledger.apply(fill("sell", "25", "110", minutes=3))
    (trip,) = ledger.round_trips
    assert trip.quantity == 40
    assert trip.entry_price == Decimal(115)
    assert trip.exit_price == (15 * Decimal(130) + 25 * Decimal(110)) / 40
    assert trip.pnl == Decimal(225) - Decimal(125)


def test_partial_fills_of_one_order_add_up_to_one_fill() -> None:
    whole = Ledger("a", Decimal(50_000))
    whole.apply(fill("buy", "100", "50", commission="1"))
    parts = Ledger("b", Decimal(50_000))
    parts.apply(fill("buy", "40", "50", commission="0.4", execution_id="x1"))
    parts.apply(fill("buy", "60", "50", commission="0.6", execution_id="x2"))
    assert parts.cash == whole.cash
    assert parts.positions()[0].cost == whole.positions()[0].cost


def test_a_fill_is_applied_once_per_execution_id() -> None:
    ledger = Ledger("demo", Decimal(10_000))
    assert ledger.apply(fill("buy", "1", "100", execution_id="e1"))
    assert not ledger.apply(fill("buy", "1", "100", execution_id="e1"))
    assert ledger.cash == Decimal(9_900)
    assert len(ledger.fills) == 1


def test_a_sale_beyond_the_position_closes_it_and_opens_a_short() -> None:
    ledger = Ledger("demo", Decimal(10_000))
    ledger.apply(fill("buy", "10", "100"))
    ledger.apply(fill("sell", "15", "110", commission="3", minutes=1))
    (trip,) = ledger.round_trips
    assert trip.pnl == Decimal(100) - Decimal(2)  # two thirds of the commission close the long
    assert ledger.realized_pnl == Decimal(97)  # and the third opening the short is paid now
    short = ledger.position("AAPL")
    assert short is not None
    assert short.quantity == -5
    assert short.avg_cost == Decimal(110)  # the short's entry price
    ledger.apply(fill("buy", "5", "100", minutes=2))
    assert ledger.round_trips[-1].side is TripSide.SHORT
    assert ledger.round_trips[-1].pnl == Decimal(49)  # 550 - 500 - the commission of 1
    assert ledger.realized_pnl == Decimal(98 + 49)


def test_mark_values_positions_at_given_or_last_known_prices() -> None:
    ledger = Ledger("demo", Decimal(10_000))
    ledger.apply(fill("buy", "10", "100", commission="1"))
    ledger.apply(fill("buy", "5", "20", symbol="MSFT", minutes=1))
    snapshot = ledger.mark(T0 + timedelta(days=1), {"AAPL": Decimal(105)})
    assert snapshot.positions_value == Decimal(1050) + Decimal(100)  # MSFT at its fill price
    assert snapshot.cash == Decimal(10_000 - 1001 - 100)
    assert snapshot.equity == snapshot.cash + snapshot.positions_value
    assert snapshot.unrealized_pnl == Decimal(49)
    assert snapshot.equity == ledger.starting_cash + snapshot.realized_pnl + snapshot.unrealized_pnl
    assert [p.symbol for p in snapshot.positions] == ["AAPL", "MSFT"]


def test_mark_refuses_a_float_price() -> None:
    ledger = Ledger("demo", Decimal(10_000))
    with pytest.raises(TypeError):
        ledger.mark(T0, {"AAPL": 1.5})  # type: ignore[dict-item]


_prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5000), places=2)
_quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(500), places=3)
_commissions = st.decimals(min_value=Decimal(0), max_value=Decimal(20), places=2)
_fills = st.lists(
    st.tuples(
        st.sampled_from(["buy", "sell"]),
        _quantities,
        _prices,
        _commissions,
        st.sampled_from(["AAPL", "MSFT"]),
    ),
    max_size=40,
)


def _apply_all(ledger: Ledger, fills: list[tuple[str, Decimal, Decimal, Decimal, str]]) -> None:
    for minute, (side, quantity, price, commission, symbol) in enumerate(fills):
        ledger.apply(
            Fill(
                order_id=f"o{minute}",
                symbol=symbol,
                side=OrderSide(side),
                quantity=quantity,
                price=price,
                commission=commission,
                ts=T0 + timedelta(minutes=minute),
                execution_id=f"e{minute}",
            )
        )


@settings(max_examples=200, deadline=None)
@given(_fills)
def test_cash_plus_cost_minus_realised_pnl_is_conserved(
    fills: list[tuple[str, Decimal, Decimal, Decimal, str]],
) -> None:
    ledger = Ledger("prop", Decimal(100_000))
    _apply_all(ledger, fills)
    assert ledger.cash + ledger.cost_basis() - ledger.realized_pnl == ledger.starting_cash


@settings(max_examples=200, deadline=None)
@given(_fills, _prices)
def test_equity_is_starting_cash_plus_realised_and_unrealised_pnl(
    fills: list[tuple[str, Decimal, Decimal, Decimal, str]], mark: Decimal
) -> None:
    ledger = Ledger("prop", Decimal(100_000))
    _apply_all(ledger, fills)
    snapshot = ledger.mark(T0 + timedelta(days=1), {"AAPL": mark, "MSFT": mark})
    total = ledger.starting_cash + snapshot.realized_pnl + snapshot.unrealized_pnl
    assert snapshot.equity == total
    closed = sum((trip.pnl for trip in ledger.round_trips), Decimal(0))
    still_open = sum((p.realized_pnl for p in ledger.positions()), Decimal(0))
    assert closed + still_open == ledger.realized_pnl


@settings(max_examples=100, deadline=None)
@given(_fills)
def test_applying_the_same_fills_again_changes_nothing(
    fills: list[tuple[str, Decimal, Decimal, Decimal, str]],
) -> None:
    ledger = Ledger("prop", Decimal(100_000))
    _apply_all(ledger, fills)
    before = (ledger.cash, ledger.realized_pnl, ledger.positions(), ledger.round_trips)
    _apply_all(ledger, fills)
    assert (ledger.cash, ledger.realized_pnl, ledger.positions(), ledger.round_trips) == before
