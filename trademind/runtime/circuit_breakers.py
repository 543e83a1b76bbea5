"""The circuit breakers of a trading session: :class:`CircuitBreakers`, after every step.

After each step (its fills booked and the account marked at the bar's closes) the session calls
:meth:`CircuitBreakers.observe` with the step's close time, the account's equity, the round
trips closed in the step and the broker's verdict on the orders it answered in the step. It
evaluates, in this order (the evaluators are :mod:`trademind.safety.breakers`):

- **daily loss** (``safety.daily_loss_limit``, HALTED, flattening when
  ``safety.circuit_breaker.flatten_on_daily_loss``): the loss of the equity since the start of
  the day: the equity after the last step of the previous trading day (the starting equity on
  the session's first day); a step's trading day is the exchange's date of its bar
  (``session_date``);
- with ``safety.circuit_breaker.enabled``: **drawdown** from the peak equity
  (``max_drawdown``, the state ``drawdown_action``), **consecutive losing round trips**
  (``max_consecutive_losses``, HALTED) and the **broker's rejection rate** (at least
  ``max_rejections`` of the last ``rejection_window`` orders the broker rejected; HALTED); the
  safety layer's own refusals are not broker rejections and do not count.

With ``safety.circuit_breaker.adaptive`` the daily loss limit and the drawdown level follow the
realised volatility of the account's daily equity returns (the last ``ADAPTIVE_DAYS`` trading
days, annualised; :mod:`trademind.safety.adaptive` with ``reference_volatility``), each change
of an effective value logged once (:attr:`CircuitBreakers.threshold_changes`).

The trips are returned; the session records them (a ``circuit_breaker_tripped`` event, only
when stricter than the state in force) and flattens when asked. After a reset (:meth:`rebase`)
the peak and the losing streak count from the reset, so a breaker does not trip again at once
on the loss it already answered.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Final

from trademind.config.sections_trading import SafetySettings
from trademind.safety.adaptive import AdaptiveThreshold, ThresholdChange, VolatilityScaling
from trademind.safety.breakers import (
    BreakerTrip,
    ConsecutiveLossesBreaker,
    DailyLossBreaker,
    DrawdownBreaker,
    RejectionRateBreaker,
)

logger = logging.getLogger(__name__)

ADAPTIVE_DAYS: Final = 20
"""Trading days of the account's daily equity returns the adaptive thresholds read."""
_TRADING_DAYS: Final = 252


class DayStart[N: (float, Decimal)]:
    """The equity at the start of the trading day: the equity after the last step of the
    previous trading day (``starting`` before any step). :meth:`after_step` takes each step's
    equity; :meth:`advance` moves to the trading day of a time (True when it is a new one)."""

    def __init__(self, session_date: Callable[[datetime], str], starting: N) -> None:
        self._session_date = session_date
        self._day: str | None = None
        self._last: N = starting
        self.equity: N = starting

    def advance(self, at: datetime) -> bool:
        day = self._session_date(at)
        if day == self._day:
            return False
        self._day, self.equity = day, self._last
        return True

    def after_step(self, equity: N) -> None:
        self._last = equity


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """What one step did, as the breakers see it."""

    closed_at: datetime
    equity: float
    round_trip_pnl: Sequence[float] = ()
    broker_rejected: Sequence[bool] = ()
    """One flag per order the broker answered in the step, in order: True when it rejected it."""


