"""The risk rules (VaR, CVaR, correlation, volatility, beta, heat) at their boundaries, with
the figures in the reasons, and their refusal when history is missing."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from trademind.safety.context import PreTradeContext
from trademind.safety.exposure import beta, window_volatility
from trademind.safety.returns_history import AlignedReturns
from trademind.safety.risk_math import Method
from trademind.safety.rules.co_movement import BetaAdjustedSize, CorrelationLimit, VolatilityCheck
from trademind.safety.rules.heat import PortfolioHeat
from trademind.safety.rules.history import HistorySpec
from trademind.safety.rules.portfolio_risk import PortfolioCvar, PortfolioVar, post_trade_figure
from trademind.testing.safety import pre_trade_context

NOW = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)
DAYS = 120
HISTORY = HistorySpec(lookback_days=DAYS, min_days=60, benchmark="SPY")
HELD = {"MSFT": (100, 100), "XOM": (-50, 100)}


def _returns() -> AlignedReturns:
    rng = np.random.default_rng(7)
    spy = rng.normal(0.0003, 0.01, DAYS)
    aapl = 1.5 * spy + rng.normal(0, 0.008, DAYS)
    msft = 0.9 * aapl + rng.normal(0, 0.004, DAYS)
    xom = rng.normal(0, 0.012, DAYS)
    young = np.full(DAYS, np.nan)
    young[-30:] = rng.normal(0, 0.02, 30)
    return AlignedReturns({"SPY": spy, "AAPL": aapl, "MSFT": msft, "XOM": xom, "NEW": young})


RETURNS = _returns()


def _context(
    quantity: int = 40, *, symbol: str = "AAPL", side: str = "buy", **kw: Any
) -> PreTradeContext:
    options: dict[str, Any] = {"positions": HELD, "returns": RETURNS} | kw
    return pre_trade_context(symbol=symbol, side=side, quantity=quantity, now=NOW, **options)


def _below(limit: float) -> float:
    return math.nextafter(limit, 0.0)


@pytest.mark.parametrize("method", ["historical", "parametric"])
@pytest.mark.parametrize("level", [0.95, 0.99])
def test_var_at_the_limit_passes_and_just_over_is_refused(method: Method, level: float) -> None:
    context = _context()
    figure = post_trade_figure(context, HISTORY, method, level)
    limit = figure.var / 100_000
    assert PortfolioVar(limit, method, level, HISTORY).check(context).passed
    verdict = PortfolioVar(_below(limit), method, level, HISTORY).check(context)
    assert not verdict.passed
    pattern = (
        rf"portfolio_var: one-day {method} VaR {level:.0%} after the order would be "
        r"\$[\d,]+\.\d\d, \d+\.\d\d% of equity \$100,000\.00 \(120 days\), above the limit"
    )
    assert re.fullmatch(pattern + r" \d+\.\d\d%", verdict.message), verdict.message


def test_cvar_at_the_limit_passes_and_just_over_is_refused() -> None:
    context = _context()
    figure = post_trade_figure(context, HISTORY, "historical", 0.95)
    assert figure.cvar > figure.var
    limit = figure.cvar / 100_000
    assert PortfolioCvar(limit, "historical", 0.95, HISTORY).check(context).passed
    verdict = PortfolioCvar(_below(limit), "historical", 0.95, HISTORY).check(context)
    assert verdict.message.startswith("portfolio_cvar: one-day historical CVaR 95% after the order")
    # the limit binds the CVaR, not the VaR: a limit between the two refuses
    between = (figure.var + figure.cvar) / 2 / 100_000
    assert not PortfolioCvar(between, "historical", 0.95, HISTORY).check(context).passed
    assert PortfolioVar(between, "historical", 0.95, HISTORY).check(context).passed


def test_var_grows_with_the_order() -> None:
    rule = PortfolioVar(0.005, "parametric", 0.99, HISTORY)
    small, large = _context(10, positions={}), _context(400, positions={})
    assert rule.check(small).passed
    assert not rule.check(large).passed


def test_history_rules_refuse_without_a_returns_history() -> None:
    context = _context(returns=None)
    rules = [
        PortfolioVar(1.0, "historical", 0.95, HISTORY),
        PortfolioCvar(1.0, "historical", 0.95, HISTORY),
        CorrelationLimit(1.0, HISTORY),
        VolatilityCheck(10.0, HISTORY),
        BetaAdjustedSize(Decimal(1), HISTORY),
    ]
    for rule in rules:
        verdict = rule.check(context)
        assert not verdict.passed
        assert verdict.reason.endswith("cannot be checked: no returns history is available")


def test_history_rules_refuse_a_symbol_with_too_few_days() -> None:
    context = _context(symbol="NEW")
    rules = [
        PortfolioVar(1.0, "historical", 0.95, HISTORY),
        CorrelationLimit(1.0, HISTORY),
        VolatilityCheck(10.0, HISTORY),
        BetaAdjustedSize(Decimal(1), HISTORY),
    ]
    for rule in rules:
        verdict = rule.check(context)
        assert not verdict.passed
        assert "NEW has returns on 30 of 120 days, need 60" in verdict.reason, verdict.message


def test_a_held_symbol_without_history_refuses_var_for_every_entry() -> None:
    context = _context(positions=HELD | {"NEW": (10, 100)})
    verdict = PortfolioVar(1.0, "historical", 0.95, HISTORY).check(context)
    assert verdict.message == (
        "portfolio_var: portfolio VaR cannot be checked: no usable return history: NEW has "
        "returns on 30 of 120 days, need 60"
    )


def test_volatility_at_the_threshold_passes_and_just_over_is_refused() -> None:
    context = _context()
    window = RETURNS.window(HISTORY.symbols(context), DAYS, 60)
    volatility = window_volatility(window, "AAPL")
    assert VolatilityCheck(volatility, HISTORY).check(context).passed
    verdict = VolatilityCheck(_below(volatility), HISTORY).check(context)
    assert re.fullmatch(
        r"volatility: AAPL has annualised volatility \d+\.\d\d% over 120 days, above the limit "
        r"\d+\.\d\d%",
        verdict.message,
    )


def test_correlation_limit_refuses_moving_with_a_held_position_but_not_a_hedge() -> None:
    context = _context()
    window = RETURNS.window(HISTORY.symbols(context), DAYS, 60)
    rho = float(window.correlation[window.index["AAPL"], window.index["MSFT"]])
    assert rho > 0.8
    assert CorrelationLimit(rho, HISTORY).check(context).passed
    verdict = CorrelationLimit(_below(rho), HISTORY).check(context)
    assert verdict.message == (
        f"correlation_limit: a long AAPL would move with the MSFT position: correlation "
        f"{rho:+.2f} over 120 days, above the limit {_below(rho):.2f}"
    )
    hedge = _context(side="sell", positions={"MSFT": (100, 100)})  # short AAPL, long MSFT
    assert CorrelationLimit(0.1, HISTORY).check(hedge).passed
    both_short = _context(side="sell", positions={"MSFT": (-100, 100)})
    assert not CorrelationLimit(0.8, HISTORY).check(both_short).passed


def test_correlation_limit_passes_with_nothing_else_held() -> None:
    verdict = CorrelationLimit(0.1, HISTORY).check(_context(positions={}))
    assert verdict.passed
    assert verdict.reason == "no other position is held"


def test_beta_adjusted_size_at_the_limit_passes_and_just_over_is_refused() -> None:
    context = _context(50)
    window = RETURNS.window(HISTORY.symbols(context), DAYS, 60)
    beta_value = beta(window, "AAPL", "SPY")
    assert beta_value > 1.2
    share = Decimal(5_000) * Decimal(str(abs(beta_value))) / Decimal(100_000)
    assert BetaAdjustedSize(share, HISTORY).check(context).passed
    verdict = BetaAdjustedSize(share - Decimal("1e-9"), HISTORY).check(context)
    assert verdict.message.startswith(
        f"beta_adjusted_size: AAPL would be $5,000.00 with beta {beta_value:.2f} against SPY: "
        "beta-adjusted $"
    )


def test_beta_adjusted_size_refuses_without_benchmark_history() -> None:
    history = HistorySpec(DAYS, 60, "QQQ")
    verdict = BetaAdjustedSize(Decimal("0.1"), history).check(_context())
    assert verdict.message == (
        "beta_adjusted_size: beta of AAPL against QQQ cannot be checked: no usable return "
        "history: QQQ has returns on 0 of 120 days, need 60"
    )


def test_heat_at_the_limit_passes_and_just_over_is_refused() -> None:
    rule = PortfolioHeat(Decimal("0.06"), Decimal("0.05"))
    held = {"MSFT": (500, 100)}  # $50,000
    assert rule.check(_context(700, positions=held)).passed  # $120,000 x 5% = 6.00%
    assert not rule.check(_context(701, positions=held)).passed
    assert rule.check(_context(710, positions=held)).message == (
        "portfolio_heat: heat after the order would be 6.05% of equity $100,000.00 ($6,050.00 "
        "at risk to stops 5.00% away), above the limit 6.00%"
    )


def test_heat_counts_shorts_and_refuses_without_equity() -> None:
    rule = PortfolioHeat(Decimal("0.06"), Decimal("0.05"))
    held = {"MSFT": (-500, 100)}
    assert not rule.check(_context(701, side="sell", symbol="XOM", positions=held)).passed
    verdict = rule.check(_context(1, equity=0))
    assert verdict.message == "portfolio_heat: equity is $0.00; no new exposure is allowed"


def test_the_history_rules_share_one_preparation_per_order() -> None:
    first, second = _context(), _context()
    prepared = HISTORY.inputs(first)
    assert HISTORY.inputs(first) is prepared
    assert HISTORY.inputs(second) is not prepared
    assert prepared.figure("historical", 0.95) is prepared.figure("historical", 0.95)
