"""The chain: the trading-state gate first, every verdict returned, the first rejection decides,
entry limits skip reducing orders, a failing rule refuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar, get_args

import numpy as np
import pytest

from trademind.config.sections_trading import PreTradeRuleName, SafetySettings
from trademind.core.trading_state import TradingState
from trademind.safety.catalogue import all_rules, build_chain, enabled_rules
from trademind.safety.chain import NOT_APPLIED, SafetyChain
from trademind.safety.context import PreTradeContext
from trademind.safety.returns_history import AlignedReturns
from trademind.safety.rules.history import HistorySpec
from trademind.safety.rules.order_size import MaxOrderQuantity, MaxOrderValue
from trademind.safety.verdicts import RuleVerdict
from trademind.testing.safety import WeekdaySessions, pre_trade_context

NOW = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)
ACTIVE, REDUCING, HALTED = TradingState.ACTIVE, TradingState.REDUCING, TradingState.HALTED


@dataclass(frozen=True)
class Exploding:
    name: ClassVar[str] = "exploding"
    applies_to_reducing: ClassVar[bool] = True

    @property
    def settings(self) -> Mapping[str, object]:
        return {}

    def check(self, context: PreTradeContext) -> RuleVerdict:
        raise ZeroDivisionError("division by zero")


def _chain() -> SafetyChain:
    return SafetyChain([MaxOrderQuantity(Decimal(100)), MaxOrderValue(Decimal(10_000))])


def test_every_verdict_is_returned_and_the_first_rejection_decides() -> None:
    result = _chain().check(pre_trade_context(quantity=200, price=100, now=NOW), ACTIVE)
    assert [(v.rule, v.passed) for v in result.verdicts] == [
        ("trading_state", True),
        ("max_order_quantity", False),
        ("max_order_value", False),
    ]
    assert not result.approved
    assert result.rejection is not None
    assert result.rejection.rule == "max_order_quantity"


def test_an_order_within_every_limit_is_approved() -> None:
    result = _chain().check(pre_trade_context(quantity=100, price=100, now=NOW), ACTIVE)
    assert result.approved
    assert result.rejection is None


def test_halted_refuses_every_order_even_a_closing_one() -> None:
    closing = pre_trade_context(side="sell", positions={"AAPL": (10, 100)}, now=NOW)
    result = _chain().check(closing, HALTED)
    assert result.rejection is not None
    assert result.rejection.message == (
        "trading_state: trading is halted; only cancels are accepted"
    )


@pytest.mark.parametrize(
    ("side", "quantity", "held", "reduces"),
    [
        ("sell", 10, 10, True),  # close a long
        ("sell", 4, 10, True),  # shrink a long
        ("buy", 4, -10, True),  # shrink a short
        ("sell", 11, 10, False),  # flip to short
        ("buy", 1, 10, False),  # grow a long
        ("sell", 1, 0, False),  # open a short
    ],
)
def test_reducing_lets_only_reducing_orders_through(
    side: str, quantity: int, held: int, reduces: bool
) -> None:
    positions = {"AAPL": (held, 100)} if held else {}
    context = pre_trade_context(side=side, quantity=quantity, positions=positions, now=NOW)
    assert context.reduces_exposure is reduces
    result = _chain().check(context, REDUCING)
    assert result.approved is reduces
    if not reduces:
        assert result.rejection is not None
        assert result.rejection.message == (
            f"trading_state: trading is reducing-only and this {side} of AAPL would not "
            "reduce the position"
        )


def test_entry_limits_do_not_block_closing_a_position() -> None:
    # A $15,000 position of 150 shares: both limits would refuse it as an entry.
    closing = pre_trade_context(
        side="sell", quantity=150, price=100, positions={"AAPL": (150, 100)}, now=NOW
    )
    result = _chain().check(closing, ACTIVE)
    assert result.approved
    assert {v.reason for v in result.verdicts[1:]} == {NOT_APPLIED}


def test_a_failing_rule_refuses_the_order() -> None:
    result = SafetyChain([Exploding()]).check(pre_trade_context(now=NOW), ACTIVE)
    assert result.rejection is not None
    assert result.rejection.message == (
        "exploding: the check failed (ZeroDivisionError: division by zero)"
    )


def test_a_rule_may_appear_once() -> None:
    with pytest.raises(ValueError, match="repeated: \\['max_order_value'\\]"):
        SafetyChain([MaxOrderValue(Decimal(1)), MaxOrderValue(Decimal(2))])


def test_the_catalogue_builds_every_rule_from_the_settings() -> None:
    settings = SafetySettings()
    names = [rule.name for rule in all_rules(settings, WeekdaySessions())]
    assert names == [
        "max_order_quantity",
        "max_order_value",
        "buying_power",
        "max_position_size",
        "max_positions",
        "sector_concentration",
        "portfolio_heat",
        "duplicate_order",
        "order_rate",
        "market_hours",
        "pattern_day_trader",
        "volatility",
        "correlation_limit",
        "beta_adjusted_size",
        "portfolio_var",
        "portfolio_cvar",
    ]
    assert set(names) == set(get_args(PreTradeRuleName))
    value = next(r for r in all_rules(settings, WeekdaySessions()) if r.name == "max_order_value")
    assert value.settings == {"max_order_value": Decimal("10000.0")}


def test_disabled_rules_are_left_out() -> None:
    settings = SafetySettings.model_validate(
        {
            "disabled_rules": ["order_rate", "buying_power"],
            "market_hours_only": False,
            "pdt": {"enabled": False},
            "var": {"enabled": False},
        }
    )
    names = {rule.name for rule in enabled_rules(settings, WeekdaySessions())}
    off = {"order_rate", "buying_power", "market_hours", "pattern_day_trader"}
    no_benchmark = {"beta_adjusted_size"}  # benchmark_symbol unset: nothing to measure beta by
    assert not names & (off | no_benchmark | {"portfolio_var", "portfolio_cvar"})
    assert len(names) == 9
    assert len(build_chain(settings, WeekdaySessions()).rules) == 9
    with_benchmark = settings.model_copy(update={"benchmark_symbol": "SPY"})
    assert "beta_adjusted_size" in {
        r.name for r in enabled_rules(with_benchmark, WeekdaySessions())
    }


def test_the_shared_history_rules_use_the_var_window_and_the_benchmark() -> None:
    settings = SafetySettings.model_validate(
        {"benchmark_symbol": "QQQ", "var": {"lookback_days": 250, "min_days": 100}}
    )
    rules = {rule.name: rule for rule in all_rules(settings, WeekdaySessions())}
    histories = {
        getattr(rules[name], "history")  # noqa: B009 (not on the rule port)
        for name in ("volatility", "correlation_limit", "beta_adjusted_size", "portfolio_var")
    }
    assert histories == {HistorySpec(250, 100, "QQQ")}
    assert rules["portfolio_cvar"].settings == {
        "method": "historical",
        "confidence": 0.95,
        "lookback_days": 250,
        "min_days": 100,
        "max_cvar": 0.075,
    }


def test_the_default_chain_on_a_plain_buy_during_the_session_approves_it() -> None:
    chain = build_chain(SafetySettings(benchmark_symbol="SPY"), WeekdaySessions())
    rng = np.random.default_rng(3)
    spy = rng.normal(0, 0.01, 252)
    returns = AlignedReturns({"SPY": spy, "AAPL": spy + rng.normal(0, 0.01, 252)})
    context = pre_trade_context(quantity=10, price=100, now=NOW, returns=returns)
    result = chain.check(context, ACTIVE)
    assert result.approved, result.rejection
    assert len(result.verdicts) == 17


def test_the_default_chain_refuses_an_entry_without_returns_history() -> None:
    chain = build_chain(SafetySettings(), WeekdaySessions())
    result = chain.check(pre_trade_context(quantity=10, price=100, now=NOW), ACTIVE)
    assert result.rejection is not None
    assert result.rejection.message == (
        "volatility: volatility of AAPL cannot be checked: no returns history is available"
    )