class CircuitBreakers:
    """The session's breakers and what they remember between steps (module docstring)."""

    def __init__(
        self,
        settings: SafetySettings,
        session_date: Callable[[datetime], str],
        starting_equity: float,
    ) -> None:
        breaker = settings.circuit_breaker
        self._daily = DailyLossBreaker(settings.daily_loss_limit, breaker.flatten_on_daily_loss)
        self._drawdown: DrawdownBreaker | None = None
        self._losses: ConsecutiveLossesBreaker | None = None
        self._rejections: RejectionRateBreaker | None = None
        if breaker.enabled:
            level = breaker.max_drawdown
            halts = breaker.drawdown_action == "halted"
            self._drawdown = DrawdownBreaker(
                reduce_at=None if halts else level, halt_at=level if halts else None
            )
            self._losses = ConsecutiveLossesBreaker(breaker.max_consecutive_losses)
            self._rejections = RejectionRateBreaker(
                breaker.max_rejections, breaker.rejection_window
            )
        self._adaptive = _adaptive(settings) if breaker.adaptive else None
        self.threshold_changes: list[ThresholdChange] = []
        self._peak = -math.inf
        self._day = DayStart(session_date, starting_equity)
        self._daily_equity: deque[float] = deque(maxlen=ADAPTIVE_DAYS + 1)
        self._pnl: list[float] = []
        self._rejected: deque[bool] = deque(maxlen=max(1, breaker.rejection_window))

    @property
    def enabled(self) -> bool:
        """Whether the breakers beyond the daily loss run (``circuit_breaker.enabled``)."""
        return self._drawdown is not None

    def seed(self, equities: Sequence[tuple[datetime, float]], pnl: Sequence[float]) -> None:
        """What a resumed session saw before: its equity after each step and its round trips'
        P&L, oldest first (no trip is raised for them)."""
        for closed_at, equity in equities:
            self._advance_day(closed_at)
            self._peak = max(self._peak, equity)
            self._day.after_step(equity)
        self._pnl.extend(pnl)

    def rebase(self, equity: float) -> None:
        """A reset: the peak is the equity now, the losing streak and rejections start over."""
        self._peak = equity
        self._pnl.clear()
        self._rejected.clear()

    def observe(self, step: StepOutcome) -> list[BreakerTrip]:
        """The trips of this step (module docstring for the order)."""
        equity = step.equity
        self._advance_day(step.closed_at)
        self._peak = max(self._peak, equity)
        self._day.after_step(equity)
        self._pnl.extend(step.round_trip_pnl)
        self._rejected.extend(step.broker_rejected)
        daily, drawdown = self._effective()
        trips = [daily.evaluate(self._day.equity, equity)]
        if drawdown is not None:
            trips.append(drawdown.evaluate(self._peak, equity))
        if self._losses is not None:
            trips.append(self._losses.evaluate(self._pnl))
        if self._rejections is not None:
            trips.append(self._rejections.evaluate(list(self._rejected)))
        return [trip for trip in trips if trip is not None]

    def _advance_day(self, closed_at: datetime) -> None:
        if self._day.advance(closed_at):
            self._daily_equity.append(self._day.equity)

    def _effective(self) -> tuple[DailyLossBreaker, DrawdownBreaker | None]:
        daily, drawdown = self._daily, self._drawdown
        if self._adaptive is None or len(self._daily_equity) < ADAPTIVE_DAYS + 1:
            return daily, drawdown
        volatility = _annualised(self._daily_equity)
        loss_limit, drawdown_level = self._adaptive
        for threshold in (loss_limit, drawdown_level):
            change = threshold.update(volatility)
            if change is not None:
                logger.info("circuit breaker %s", change.message)
                self.threshold_changes.append(change)
        daily = replace(daily, limit=min(loss_limit.effective, 0.99))
        if drawdown is not None:
            level = min(drawdown_level.effective, 0.99)
            drawdown = replace(
                drawdown,
                reduce_at=None if drawdown.reduce_at is None else level,
                halt_at=None if drawdown.halt_at is None else level,
            )
        return daily, drawdown


def _adaptive(settings: SafetySettings) -> tuple[AdaptiveThreshold, AdaptiveThreshold]:
    breaker = settings.circuit_breaker
    scaling = VolatilityScaling(breaker.reference_volatility, breaker.adaptive_elasticity)
    return (
        AdaptiveThreshold("daily_loss_limit", settings.daily_loss_limit, scaling),
        AdaptiveThreshold("max_drawdown", breaker.max_drawdown, scaling),
    )


def _annualised(equities: Sequence[float]) -> float:
    values = list(equities)
    returns = [b / a - 1.0 for a, b in itertools.pairwise(values) if a > 0]
    if len(returns) < 2:
        return 0.0
    mean = sum(returns) / len(returns)
    variance = sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)
    return math.sqrt(variance * _TRADING_DAYS)
