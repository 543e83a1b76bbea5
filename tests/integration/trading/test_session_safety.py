"""The safety layer in a replay (issue 11): entries sized to the limits and checked by the
pre-trade rules, the daily loss breaker halting the account in the 2020 crash (recorded, acted
on at once, kept after a resume), flattening when asked, and monitored stops."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd

from trademind.config import Settings
from trademind.core.clock import LiveClock
from trademind.data.store import BarStore
from trademind.db.session import Database
from trademind.portfolio.store import LedgerStore
from trademind.safety.state import StateChange, StateEvent
from trademind.safety.state_store import SafetyStateStore
from trademind.services.trade import TradeRequest, TradeSummary, run_trade

EVERYTHING = ("AAPL", "MSFT", "AMZN", "GOOGL", "META", "NVDA", "TSLA")
CRASH = {"start": date(2020, 2, 3), "end": date(2020, 4, 30)}


def _request(account: str, **changes: object) -> TradeRequest:
    given: dict[str, object] = {
        "mode": "replay",
        "symbols": EVERYTHING,
        "strategy": "buy_and_hold",
        "account": account,
        **CRASH,
        **changes,
    }
    return TradeRequest(**given)  # type: ignore[arg-type]


def _with(settings: Settings, **safety: object) -> Settings:
    circuit = safety.pop("circuit_breaker", {})
    section = settings.safety.model_copy(update=safety)
    if circuit:
        breaker = section.circuit_breaker.model_copy(update=circuit)  # type: ignore[arg-type]
        section = section.model_copy(update={"circuit_breaker": breaker})
    return settings.model_copy(update={"safety": section})


def _events(database: Database, account: str) -> list[StateChange]:
    info = LedgerStore(database, LiveClock()).account(account)
    return SafetyStateStore(database, LiveClock()).events(info.id)[::-1]


def _closes(database: Database, symbol: str) -> pd.Series:
    frame = BarStore(database).read_bars(symbol, "1d", adjusted=False)
    return pd.Series(frame["close"].to_numpy(), index=pd.DatetimeIndex(frame["ts"]))


def _entries(summary: TradeSummary) -> list:  # type: ignore[type-arg]
    return [order for order in summary.orders if order.side == "buy"]


def test_entries_are_sized_to_the_order_value_limit_and_fill_no_more(
    database: Database, settings: Settings
) -> None:
    summary = run_trade(database, settings, _request("sized", end=date(2020, 2, 20)))
    entries = [order for order in _entries(summary) if order.status == "filled"]
    assert len(entries) >= 5  # buy and hold enters (almost) every symbol at once
    for order in entries:
        closes = _closes(database, order.symbol)
        decided = closes[closes.index < pd.Timestamp(order.submitted_at)].iloc[-1]
        value = order.quantity * Decimal(repr(float(decided)))
        assert value <= Decimal(10_000)  # safety.max_order_value at the decision's close
        assert (order.quantity + 1) * Decimal(repr(float(decided))) > Decimal(10_000) or (
            order.quantity * Decimal(repr(float(decided))) > Decimal(9_000)
        )  # cut to the limit, not far below it
        assert order.filled_quantity == order.quantity  # the venue filled what was checked


def test_the_daily_loss_limit_halts_the_crash_and_every_later_entry_is_refused(
    database: Database, settings: Settings
) -> None:
    summary = run_trade(database, settings, _request("crash"))
    (trip,) = _events(database, "crash")
    assert trip.event is StateEvent.CIRCUIT_BREAKER_TRIPPED
    assert (trip.actor, trip.to_state.value) == ("circuit_breaker", "halted")
    assert trip.details["breaker"] == "daily_loss"
    assert trip.at == datetime(2020, 2, 25, tzinfo=UTC)  # the bar of 2020-02-24 (-3.1%)
    assert trip.details["value"] >= 0.02
    later_buys = [f for f in summary.fills if f.side == "buy" and f.time >= trip.at]
    assert later_buys == []
    refused = [o for o in summary.orders if (o.reason or "").startswith("trading state HALTED")]
    assert all(o.submitted_at >= trip.at for o in refused)


def test_a_resumed_session_stays_halted_and_records_the_trip_once(
    database: Database, settings: Settings
) -> None:
    first = _request("again", end=date(2020, 3, 10))
    run_trade(database, settings, first)
    resumed = TradeRequest(mode="replay", account="again", resume=True)
    run_trade(database, settings, resumed)
    changes = _events(database, "again")
    assert [c.event for c in changes] == [StateEvent.CIRCUIT_BREAKER_TRIPPED]


def test_flatten_on_daily_loss_sells_every_position_at_the_next_open(
    database: Database, settings: Settings
) -> None:
    flat = _with(settings, circuit_breaker={"flatten_on_daily_loss": True})
    summary = run_trade(database, flat, _request("flat", end=date(2020, 3, 10)))
    sells = [o for o in summary.orders if o.side == "sell" and "-FLAT" in o.order_id]
    assert sells
    tripped = sells[0].submitted_at
    bought = {o.symbol for o in _entries(summary) if o.status == "filled"}
    sold_before = {f.symbol for f in summary.fills if f.side == "sell" and f.time < tripped}
    assert {o.symbol for o in sells} == bought - sold_before  # what was held at the trip
    assert all(o.status == "filled" for o in sells)
    assert summary.positions == ()


def test_a_position_fallen_to_its_stop_is_sold_by_the_monitored_stop(
    database: Database, settings: Settings
) -> None:
    # no daily-loss halt here: the stop alone protects the positions
    loose = _with(settings, daily_loss_limit=0.5, circuit_breaker={"enabled": False})
    summary = run_trade(database, loose, _request("stops", end=date(2020, 3, 31)))
    stops = [o for o in summary.orders if "-STOP" in o.order_id]
    assert stops
    for order in stops:
        assert order.side == "sell"
        entry = next(o for o in _entries(summary) if o.symbol == order.symbol)
        closes = _closes(database, order.symbol)
        decided = closes[closes.index < pd.Timestamp(order.submitted_at)].iloc[-1]
        cost = entry.average_fill_price
        assert cost is not None
        assert Decimal(repr(float(decided))) <= cost * Decimal("0.95")  # default_stop_loss 5%


def test_with_the_safety_layer_off_nothing_is_cut_or_halted(
    database: Database, settings: Settings
) -> None:
    plain = _with(settings, enabled=False)
    summary = run_trade(database, plain, _request("plain"))
    assert _events(database, "plain") == []
    assert not any("-STOP" in o.order_id for o in summary.orders)
    first = next(o for o in _entries(summary) if o.status == "filled")
    assert first.quantity * (first.average_fill_price or 0) > Decimal(50_000)  # all-in sizing
