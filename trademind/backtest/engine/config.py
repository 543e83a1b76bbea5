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
from typing import TYPE_CHECKING, Any, Literal

from trademind.core.errors import ValidationError
from trademind.fills import checks
from trademind.fills.commission import (
    CommissionModel,
    PercentageCommission,
    PerShareCommission,
    ZeroCommission,
)
from trademind.fills.latency import Latency
from trademind.fills.orders import OrderSpec, OrderTypeName, TimeInForceName
from trademind.fills.sizing import AllIn, SizingRule
from trademind.fills.slippage import (
    AtrSlippage,
    FixedBpsSlippage,
    NoSlippage,
    SlippageModel,
    VolumeCap,
)

if TYPE_CHECKING:
    from trademind.config.sections_market import BacktestSettings

FillPrice = Literal["next_open", "close"]
_COMMISSIONS = (ZeroCommission, PercentageCommission, PerShareCommission)
_SLIPPAGES = (NoSlippage, FixedBpsSlippage, AtrSlippage)


@dataclass(frozen=True)
class BacktestConfig:
    """Every choice of one backtest run (defaults: the ``backtest`` settings' defaults)."""

    initial_cash: float = 100_000.0
    commission: CommissionModel = dataclasses.field(default_factory=PerShareCommission)
    slippage: SlippageModel = dataclasses.field(default_factory=lambda: FixedBpsSlippage(5.0))
    sizing: SizingRule = dataclasses.field(default_factory=AllIn)
    order_type: OrderTypeName = "market"
    limit_offset: float = 0.0
    stop_offset: float = 0.0
    time_in_force: TimeInForceName = "day"
    latency_bars: int = 0
    latency_seconds: float = 0.0
    fill_price: FillPrice = "next_open"
    stop_loss: float | None = None
    take_profit: float | None = None
    trailing_stop: float | None = None
    fractional_shares: bool = True
    volume_cap: VolumeCap | None = None
    session_timezone: str = "America/New_York"
    bar_interval_seconds: float | None = None

    def __post_init__(self) -> None:
        checks.in_range("initial cash", self.initial_cash, 0.0, 1e12, low_open=True)
        if not isinstance(self.commission, _COMMISSIONS):
            raise ValidationError(f"commission: not a commission model: {self.commission!r}")
        if not isinstance(self.slippage, _SLIPPAGES):
            raise ValidationError(f"slippage: not a slippage model: {self.slippage!r}")
        if not isinstance(self.sizing, SizingRule):
            raise ValidationError(f"sizing: not a sizing rule: {self.sizing!r}")
        if self.volume_cap is not None and not isinstance(self.volume_cap, VolumeCap):
            raise ValidationError(f"volume cap: not a VolumeCap: {self.volume_cap!r}")
        self.order  # noqa: B018 - builds (validates) the order spec
        self.latency  # noqa: B018
        checks.choice("fill price", self.fill_price, ("next_open", "close"))
        for name in ("stop_loss", "trailing_stop"):
            value = getattr(self, name)
            if value is not None:
                checks.in_range(name, value, 0.0, 1.0, low_open=True, high_open=True)
        if self.take_profit is not None:
            checks.in_range("take_profit", self.take_profit, 0.0, 100.0, low_open=True)
        if not isinstance(self.fractional_shares, bool):
            raise ValidationError(
                f"fractional_shares: expected true/false, not {self.fractional_shares!r}"
            )
        if not self.session_timezone:
            raise ValidationError("session_timezone: empty")
        if self.bar_interval_seconds is not None:
            checks.in_range(
                "bar interval seconds", self.bar_interval_seconds, 0.0, 1e9, low_open=True
            )

    @property
    def order(self) -> OrderSpec:
        """The entry order specification (type, offsets, time in force)."""
        return OrderSpec(self.order_type, self.limit_offset, self.stop_offset, self.time_in_force)

    @property
    def latency(self) -> Latency:
        return Latency(self.latency_bars, self.latency_seconds)

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
