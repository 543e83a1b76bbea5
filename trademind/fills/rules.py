"""One set of execution rules: :class:`ExecutionRules`, what the backtest engine and the paper
broker both execute with (costs, sizing, the entry order, latency, exits, the volume cap).

``BacktestConfig`` (``trademind.backtest.engine.config``) and ``PaperConfig``
(``trademind.brokers.paper.config``) extend it with what only they need (the money, the
account, the bar interval), so a paper account built from a backtest's rules
(:meth:`ExecutionRules.rule_values`) executes exactly as the backtest does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

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

FillPrice = Literal["next_open", "close"]
_COMMISSIONS = (ZeroCommission, PercentageCommission, PerShareCommission)
_SLIPPAGES = (NoSlippage, FixedBpsSlippage, AtrSlippage)


@dataclass(frozen=True, kw_only=True)
class ExecutionRules:
    """How orders execute (defaults: the ``backtest`` settings' defaults).

    The entry order is ``order_type`` with offsets from the decision bar's close and a time in
    force (:attr:`order`); the latency is whole bars plus seconds (:attr:`latency`); market
    orders fill at the next bar's open or at the decision bar's close (``fill_price``);
    stop-loss, take-profit and trailing stop are fractions of the average entry price (the
    trailing stop of the highest high since entry); ``session_timezone`` decides the session
    (local date) of intraday bars for DAY orders.
    """

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

    def __post_init__(self) -> None:
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

    @property
    def order(self) -> OrderSpec:
        """The entry order specification (type, offsets, time in force)."""
        return OrderSpec(self.order_type, self.limit_offset, self.stop_offset, self.time_in_force)

    @property
    def latency(self) -> Latency:
        return Latency(self.latency_bars, self.latency_seconds)

    @property
    def close_mode(self) -> bool:
        """Market orders fill at the close of their activation bar (else at its open)."""
        return self.fill_price == "close"

    @property
    def protected(self) -> bool:
        """A stop-loss, take-profit or trailing stop is set."""
        return any(x is not None for x in (self.stop_loss, self.take_profit, self.trailing_stop))

    @property
    def protective_levels(self) -> tuple[float, float, float]:
        """``(stop_loss, trailing, take_profit)`` fractions, 0 where off."""
        return (self.stop_loss or 0.0, self.trailing_stop or 0.0, self.take_profit or 0.0)

    @property
    def commission_tuple(self) -> tuple[int, float, float, float]:
        return (self.commission.kind, *self.commission.parameters())

    @property
    def sizing_tuple(self) -> tuple[int, float, float, float]:
        return (self.sizing.kind, *self.sizing.parameters())

    @property
    def participation(self) -> float:
        """The volume cap's participation, 0 for none."""
        return self.volume_cap.participation if self.volume_cap is not None else 0.0

    def rule_values(self) -> dict[str, Any]:
        """The execution rules alone, as keyword arguments (for another config to take)."""
        return {item.name: getattr(self, item.name) for item in dataclasses.fields(ExecutionRules)}
