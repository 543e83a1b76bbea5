"""What a paper account simulates: :class:`PaperConfig`, the execution options of
``backtest run`` (the same types, from ``trademind.fills``) plus the account."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from trademind.core.errors import ValidationError
from trademind.fills import checks
from trademind.fills.commission import (
    CommissionModel,
    PercentageCommission,
    PerShareCommission,
    ZeroCommission,
)
from trademind.fills.orders import OrderSpec
from trademind.fills.sizing import AllIn, SizingRule
from trademind.fills.slippage import (
    AtrSlippage,
    FixedBpsSlippage,
    NoSlippage,
    SlippageModel,
    VolumeCap,
)

FillPrice = Literal["next_open", "close"]
MarketOpen = Callable[[datetime], bool]
_COMMISSIONS = (ZeroCommission, PercentageCommission, PerShareCommission)
_SLIPPAGES = (NoSlippage, FixedBpsSlippage, AtrSlippage)


@dataclass(frozen=True)
class PaperConfig:
    """One paper account's money and execution rules (defaults: ``backtest run``'s).

    ``order`` is how a trading loop turns an entry decision into an order (type, offsets from
    the decision bar's close, time in force); the venue itself executes whatever type, prices
    and time in force each placed order carries. ``symbols`` (empty: any) is what the account
    may trade. ``is_market_open`` (paper mode: a calendar check) refuses orders placed while it
    says the market is closed; None (replay): every bar is a session. ``session_timezone``
    decides the session (local date) of intraday bars for DAY orders; daily and longer bars are
    each their own session.
    """

    account_id: str = "paper"
    initial_cash: float = 100_000.0
    commission: CommissionModel = dataclasses.field(default_factory=PerShareCommission)
    slippage: SlippageModel = dataclasses.field(default_factory=lambda: FixedBpsSlippage(5.0))
    sizing: SizingRule = dataclasses.field(default_factory=AllIn)
    order: OrderSpec = dataclasses.field(default_factory=OrderSpec)
    latency_bars: int = 0
    fill_price: FillPrice = "next_open"
    stop_loss: float | None = None
    take_profit: float | None = None
    trailing_stop: float | None = None
    fractional_shares: bool = True
    volume_cap: VolumeCap | None = None
    symbols: tuple[str, ...] = ()
    session_timezone: str = "America/New_York"
    is_market_open: MarketOpen | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.account_id, str) or not self.account_id.strip():
            raise ValidationError("account id: empty")
        checks.in_range("initial cash", self.initial_cash, 0.0, 1e12, low_open=True)
        if not isinstance(self.commission, _COMMISSIONS):
            raise ValidationError(f"commission: not a commission model: {self.commission!r}")
        if not isinstance(self.slippage, _SLIPPAGES):
            raise ValidationError(f"slippage: not a slippage model: {self.slippage!r}")
        if not isinstance(self.sizing, SizingRule):
            raise ValidationError(f"sizing: not a sizing rule: {self.sizing!r}")
        if not isinstance(self.order, OrderSpec):
            raise ValidationError(f"order: not an OrderSpec: {self.order!r}")
        if self.volume_cap is not None and not isinstance(self.volume_cap, VolumeCap):
            raise ValidationError(f"volume cap: not a VolumeCap: {self.volume_cap!r}")
        checks.whole("latency bars", self.latency_bars, 0, 10_000)
        checks.choice("fill price", self.fill_price, ("next_open", "close"))
        for name in ("stop_loss", "trailing_stop"):
            value = getattr(self, name)
            if value is not None:
                checks.in_range(name, value, 0.0, 1.0, low_open=True, high_open=True)
        if self.take_profit is not None:
            checks.in_range("take_profit", self.take_profit, 0.0, 100.0, low_open=True)
        if not isinstance(self.fractional_shares, bool):
            raise ValidationError(f"fractional_shares: expected true/false, not {self!r}")
        object.__setattr__(self, "symbols", tuple(s.upper() for s in self.symbols))

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
