"""The pre-trade rules built from the settings, in chain order, without the disabled ones.

Rule names are the ``PreTradeRuleName`` choices of ``safety.disabled_rules``
(:mod:`trademind.config.sections_trading`). ``market_hours`` is also off when
``safety.market_hours_only`` is false, ``pattern_day_trader`` when ``safety.pdt.enabled`` is,
``portfolio_var`` and ``portfolio_cvar`` when ``safety.var.enabled`` is. The history-based rules
(volatility, correlation, beta, VaR, CVaR) share one :class:`HistorySpec`, hence one returns
window per bar.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from trademind.config.sections_trading import SafetySettings
from trademind.safety.chain import SafetyChain
from trademind.safety.context import SessionCalendar
from trademind.safety.rule import PreTradeRule
from trademind.safety.rules.co_movement import BetaAdjustedSize, CorrelationLimit, VolatilityCheck
from trademind.safety.rules.exposure import MaxPositions, MaxPositionSize, SectorConcentration
from trademind.safety.rules.heat import PortfolioHeat
from trademind.safety.rules.history import HistorySpec
from trademind.safety.rules.market_hours import MarketHours
from trademind.safety.rules.order_flow import DuplicateOrder, OrderRate
from trademind.safety.rules.order_size import BuyingPower, MaxOrderQuantity, MaxOrderValue
from trademind.safety.rules.pdt import PatternDayTrader
from trademind.safety.rules.portfolio_risk import PortfolioCvar, PortfolioVar


def _exact(value: float) -> Decimal:
    """A setting's float as the Decimal it was written as (0.1 -> Decimal('0.1'))."""
    return Decimal(str(value))


def all_rules(
    settings: SafetySettings, calendar: SessionCalendar, bar_length: timedelta | None = None
) -> list[PreTradeRule]:
    """Every pre-trade rule with its settings, in chain order (cheap checks first);
    ``bar_length``: the session's bars (orders decided at bar closes, see
    :class:`~trademind.safety.rules.market_hours.MarketHours`), None for orders at any time."""
    pdt, var = settings.pdt, settings.var
    history = HistorySpec(var.lookback_days, var.min_days, settings.benchmark_symbol)
    return [
        MaxOrderQuantity(_exact(settings.max_order_quantity)),
        MaxOrderValue(_exact(settings.max_order_value)),
        BuyingPower(_exact(settings.buying_power_buffer)),
        MaxPositionSize(_exact(settings.max_position_size)),
        MaxPositions(settings.max_positions),
        SectorConcentration(_exact(settings.max_sector_concentration)),
        PortfolioHeat(_exact(settings.max_portfolio_heat), _exact(settings.default_stop_loss)),
        DuplicateOrder(settings.duplicate_order_window_seconds),
        OrderRate(settings.max_orders_per_window, settings.order_rate_window_seconds),
        MarketHours(calendar, bar_length),
        PatternDayTrader(
            calendar, _exact(pdt.equity_threshold), pdt.max_day_trades, pdt.window_days
        ),
        VolatilityCheck(settings.volatility_threshold, history),
        CorrelationLimit(settings.max_correlation, history),
        BetaAdjustedSize(_exact(settings.max_position_size), history),
        PortfolioVar(var.max_var, var.method, var.confidence, history),
        PortfolioCvar(var.max_cvar, var.method, var.confidence, history),
    ]


def disabled_reasons(settings: SafetySettings) -> dict[str, str]:
    """The rules the settings turn off, each with the setting that does."""
    off: dict[str, str] = dict.fromkeys(settings.disabled_rules, "named in safety.disabled_rules")
    if not settings.market_hours_only:
        off.setdefault(MarketHours.name, "safety.market_hours_only is false")
    if not settings.pdt.enabled:
        off.setdefault(PatternDayTrader.name, "safety.pdt.enabled is false")
    if settings.benchmark_symbol is None:
        off.setdefault(BetaAdjustedSize.name, "safety.benchmark_symbol is not set")
    if not settings.var.enabled:
        for name in (PortfolioVar.name, PortfolioCvar.name):
            off.setdefault(name, "safety.var.enabled is false")
    return off


def enabled_rules(
    settings: SafetySettings, calendar: SessionCalendar, bar_length: timedelta | None = None
) -> list[PreTradeRule]:
    """:func:`all_rules` without the ones the settings turn off."""
    off = disabled_reasons(settings)
    return [rule for rule in all_rules(settings, calendar, bar_length) if rule.name not in off]


def build_chain(
    settings: SafetySettings, calendar: SessionCalendar, bar_length: timedelta | None = None
) -> SafetyChain:
    """The chain of the enabled rules."""
    return SafetyChain(enabled_rules(settings, calendar, bar_length))
