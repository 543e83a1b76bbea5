"""The pre-trade rules built from the settings, in chain order, without the disabled ones.

Rule names are the ``PreTradeRuleName`` choices of ``safety.disabled_rules``
(:mod:`trademind.config.sections_trading`). ``market_hours`` is also off when
``safety.market_hours_only`` is false, ``pattern_day_trader`` when ``safety.pdt.enabled`` is.
"""

from __future__ import annotations

from decimal import Decimal

from trademind.config.sections_trading import SafetySettings
from trademind.safety.chain import SafetyChain
from trademind.safety.context import SessionCalendar
from trademind.safety.rule import PreTradeRule
from trademind.safety.rules.exposure import MaxPositions, MaxPositionSize, SectorConcentration
from trademind.safety.rules.market_hours import MarketHours
from trademind.safety.rules.order_flow import DuplicateOrder, OrderRate
from trademind.safety.rules.order_size import BuyingPower, MaxOrderQuantity, MaxOrderValue
from trademind.safety.rules.pdt import PatternDayTrader


def _exact(value: float) -> Decimal:
    """A setting's float as the Decimal it was written as (0.1 -> Decimal('0.1'))."""
    return Decimal(str(value))


def all_rules(settings: SafetySettings, calendar: SessionCalendar) -> list[PreTradeRule]:
    """Every pre-trade rule with its settings, in chain order (cheap checks first)."""
    pdt = settings.pdt
    return [
        MaxOrderQuantity(_exact(settings.max_order_quantity)),
        MaxOrderValue(_exact(settings.max_order_value)),
        BuyingPower(_exact(settings.buying_power_buffer)),
        MaxPositionSize(_exact(settings.max_position_size)),
        MaxPositions(settings.max_positions),
        SectorConcentration(_exact(settings.max_sector_concentration)),
        DuplicateOrder(settings.duplicate_order_window_seconds),
        OrderRate(settings.max_orders_per_window, settings.order_rate_window_seconds),
        MarketHours(calendar),
        PatternDayTrader(
            calendar, _exact(pdt.equity_threshold), pdt.max_day_trades, pdt.window_days
        ),
    ]


def enabled_rules(settings: SafetySettings, calendar: SessionCalendar) -> list[PreTradeRule]:
    """:func:`all_rules` without the ones the settings turn off."""
    off: set[str] = set(settings.disabled_rules)
    if not settings.market_hours_only:
        off.add(MarketHours.name)
    if not settings.pdt.enabled:
        off.add(PatternDayTrader.name)
    return [rule for rule in all_rules(settings, calendar) if rule.name not in off]


def build_chain(settings: SafetySettings, calendar: SessionCalendar) -> SafetyChain:
    """The chain of the enabled rules."""
    return SafetyChain(enabled_rules(settings, calendar))
