"""What `agents select-strategy` returns: the choices, the Sharpe table and the verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from trademind.services.json_ready import json_fields

if TYPE_CHECKING:
    from trademind.backtest.analytics.sharpe_bootstrap import Interval


@dataclass(frozen=True, slots=True, kw_only=True)
class FoldChoice:
    """The strategy chosen for one symbol in one test window, and why."""

    window: int
    symbol: str
    test_start: datetime
    test_end: datetime
    strategy: str
    reason: str
    test_return: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SharpeRow:
    """One out-of-sample series: its Sharpe ratio with the interval, and its total return."""

    name: str
    sharpe: Interval
    total_return: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SelectionReport:
    symbols: tuple[str, ...]
    strategies: tuple[str, ...]
    index: str | None
    windows: int
    start: datetime
    end: datetime
    days: int
    choices: tuple[FoldChoice, ...]
    sharpe: tuple[SharpeRow, ...]
    best_fixed: str
    selector_minus_best: Interval
    selector_minus_equal_weight: Interval
    bootstrap_runs: int
    block_length: int
    seed: int
    verdict: str
    notices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return json_fields(self)


def _interval(value: Interval) -> str:
    if value.estimate is None:
        return "undefined"
    if value.low is None or value.high is None:
        return f"{value.estimate:+.2f}"
    return f"{value.estimate:+.2f} [95% CI {value.low:+.2f}, {value.high:+.2f}]"


def _against(name: str, difference: Interval) -> str:
    text = f"selector minus {name}: Sharpe {_interval(difference)}"
    if difference.estimate is None or difference.low is None or difference.high is None:
        return f"{text}: undefined"
    if difference.high < 0:
        return f"{text}: the selector LOST, the interval lies below 0"
    if difference.low > 0:
        return f"{text}: the selector won, the interval lies above 0"
    if abs(difference.estimate) < 0.005:
        return f"{text}: equal to two decimals, and the interval includes 0"
    side = "lower" if difference.estimate < 0 else "higher"
    return f"{text}: {side}, but the interval includes 0 (no evidence either way)"


def verdict(best: str, versus_best: Interval, versus_equal: Interval) -> str:
    """Plain words on the two paired differences (the best fixed strategy is chosen with
    hindsight, on the same out-of-sample returns, which favours it)."""
    return (
        f"{_against(f'the best fixed strategy ({best}, picked in hindsight)', versus_best)}; "
        f"{_against('equal weight', versus_equal)}"
    )


def interval_text(value: Interval) -> str:
    """``+0.42 [95% CI -0.10, +0.95]`` (for tables)."""
    return _interval(value)
