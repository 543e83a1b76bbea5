"""What a backtest simulates: money, costs, sizing, orders, latency, exits.

:class:`BacktestConfig` is a frozen, validated value; :meth:`BacktestConfig.from_settings`
builds it from the ``backtest`` section of the settings with keyword overrides.

Semantics (docs in ``trademind.backtest.engine.run``): a signal at bar ``t``'s close becomes an
order; market orders fill at the open of bar ``t + 1`` (``fill_price="next_open"``) or at the
close of ``t`` (``"close"``), ``latency`` bars later; limit, stop and stop-limit entries work
from bar ``t + 1 + latency`` at prices offset from the close of ``t``. Exit signals are market
orders; stop-loss, take-profit and trailing stop are fractions of the average entry price (the
trailing stop of the highest high since entry) checked inside every bar.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trademind.core.errors import ValidationError
from trademind.fills import checks
from trademind.fills.commission import (
    CommissionModel,
    PercentageCommission,
    PerShareCommission,
    ZeroCommission,
)
from trademind.fills.rules import ExecutionRules
from trademind.fills.slippage import FixedBpsSlippage, NoSlippage, SlippageModel

if TYPE_CHECKING:
    from trademind.config.sections_market import BacktestSettings


@dataclass(frozen=True, kw_only=True)
class BacktestConfig(ExecutionRules):
    """Every choice of one backtest run: the :class:`~trademind.fills.rules.ExecutionRules`
    plus the starting cash and the bar interval a latency in seconds is converted with
    (defaults: the ``backtest`` settings' defaults)."""

    initial_cash: float = 100_000.0
    bar_interval_seconds: float | None = None

    def __post_init__(self) -> None:
        checks.in_range("initial cash", self.initial_cash, 0.0, 1e12, low_open=True)
        super().__post_init__()
        if self.bar_interval_seconds is not None:
            checks.in_range(
                "bar interval seconds", self.bar_interval_seconds, 0.0, 1e9, low_open=True
            )

    def replace(self, **changes: Any) -> BacktestConfig:
        """A copy with ``changes`` applied (validated again)."""
        try:
            return dataclasses.replace(self, **changes)
        except TypeError as error:  # an unknown field name
            raise ValidationError(f"backtest config: {error}") from None

    @classmethod
    def from_settings(cls, settings: BacktestSettings, **overrides: Any) -> BacktestConfig:
        """The config the ``backtest`` settings describe, with ``overrides`` (field names of
        this class, e.g. ``sizing=FixedFraction(0.1)``) applied on top."""
        commission: CommissionModel
        if settings.commission_model == "percentage":
            commission = PercentageCommission(settings.commission_rate)
        elif settings.commission_model == "none":
            commission = ZeroCommission()
        else:
            commission = PerShareCommission(
                settings.commission_per_share,
                settings.commission_minimum,
                settings.commission_maximum_fraction,
            )
        slippage: SlippageModel = (
            FixedBpsSlippage(settings.slippage_bps) if settings.slippage_bps > 0 else NoSlippage()
        )
        base = cls(
            initial_cash=settings.initial_cash,
            commission=commission,
            slippage=slippage,
            fill_price=settings.fill_price,
            latency_seconds=settings.latency_ms / 1000.0,
            fractional_shares=settings.fractional_shares,
        )
        return base.replace(**overrides) if overrides else base
