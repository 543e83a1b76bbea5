"""The safety layer's gate: the trading state first, then the rules, on what the broker says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trademind.config.sections_trading import SafetySettings
from trademind.core.accounts import Account, Position
from trademind.core.clock import TestClock
from trademind.core.events import BarClosed
from trademind.core.market import Bar
from trademind.core.orders import Order, OrderSide, OrderType
from trademind.core.trading_state import TradingState
from trademind.execution.gate import LIQUIDATION_DECISION, GateView
from trademind.runtime.pre_trade_gate import OrderHistory, PreTradeGate
from trademind.runtime.state_gate import TradingStateGate
from trademind.safety.catalogue import build_chain
from trademind.safety.state import StateEvent
from trademind.safety.state_store import CurrentState
from trademind.testing.safety import WeekdaySessions

NOW = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)  # a Monday, 10:00 New York


class States:
    def __init__(self) -> None:
        self.stored = CurrentState(account_id=1, state=TradingState.ACTIVE)

    def current(self, account_id: int) -> CurrentState:
        return self.stored


def _gate(states: States | None = None, **limits: object) -> PreTradeGate:
    settings = SafetySettings.model_validate(
        {"var": {"enabled": False}, "disabled_rules": ["volatility", "correlation_limit",
         "beta_adjusted_size"], **limits}
    )  # fmt: skip
    clock = TestClock(NOW)
    state = TradingStateGate(states or States(), 1, clock.monotonic)
    gate = PreTradeGate(
        state,
        build_chain(settings, WeekdaySessions()),
        clock.now,
        account="acc",
        sector_of=lambda symbol: "Technology",
        returns=None,
    )
    bar = Bar(symbol="AAPL", timeframe="1d", ts=NOW - timedelta(days=1),
              open=100, high=101, low=99, close=100.0, volume=1e6)  # fmt: skip
    gate.on_bar_closed(BarClosed(occurred_at=NOW, bar=bar))
    return gate


def _view(held: int = 0, equity: int = 100_000) -> GateView:
    account = Account(account_id="acc", cash=Decimal(equity), portfolio_value=Decimal(equity),
                      buying_power=Decimal(equity))  # fmt: skip
    positions = {}
    if held:
        positions["AAPL"] = Position(symbol="AAPL", quantity=Decimal(held),
                                     avg_cost=Decimal(100), market_price=Decimal(100))  # fmt: skip
    return GateView(account=account, positions=positions)


def _order(quantity: int, side: OrderSide = OrderSide.BUY, *, symbol: str = "AAPL",
           oid: str = "o-1", decision: str | None = None) -> Order:  # fmt: skip
    return Order(client_order_id=oid, symbol=symbol, side=side, quantity=Decimal(quantity),
                 order_type=OrderType.MARKET, decision_id=decision)  # fmt: skip


def test_an_order_within_every_limit_passes_and_counts_as_sent() -> None:
    gate = _gate()
    assert gate.refusal(_order(50), _view()) is None  # $5,000
    assert gate.last is not None
    assert gate.last.approved
    assert [sent.client_order_id for sent in gate.history.orders()] == ["o-1"]


def test_the_first_rejected_rule_names_itself_in_the_reason() -> None:
    gate = _gate()
    reason = gate.refusal(_order(101), _view())  # $10,100 > $10,000
    assert reason == (
        "pre-trade rule max_order_value: order value $10,100.00 exceeds the limit $10,000.00"
    )
    assert gate.history.orders() == ()  # a refused order was never sent


def test_a_repeat_of_a_sent_order_is_refused_as_a_duplicate() -> None:
    gate = _gate()
    assert gate.refusal(_order(10, oid="o-1"), _view()) is None
    reason = gate.refusal(_order(10, oid="o-2"), _view())
    assert reason is not None
    assert reason.startswith("pre-trade rule duplicate_order:")


def test_the_trading_state_answers_before_the_rules() -> None:
    states = States()
    states.stored = CurrentState(
        account_id=1,
        state=TradingState.HALTED,
        actor="cli:bob",
        reason="stop",
        event=StateEvent.EMERGENCY_STOP,
        event_id=3,
    )
    reason = _gate(states).refusal(_order(1), _view())
    assert reason is not None
    assert reason.startswith("trading state HALTED: emergency stop")


def test_the_liquidation_passes_a_halted_account_without_the_rules() -> None:
    states = States()
    states.stored = CurrentState(account_id=1, state=TradingState.HALTED,
                                 event=StateEvent.EMERGENCY_STOP, event_id=3)  # fmt: skip
    gate = _gate(states, max_order_quantity=10)
    sell_all = _order(500, OrderSide.SELL, decision=LIQUIDATION_DECISION)
    assert gate.refusal(sell_all, _view(held=500)) is None  # above max_order_quantity, passes


def test_the_liquidation_decision_id_lets_no_buy_or_oversized_sell_skip_the_rules() -> None:
    gate = _gate(max_order_quantity=10)
    buy = _order(11, decision=LIQUIDATION_DECISION)
    reason = gate.refusal(buy, _view())
    assert reason == (
        "pre-trade rule max_order_quantity: order of 11 shares exceeds the limit of 10 shares"
    )
    flip = _order(600, OrderSide.SELL, oid="o-2", decision=LIQUIDATION_DECISION)
    reason = gate.refusal(flip, _view(held=500))  # sells 100 more than held: opens a short
    assert reason is not None
    assert reason.startswith("pre-trade rule max_order_quantity:")


def test_no_price_seen_refuses_rather_than_guessing() -> None:
    reason = _gate().refusal(_order(1, symbol="MSFT"), _view())
    assert reason == "pre-trade rule reference_price: no price seen for MSFT yet"


def test_the_history_forgets_what_is_older_than_it_keeps_and_skips_rejected() -> None:
    history = OrderHistory(keep=timedelta(days=1))
    history.sent(_order(1, oid="old"), NOW - timedelta(days=3))
    history.sent(_order(1, oid="new"), NOW)
    assert [o.client_order_id for o in history.orders()] == ["new"]
