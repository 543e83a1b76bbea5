"""Portfolio VaR and CVaR limits, judged on the portfolio as it would be once the order fills.

One day, at the configured level (0.95 or 0.99) and method (historical or parametric with zero
mean; docs/safety.md "Risk measures"), over the shared returns window. The figure is compared
with the limit as a fraction of equity; a figure exactly at the limit passes. Neither applies to
an order that only reduces exposure. Missing or short history refuses the order
(:mod:`trademind.safety.rules.history`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

from trademind.safety.context import PreTradeContext
from trademind.safety.risk_math import Method, RiskFigure, RiskInputError
from trademind.safety.rules.history import (
    HistorySpec,
    RuleUncheckable,
    no_equity,
    uncheckable,
)
from trademind.safety.verdicts import RuleVerdict, dollars, passed, percent, rejected

Measure = Literal["VaR", "CVaR"]


def post_trade_figure(
    context: PreTradeContext, history: HistorySpec, method: Method, level: float
) -> RiskFigure:
    """VaR and CVaR of the post-trade portfolio at ``level`` by ``method``."""
    return history.inputs(context).figure(method, level)


def _judge(
    rule: str,
    measure: Measure,
    limit: float,
    context: PreTradeContext,
    figure: RiskFigure,
) -> RuleVerdict:
    amount = figure.var if measure == "VaR" else figure.cvar
    equity = float(context.equity)
    share = amount / equity
    if share > limit:
        return rejected(
            rule,
            f"one-day {figure.method} {measure} {figure.level:.0%} after the order would be "
            f"{dollars_of(amount)}, {percent(share)} of equity {dollars(context.equity)} "
            f"({figure.days} days), above the limit {percent(limit)}",
        )
    return passed(rule)


def dollars_of(amount: float) -> str:
    return f"{'-' if amount < 0 else ''}${abs(amount):,.2f}"


def _check(
    rule: PortfolioVar | PortfolioCvar, measure: Measure, limit: float, context: PreTradeContext
) -> RuleVerdict:
    if context.equity <= 0:
        return no_equity(rule.name, context)
    try:
        figure = post_trade_figure(context, rule.history, rule.method, rule.level)
    except (RuleUncheckable, RiskInputError) as exc:
        return uncheckable(rule.name, f"portfolio {measure}", exc)
    return _judge(rule.name, measure, limit, context, figure)


@dataclass(frozen=True, slots=True)
class PortfolioVar:
    """The one-day VaR after the fill may be at most ``max_var`` of equity."""

    max_var: float
    method: Method
    level: float
    history: HistorySpec
    name: ClassVar[str] = "portfolio_var"
    applies_to_reducing: ClassVar[bool] = False

    @property
    def settings(self) -> Mapping[str, object]:
        return _settings(self.method, self.level, self.history) | {"max_var": self.max_var}

    def check(self, context: PreTradeContext) -> RuleVerdict:
        return _check(self, "VaR", self.max_var, context)


@dataclass(frozen=True, slots=True)
class PortfolioCvar:
    """The one-day CVaR (mean loss beyond VaR) after the fill may be at most ``max_cvar`` of
    equity."""

    max_cvar: float
    method: Method
    level: float
    history: HistorySpec
    name: ClassVar[str] = "portfolio_cvar"
    applies_to_reducing: ClassVar[bool] = False

    @property
    def settings(self) -> Mapping[str, object]:
        return _settings(self.method, self.level, self.history) | {"max_cvar": self.max_cvar}

    def check(self, context: PreTradeContext) -> RuleVerdict:
        return _check(self, "CVaR", self.max_cvar, context)


def _settings(method: Method, level: float, history: HistorySpec) -> dict[str, object]:
    return {
        "method": method,
        "confidence": level,
        "lookback_days": history.lookback_days,
        "min_days": history.min_days,
    }
