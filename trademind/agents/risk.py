"""The risk agent: a vetoer of BUY decisions (the orchestrator's
:class:`~trademind.orchestrator.veto.Vetoer` port) and the stop-loss / take-profit of an entry.

:meth:`RiskAgent.review` vetoes a BUY, with a one-line reason, at the first of these checks
that fails (limits inclusive: a figure exactly at a limit passes, except where "at or over"
says so):

1. **daily loss**: ``(start-of-day equity - equity) / start-of-day equity`` at or over
   ``safety.daily_loss_limit`` (an unknown start of day vetoes: the limit cannot be checked);
2. **max positions**: ``safety.max_positions`` positions open and the symbol not one of them;
3. **sector concentration**: the symbol's sector already holds at or over
   ``safety.max_sector_concentration`` of equity (gross value of the held positions in it);
4. **correlation**: the entry would move with a held position (effective correlation, a hedge
   does not count: :func:`~trademind.portfolio.exposure.strongest_comovement`) above
   ``safety.max_correlation`` over the returns window (``safety.var.lookback_days`` days,
   ``safety.var.min_days`` needed). Without a returns source, or with too short a history,
   it vetoes saying so (fail closed, as the pre-trade rules do); with no other position held
   there is nothing to correlate with;
5. **sizing**: :meth:`~trademind.agents.risk_sizing.EntryLimits.room` leaves no share (the
   reason names the limit that binds), or the symbol has no price.

A SELL (or HOLD) is never vetoed: it reduces exposure. :meth:`RiskAgent.protective_levels`
gives the stop-loss and take-profit prices of an entry.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from trademind.agents.portfolio_view import PortfolioView, ReturnsWindowSource
from trademind.agents.risk_sizing import EntryLimits
from trademind.config.sections_trading import SafetySettings
from trademind.core.accounts import Position
from trademind.core.decisions import Action, Decision
from trademind.core.errors import ValidationError
from trademind.portfolio.exposure import strongest_comovement
from trademind.portfolio.risk_math import RiskInputError

NAME: Final = "risk"
_CENT: Final = Decimal("0.01")


def _money(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _pct(fraction: Decimal | float) -> str:
    return f"{float(fraction):.2%}"


class RiskAgent:
    """Vetoes BUY decisions that break a limit (module docstring); sets protective levels."""

    def __init__(
        self,
        view: PortfolioView,
        safety: SafetySettings,
        limits: EntryLimits,
        *,
        returns: ReturnsWindowSource | None = None,
        take_profit: float | None = None,
    ) -> None:
        if take_profit is not None and not (0.0 < take_profit <= 100.0):
            raise ValidationError(f"take-profit must be a fraction in (0, 100], got {take_profit}")
        self._view = view
        self._safety = safety
        self._limits = limits
        self._returns = returns
        self._take_profit = take_profit

    @property
    def name(self) -> str:
        return NAME

    async def review(self, decision: Decision) -> str | None:
        """The orchestrator's veto hook: a reason to stop a BUY, None to let it pass."""
        return self.veto_reason(decision)

    def veto_reason(self, decision: Decision) -> str | None:
        """:meth:`review` without the event loop."""
        if decision.action is not Action.BUY:
            return None
        symbol = decision.symbol
        equity = self._view.equity()
        positions = {s: p for s, p in self._view.positions().items() if p.quantity != 0}
        return (
            self._daily_loss(equity)
            or self._max_positions(symbol, positions)
            or self._sector(symbol, equity, positions)
            or self._correlation(symbol, positions)
            or self._sizing(symbol, equity, positions)
        )

    def _daily_loss(self, equity: Decimal) -> str | None:
        start = self._view.start_of_day_equity()
        if start is None or start <= 0:
            return (
                "daily loss limit: the start-of-day equity is not known, the loss cannot be checked"
            )
        loss = (start - equity) / start
        limit = Decimal(repr(self._safety.daily_loss_limit))
        if loss >= limit:
            return (
                f"daily loss limit: down {_pct(loss)} since the start-of-day equity "
                f"{_money(start)}, at or over the limit {_pct(limit)}"
            )
        return None

    def _max_positions(self, symbol: str, positions: dict[str, Position]) -> str | None:
        limit = self._safety.max_positions
        if symbol not in positions and len(positions) >= limit:
            return f"max positions: {len(positions)} positions open, the limit is {limit}"
        return None

    def _sector(self, symbol: str, equity: Decimal, positions: dict[str, Position]) -> str | None:
        if equity <= 0:
            return f"sector concentration: equity is {_money(equity)}, no new exposure"
        sector = self._view.sector_of(symbol)
        held = sum(
            (
                abs(p.market_value)
                for s, p in positions.items()
                if self._view.sector_of(s) == sector
            ),
            Decimal(0),
        )
        share = held / equity
        limit = Decimal(repr(self._safety.max_sector_concentration))
        if share >= limit:
            return (
                f"sector concentration: sector {sector!r} holds {_money(held)}, {_pct(share)} of "
                f"equity, at or over the limit {_pct(limit)}"
            )
        return None

    def _correlation(self, symbol: str, positions: dict[str, Position]) -> str | None:
        others = {s: float(p.market_value) for s, p in positions.items() if s != symbol}
        if not others:
            return None
        if self._returns is None:
            return (
                "correlation limit: no returns history, the correlation with the held "
                "positions cannot be checked"
            )
        history = self._safety.var
        try:
            window = self._returns.window(
                sorted({*others, symbol}), history.lookback_days, history.min_days
            )
            found = strongest_comovement(window, symbol, 1, others)
        except RiskInputError as error:
            return f"correlation limit: cannot be checked: {error}"
        limit = self._safety.max_correlation
        if found is not None and found.effective > limit:
            return (
                f"correlation limit: {symbol} would move with the {found.symbol} position "
                f"(correlation {found.correlation:+.2f} over {window.days} days), above the "
                f"limit {limit:.2f}"
            )
        return None

    def _sizing(self, symbol: str, equity: Decimal, positions: dict[str, Position]) -> str | None:
        held = positions.get(symbol)
        price = self._view.price_of(symbol)
        if price is None and held is not None:
            price = held.market_price
        if price is None:
            return f"sizing: no price of {symbol} is known, the entry cannot be sized"
        room = self._limits.room(symbol, price, equity, positions.values())
        if room.quantity <= 0:
            return f"sizing: no room for {symbol}: {room.explanation}"
        return None

    def protective_levels(self, entry_price: Decimal) -> tuple[Decimal, Decimal]:
        """``(stop_loss, take_profit)`` prices of a long entry at ``entry_price``, to the cent:
        stop = entry x (1 - s) with ``s`` the account's stop-loss or
        ``safety.default_stop_loss``; take-profit = entry x (1 + t) with ``t`` the account's
        take-profit, else entry + ``safety.sizing.take_profit_multiple`` x (entry - stop)."""
        if not entry_price > 0:
            raise ValidationError(f"entry price must be positive, got {entry_price}")
        distance = entry_price * Decimal(repr(self._limits.stop_loss))
        if self._take_profit is not None:
            gain = entry_price * Decimal(repr(self._take_profit))
        else:
            gain = distance * Decimal(repr(self._safety.sizing.take_profit_multiple))
        stop = (entry_price - distance).quantize(_CENT, rounding=ROUND_HALF_UP)
        target = (entry_price + gain).quantize(_CENT, rounding=ROUND_HALF_UP)
        return stop, target
