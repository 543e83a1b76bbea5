"""Rules on how the order's symbol moves: with the held positions (correlation limit), on its
own (volatility check) and with the market (beta-adjusted size against a benchmark).

All read the shared returns window (:mod:`trademind.safety.rules.history`); none applies to an
order that only reduces exposure; missing or short history refuses the order. Limits are
inclusive: a figure exactly at the limit passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from trademind.portfolio.exposure import beta, strongest_comovement, window_volatility
from trademind.portfolio.risk_math import RiskInputError
from trademind.safety.context import PreTradeContext
from trademind.safety.rules.history import (
    HistorySpec,
    RuleUncheckable,
    no_equity,
    uncheckable,
)
from trademind.safety.verdicts import RuleVerdict, dollars, passed, percent, rejected

HistoryErrors = (RuleUncheckable, RiskInputError)


@dataclass(frozen=True, slots=True)
class CorrelationLimit:
    """An entry whose position would move with a held one (effective correlation, see
    :class:`~trademind.portfolio.exposure.Comovement`) above ``max_correlation`` is refused;
    hedges are not."""

    max_correlation: float
    history: HistorySpec
    name: ClassVar[str] = "correlation_limit"
    applies_to_reducing: ClassVar[bool] = False

    @property
    def settings(self) -> Mapping[str, object]:
        return {"max_correlation": self.max_correlation}

    def check(self, context: PreTradeContext) -> RuleVerdict:
        symbol = context.order.symbol
        direction = 1 if context.quantity_after > 0 else -1
        try:
            inputs = self.history.inputs(context)
            window = inputs.window
            found = strongest_comovement(window, symbol, direction, inputs.held)
        except HistoryErrors as exc:
            return uncheckable(self.name, "correlation with held positions", exc)
        if found is None:
            return passed(self.name, "no other position is held")
        if found.effective > self.max_correlation:
            side = "long" if direction > 0 else "short"
            return rejected(
                self.name,
                f"a {side} {symbol} would move with the {found.symbol} position: correlation "
                f"{found.correlation:+.2f} over {window.days} days, above the limit "
                f"{self.max_correlation:.2f}",
            )
        return passed(self.name)


@dataclass(frozen=True, slots=True)
class VolatilityCheck:
    """An entry in a symbol whose annualised volatility (daily returns over the window, x
    sqrt(252)) is above ``volatility_threshold`` is refused."""

    volatility_threshold: float
    history: HistorySpec
    name: ClassVar[str] = "volatility"
    applies_to_reducing: ClassVar[bool] = False

    @property
    def settings(self) -> Mapping[str, object]:
        return {"volatility_threshold": self.volatility_threshold}

    def check(self, context: PreTradeContext) -> RuleVerdict:
        symbol = context.order.symbol
        try:
            window = self.history.inputs(context).window
            volatility = window_volatility(window, symbol)
        except HistoryErrors as exc:
            return uncheckable(self.name, f"volatility of {symbol}", exc)
        if volatility > self.volatility_threshold:
            return rejected(
                self.name,
                f"{symbol} has annualised volatility {percent(volatility)} over {window.days} "
                f"days, above the limit {percent(self.volatility_threshold)}",
            )
        return passed(self.name)


@dataclass(frozen=True, slots=True)
class BetaAdjustedSize:
    """The order's symbol after the fill, weighted by its beta against ``benchmark`` (|beta| x
    value), may be at most ``max_position_size`` of equity: a high-beta position must be
    smaller than a plain one, a low-beta one is bounded by ``max_position_size`` itself."""

    max_position_size: Decimal
    history: HistorySpec
    name: ClassVar[str] = "beta_adjusted_size"
    applies_to_reducing: ClassVar[bool] = False

    @property
    def settings(self) -> Mapping[str, object]:
        return {
            "max_position_size": self.max_position_size,
            "benchmark_symbol": self.history.benchmark,
        }

    def check(self, context: PreTradeContext) -> RuleVerdict:
        if context.equity <= 0:
            return no_equity(self.name, context)
        symbol, benchmark = context.order.symbol, self.history.benchmark
        if benchmark is None:  # the catalogue leaves the rule out then; built by hand: refuse
            return rejected(self.name, "no benchmark_symbol is set to measure beta against")
        try:
            beta_value = beta(self.history.inputs(context).window, symbol, benchmark)
        except HistoryErrors as exc:
            return uncheckable(self.name, f"beta of {symbol} against {benchmark}", exc)
        value = context.value_after(symbol)
        adjusted = value * Decimal(str(abs(beta_value)))
        share = adjusted / context.equity
        if share > self.max_position_size:
            return rejected(
                self.name,
                f"{symbol} would be {dollars(value)} with beta {beta_value:.2f} against "
                f"{benchmark}: beta-adjusted {dollars(adjusted)}, {percent(share)} of equity "
                f"{dollars(context.equity)}, above the limit {percent(self.max_position_size)}",
            )
        return passed(self.name)
