"""Circuit-breaker evaluators: pure checks run after each fill and bar.

Each breaker takes plain values (equities, round-trip P&L, order outcomes, bar times and the
current time, all passed in: nothing here reads a clock or a database) and returns a
:class:`BreakerTrip` saying which trading state it asks for, or ``None``. The safety layer maps
:class:`RequestedState` onto its trading state by value (``"REDUCING"``, ``"HALTED"``) and records
the trip. Volatility-adaptive thresholds live in :mod:`trademind.safety.adaptive`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from trademind.core.clock import ensure_utc
from trademind.core.errors import ValidationError


class RequestedState(StrEnum):
    """The trading state a tripped breaker asks for (same values as the safety layer's)."""

    REDUCING = "REDUCING"
    HALTED = "HALTED"


@dataclass(frozen=True, slots=True)
class BreakerTrip:
    """A tripped breaker: ``value`` crossed ``threshold``; ``flatten`` asks to close positions."""

    breaker: str
    state: RequestedState
    value: float
    threshold: float
    reason: str
    flatten: bool = False


def _fraction(name: str, value: float) -> float:
    if not (0.0 < value < 1.0):
        raise ValidationError(f"{name} must be a fraction in (0, 1), got {value}")
    return value


def _positive_equity(name: str, value: float) -> float:
    if not (math.isfinite(value) and value > 0.0):
        raise ValidationError(f"{name} must be a positive, finite equity, got {value}")
    return value


@dataclass(frozen=True, slots=True)
class DailyLossBreaker:
    """Trips (HALTED) when (start_of_day - equity) / start_of_day >= ``limit`` (a fraction)."""

    limit: float
    flatten: bool = False
    name: str = "daily_loss"

    def __post_init__(self) -> None:
        _fraction("daily loss limit", self.limit)

    def evaluate(self, start_of_day_equity: float, equity: float) -> BreakerTrip | None:
        start = _positive_equity("start-of-day equity", start_of_day_equity)
        loss = (start - equity) / start
        if loss < self.limit:
            return None
        return BreakerTrip(
            self.name,
            RequestedState.HALTED,
            loss,
            self.limit,
            f"daily loss {loss:.2%} since the start-of-day equity {start:,.2f} "
            f"reached the limit {self.limit:.2%}",
            self.flatten,
        )


def drawdown(equity_history: Sequence[float]) -> float:
    """Drawdown of the last equity from the peak of the history, as a fraction (>= 0)."""
    if not equity_history:
        raise ValidationError("drawdown needs at least one equity value")
    peak = _positive_equity("peak equity", max(equity_history))
    return max(0.0, (peak - equity_history[-1]) / peak)


@dataclass(frozen=True, slots=True)
class DrawdownBreaker:
    """Drawdown from the equity peak: >= ``halt_at`` -> HALTED, else >= ``reduce_at`` ->
    REDUCING. Either level may be ``None`` (not used); ``reduce_at`` must be below ``halt_at``."""

    reduce_at: float | None = None
    halt_at: float | None = None
    name: str = "max_drawdown"

    def __post_init__(self) -> None:
        if self.reduce_at is None and self.halt_at is None:
            raise ValidationError("max drawdown breaker needs reduce_at, halt_at or both")
        for label, level in (("reduce_at", self.reduce_at), ("halt_at", self.halt_at)):
            if level is not None:
                _fraction(f"max drawdown {label}", level)
        reduce_at, halt_at = self.reduce_at, self.halt_at
        if reduce_at is not None and halt_at is not None and reduce_at >= halt_at:
            raise ValidationError(
                f"max drawdown reduce_at ({self.reduce_at}) must be below halt_at ({self.halt_at})"
            )

    def evaluate(self, peak_equity: float, equity: float) -> BreakerTrip | None:
        peak = _positive_equity("peak equity", peak_equity)
        down = max(0.0, (peak - equity) / peak)
        for state, level in (
            (RequestedState.HALTED, self.halt_at),
            (RequestedState.REDUCING, self.reduce_at),
        ):
            if level is not None and down >= level:
                return BreakerTrip(
                    self.name,
                    state,
                    down,
                    level,
                    f"drawdown {down:.2%} from the peak {peak:,.2f} reached {level:.2%}",
                )
        return None

    def evaluate_history(self, equity_history: Sequence[float]) -> BreakerTrip | None:
        """:meth:`evaluate` with the peak of ``equity_history`` and its last value."""
        if not equity_history:
            raise ValidationError("max drawdown needs at least one equity value")
        return self.evaluate(max(equity_history), equity_history[-1])


@dataclass(frozen=True, slots=True)
class ConsecutiveLossesBreaker:
    """Trips after ``max_losses`` losing round trips in a row (P&L < 0; a round trip with P&L
    >= 0 ends the streak). ``round_trip_pnl`` is oldest first."""

    max_losses: int
    state: RequestedState = RequestedState.HALTED
    name: str = "consecutive_losses"

    def __post_init__(self) -> None:
        if self.max_losses < 1:
            raise ValidationError(f"consecutive losses must be at least 1, got {self.max_losses}")

    def evaluate(self, round_trip_pnl: Sequence[float]) -> BreakerTrip | None:
        streak = 0
        for pnl in reversed(round_trip_pnl):
            if pnl >= 0:
                break
            streak += 1
        if streak < self.max_losses:
            return None
        return BreakerTrip(
            self.name,
            self.state,
            float(streak),
            float(self.max_losses),
            f"{streak} losing round trips in a row (limit {self.max_losses})",
        )


@dataclass(frozen=True, slots=True)
class RejectionRateBreaker:
    """Trips when at least ``max_failures`` of the last ``window`` orders were rejected or
    failed. ``failed`` holds one flag per order, oldest first (True: rejected or errored); with
    fewer than ``window`` orders so far, the failures among them count."""

    max_failures: int
    window: int
    state: RequestedState = RequestedState.HALTED
    name: str = "rejection_rate"

    def __post_init__(self) -> None:
        if not (1 <= self.max_failures <= self.window):
            raise ValidationError(
                f"rejection breaker needs 1 <= failures ({self.max_failures}) <= window "
                f"({self.window})"
            )

    def evaluate(self, failed: Sequence[bool]) -> BreakerTrip | None:
        recent = failed[-self.window :]
        count = sum(1 for flag in recent if flag)
        if count < self.max_failures:
            return None
        return BreakerTrip(
            self.name,
            self.state,
            float(count),
            float(self.max_failures),
            f"{count} of the last {len(recent)} orders were rejected or failed "
            f"(limit {self.max_failures} of {self.window})",
        )


@dataclass(frozen=True, slots=True)
class StaleDataBreaker:
    """While the session is open, trips when a symbol has had no bar for more than
    ``max_bar_lengths`` x ``bar_length``. A symbol's age counts from its last bar or the
    session's opening, whichever is later (yesterday's last bar does not make a fresh session
    stale); a symbol with no bar at all (``None``) counts from the opening."""

    bar_length: timedelta
    max_bar_lengths: float = 3.0
    state: RequestedState = RequestedState.HALTED
    name: str = "stale_data"

    def __post_init__(self) -> None:
        if self.bar_length <= timedelta(0) or not (self.max_bar_lengths > 0):
            raise ValidationError(
                f"stale data breaker needs a positive bar length and multiple, got "
                f"{self.bar_length} x {self.max_bar_lengths}"
            )

    def evaluate(
        self,
        now: datetime,
        session_opened_at: datetime | None,
        last_bar_times: Mapping[str, datetime | None],
    ) -> BreakerTrip | None:
        """``session_opened_at`` None: the session is closed, nothing is stale."""
        if session_opened_at is None:
            return None
        now = ensure_utc(now, what="now")
        opened = ensure_utc(session_opened_at, what="session opening")
        limit = self.bar_length * self.max_bar_lengths
        ages = {
            symbol: now - (opened if last is None else max(ensure_utc(last), opened))
            for symbol, last in last_bar_times.items()
        }
        stale = sorted((age, symbol) for symbol, age in ages.items() if age > limit)
        if not stale:
            return None
        oldest, _ = stale[-1]
        names = ", ".join(symbol for _, symbol in reversed(stale))
        return BreakerTrip(
            self.name,
            self.state,
            oldest / self.bar_length,
            self.max_bar_lengths,
            f"no bar for {names} for up to {oldest} (limit {self.max_bar_lengths:g} bars of "
            f"{self.bar_length}) while the session is open",
        )
