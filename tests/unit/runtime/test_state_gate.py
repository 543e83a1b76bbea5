"""TradingStateGate: ACTIVE lets every order through, REDUCING only sells of what is held,
HALTED only the emergency liquidation; the state is read again after one second."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from trademind.core.accounts import Account, Position
from trademind.core.clock import TestClock
from trademind.core.orders import Order, OrderSide, OrderType
from trademind.core.trading_state import TradingState
from trademind.execution.gate import LIQUIDATION_DECISION, PROTECTIVE_STOP_DECISION, GateView
from trademind.runtime.state_gate import REFRESH_SECONDS, TradingStateGate
from trademind.safety.state import StateEvent
from trademind.safety.state_store import CurrentState

NOW = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)


class FakeStates:
    """A state source another process changes: ``set`` replaces the stored state."""

    def __init__(self) -> None:
        self.stored = CurrentState(account_id=7, state=TradingState.ACTIVE)
        self.reads = 0

    def set(self, state: TradingState, event: StateEvent, actor: str, reason: str) -> None:
        self.stored = CurrentState(
            account_id=7, state=state, changed_at=NOW, actor=actor, reason=reason,
            event_id=1, event=event,
        )  # fmt: skip

    def current(self, account_id: int) -> CurrentState:
        assert account_id == 7
        self.reads += 1
        return self.stored


def _holding(quantity: int) -> GateView:
    """The account holding ``quantity`` shares of AAPL (none when 0)."""
    account = Account(
        account_id="acc",
        cash=Decimal(1000),
        portfolio_value=Decimal(1000),
        buying_power=Decimal(1000),
    )
    if quantity == 0:
        return GateView(account=account, positions={})
    position = Position(
        symbol="AAPL",
        quantity=Decimal(quantity),
        avg_cost=Decimal(10),
        market_price=Decimal(10),
    )
    return GateView(account=account, positions={"AAPL": position})


def _order(side: OrderSide, quantity: int, decision: str | None = None) -> Order:
    return Order(
        client_order_id="AAPL-1",
        symbol="AAPL",
        side=side,
        quantity=Decimal(quantity),
        order_type=OrderType.MARKET,
        decision_id=decision,
    )


def _gate(state: TradingState, event: StateEvent = StateEvent.MANUAL_SET) -> TradingStateGate:
    states = FakeStates()
    states.set(state, event, "cli:bob", "fat finger")
    return TradingStateGate(states, 7, TestClock(NOW).monotonic)


def test_active_lets_every_order_through() -> None:
    gate = _gate(TradingState.ACTIVE)
    assert gate.refusal(_order(OrderSide.BUY, 100), _holding(0)) is None
    assert gate.refusal(_order(OrderSide.SELL, 100), _holding(100)) is None


def test_reducing_lets_only_sells_of_what_is_held_through() -> None:
    gate = _gate(TradingState.REDUCING, StateEvent.CIRCUIT_BREAKER_TRIPPED)
    assert gate.refusal(_order(OrderSide.SELL, 100), _holding(100)) is None
    assert gate.refusal(_order(OrderSide.SELL, 40), _holding(100)) is None
    assert gate.refusal(_order(OrderSide.BUY, 1), _holding(100)) == (
        "trading state REDUCING: circuit breaker tripped by cli:bob: fat finger; only orders "
        "that reduce a position are accepted, not this buy of AAPL"
    )
    assert gate.refusal(_order(OrderSide.SELL, 101), _holding(100)) is not None


def test_halted_refuses_every_order_but_the_emergency_liquidation() -> None:
    gate = _gate(TradingState.HALTED, StateEvent.EMERGENCY_STOP)
    reason = gate.refusal(_order(OrderSide.SELL, 100), _holding(100))
    assert reason == (
        "trading state HALTED: emergency stop by cli:bob: fat finger; only cancels are "
        "accepted, not this sell of AAPL"
    )
    assert gate.refusal(_order(OrderSide.BUY, 1), _holding(0)) is not None
    liquidation = _order(OrderSide.SELL, 100, LIQUIDATION_DECISION)
    assert gate.refusal(liquidation, _holding(100)) is None
    assert gate.refusal(liquidation, _holding(99)) is not None  # never more than held
    assert gate.refusal(_order(OrderSide.BUY, 1, LIQUIDATION_DECISION), _holding(0)) is not None


def test_halted_lets_the_monitored_stop_sell_what_is_held_and_no_more() -> None:
    gate = _gate(TradingState.HALTED, StateEvent.EMERGENCY_STOP)
    stop = _order(OrderSide.SELL, 100, PROTECTIVE_STOP_DECISION)
    assert gate.refusal(stop, _holding(100)) is None
    assert gate.refusal(stop, _holding(99)) is not None
    assert gate.refusal(_order(OrderSide.BUY, 1, PROTECTIVE_STOP_DECISION), _holding(0)) is not None


def test_a_change_by_another_process_is_seen_after_the_refresh_not_before() -> None:
    states, clock = FakeStates(), TestClock(NOW)
    gate = TradingStateGate(states, 7, clock.monotonic)
    assert gate.current().state is TradingState.ACTIVE
    states.set(TradingState.HALTED, StateEvent.EMERGENCY_STOP, "cli:bob", "stop")
    clock.advance(REFRESH_SECONDS - 0.001)
    assert gate.current().state is TradingState.ACTIVE  # cached
    assert gate.refusal(_order(OrderSide.BUY, 1), _holding(0)) is None
    clock.advance(0.001)
    assert gate.current().state is TradingState.HALTED
    assert gate.refusal(_order(OrderSide.BUY, 1), _holding(0)) is not None
    assert states.reads == 2


@pytest.mark.parametrize("calls", [1, 50])
def test_the_database_is_read_at_most_once_per_refresh(calls: int) -> None:
    states, clock = FakeStates(), TestClock(NOW)
    gate = TradingStateGate(states, 7, clock.monotonic)
    for _ in range(calls):
        gate.current()
        clock.advance(REFRESH_SECONDS / 50 - 1e-9)
    assert states.reads == 1
    assert REFRESH_SECONDS <= 0.5  # a change is honoured within one second
