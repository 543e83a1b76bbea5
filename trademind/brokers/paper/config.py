"""What a paper account simulates: :class:`PaperConfig`, the execution rules of ``backtest run``
(:class:`~trademind.fills.rules.ExecutionRules`, the same type the backtest's config extends)
plus the account."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from trademind.core.errors import ValidationError
from trademind.fills import checks
from trademind.fills.rules import ExecutionRules

MarketOpen = Callable[[datetime], bool]
_FINGERPRINTED: Final = (
    "account_id", "initial_cash", "commission", "slippage", "sizing", "order", "latency_bars",
    "fill_price", "stop_loss", "take_profit", "trailing_stop", "fractional_shares",
    "volume_cap", "symbols", "session_timezone",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class PaperConfig(ExecutionRules):
    """One paper account's money and execution rules (defaults: ``backtest run``'s).

    ``order`` is how a trading loop turns an entry decision into an order (type, offsets from
    the decision bar's close, time in force); the venue itself executes whatever type, prices
    and time in force each placed order carries. The latency is whole bars
    (``latency_bars``; a latency in seconds is converted to bars before, per bar spacing).
    ``symbols`` (empty: any) is what the account may trade. ``is_market_open`` (paper mode: a
    calendar check) refuses orders placed while it says the market is closed; None (replay):
    every bar is a session. ``session_timezone`` decides the session (local date) of intraday
    bars for DAY orders; daily and longer bars are each their own session.

    ``cap_entries`` (the safety layer's risk sizing is on): an entry never fills more than the
    quantity it was placed with, which the pre-trade rules checked; the sizing rule at the
    first fill may only lower it. Off (the default, the backtest's rule): the placed quantity
    is an estimate and the sizing rule at the first fill decides.
    """

    account_id: str = "paper"
    initial_cash: float = 100_000.0
    symbols: tuple[str, ...] = ()
    is_market_open: MarketOpen | None = None
    cap_entries: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.account_id, str) or not self.account_id.strip():
            raise ValidationError("account id: empty")
        checks.in_range("initial cash", self.initial_cash, 0.0, 1e12, low_open=True)
        super().__post_init__()
        if self.latency_seconds != 0.0:
            raise ValidationError(
                "latency seconds: a paper account's latency is whole bars (convert it first)"
            )
        object.__setattr__(self, "symbols", tuple(s.upper() for s in self.symbols))

    def fingerprint(self) -> str:
        """A text that changes whenever the account's settings do (``is_market_open`` aside).

        Stored with a trading session and compared on ``--resume``: its form is fixed (the
        form sessions have been stored with), whatever the fields' order here."""
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FINGERPRINTED)
        capped = ", cap_entries=True" if self.cap_entries else ""  # older sessions: no field
        return f"PaperConfig({values}, is_market_open=None{capped})"
