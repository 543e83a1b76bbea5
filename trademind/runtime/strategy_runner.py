"""The enabled strategies, bar by bar, per symbol: closed bars in, :class:`Signal` out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from trademind.core.decisions import Signal
from trademind.core.market import Bar
from trademind.strategies.base import ParamValue, Strategy
from trademind.strategies.registry import resolve
from trademind.strategies.stepping import SignalStepper, stepper_for


@dataclass(frozen=True)
class StrategySetup:
    """A strategy and its resolved parameters (``params`` None: its defaults)."""

    strategy: Strategy
    params: Mapping[str, ParamValue] | None = field(default=None)


class StrategyRunner:
    """Keeps one :class:`SignalStepper` per (strategy, symbol), created at the symbol's first
    bar, and turns each closed bar into the strategies' signals, in the setups' order."""

    def __init__(self, setups: Sequence[StrategySetup]) -> None:
        self._setups = [(setup.strategy, resolve(setup.strategy, setup.params)) for setup in setups]
        self._steppers: dict[tuple[str, str], SignalStepper] = {}
        for strategy, params in self._setups:
            stepper_for(strategy, params)  # refuse a strategy without a stepper at once

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(strategy.name for strategy, _ in self._setups)

    def on_bar(self, bar: Bar, closed_at: datetime) -> list[Signal]:
        """The signals of every strategy at the close of ``bar`` (``closed_at``)."""
        signals: list[Signal] = []
        for strategy, params in self._setups:
            key = (strategy.name, bar.symbol)
            stepper = self._steppers.get(key)
            if stepper is None:
                stepper = self._steppers[key] = stepper_for(strategy, params)
            found = stepper.step(bar.open, bar.high, bar.low, bar.close, bar.volume)
            if found is not None:
                signals.append(
                    Signal(
                        strategy=strategy.name,
                        symbol=bar.symbol,
                        ts=closed_at,
                        action=found.action,
                        confidence=found.confidence,
                        reason=found.reason,
                    )
                )
        return signals
