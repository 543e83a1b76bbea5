"""The technical agent: RSI, MACD, moving averages and Bollinger Bands combined into one vote.

Each indicator gives a component ``k`` in [-1, 1] (positive: buy), from the incremental values
of :class:`~trademind.agents.indicator_book.IndicatorSnapshot`:

- **RSI** (mean reversion): ``k = (50 - RSI) / 20``, clipped (RSI 30 -> +1, 70 -> -1);
- **MACD** (momentum): ``k = (histogram / close * 100) / 0.5``, clipped (a histogram of 0.5%
  of the price is full strength, as in the ``macd_momentum`` strategy);
- **moving averages** (trend): ``k = ((SMA_fast - SMA_slow) / SMA_slow * 100) / 2``, clipped
  (fast 2% above slow -> +1);
- **Bollinger Bands** (mean reversion): ``k = 1 - 2 * %B`` with ``%B = (close - lower) /
  (upper - lower)``, clipped (at the lower band +1, the middle 0, the upper band -1; 0 when
  the bands have no width).

A component still warming up (NaN) is left out. The vote's **score** is the mean of the ``n``
available components; its **confidence** is ``agreement * n / 4`` with ``agreement =
|sum k| / sum |k|`` (1 when all point the same way, 0 when they cancel; 0 when all are 0), so
fewer indicators or disagreeing ones give less confidence. The **direction** is BUY for a score
of at least 0.1, SELL for at most -0.1, HOLD between. With no component available the agent
abstains ("indicators warming up"): it has no opinion yet, which is not a hold.
"""

from __future__ import annotations

import math
from typing import Final

from trademind.agents.base import AgentContext, guarded_abstention
from trademind.agents.indicator_book import IndicatorSnapshot
from trademind.core.decisions import Abstention, Action, Vote
from trademind.strategies.macd_momentum import FULL_CONFIDENCE_HISTOGRAM_PCT

NAME: Final = "technical"
SOURCE: Final = "rules"
NEUTRAL_BAND: Final = 0.1
"""Scores inside (-0.1, 0.1) are a HOLD vote."""
FULL_TREND_GAP_PCT: Final = 2.0
RSI_FULL_DISTANCE: Final = 20.0
COMPONENTS: Final = 4


def _clip(value: float) -> float:
    """``value`` within [-1, 1] (NaN gives 1.0, as ``max(-1, min(1, value))`` does)."""
    if -1.0 <= value <= 1.0:
        return value
    return -1.0 if value < -1.0 else 1.0


def components(values: IndicatorSnapshot) -> dict[str, float]:
    """The available components by name (module docstring), warming-up ones left out."""
    found: dict[str, float] = {}
    close, rsi, histogram = values.close, values.rsi, values.macd_histogram
    fast, slow = values.sma_fast, values.sma_slow
    lower, upper = values.bollinger_lower, values.bollinger_upper
    if not math.isnan(rsi):
        found["rsi"] = _clip((50.0 - rsi) / RSI_FULL_DISTANCE)
    if not math.isnan(histogram) and close != 0.0:
        histogram_pct = histogram / abs(close) * 100.0
        found["macd"] = _clip(histogram_pct / FULL_CONFIDENCE_HISTOGRAM_PCT)
    if not (math.isnan(fast) or math.isnan(slow)) and slow != 0.0:
        gap_pct = (fast - slow) / abs(slow) * 100.0
        found["trend"] = _clip(gap_pct / FULL_TREND_GAP_PCT)
    if not (math.isnan(lower) or math.isnan(upper)):
        width = upper - lower
        percent_b = (close - lower) / width if width > 0 else 0.5
        found["bollinger"] = _clip(1.0 - 2.0 * percent_b)
    return found


def combine(parts: dict[str, float]) -> tuple[Action, float, float]:
    """Direction, score and confidence of the components (module docstring)."""
    numbers = list(parts.values())
    total = sum(numbers)
    magnitude = sum(map(abs, numbers))
    score = _clip(total / len(numbers))
    agreement = abs(total) / magnitude if magnitude > 0 else 0.0
    confidence = min(1.0, agreement * len(numbers) / COMPONENTS)
    if score >= NEUTRAL_BAND:
        return Action.BUY, score, confidence
    if score <= -NEUTRAL_BAND:
        return Action.SELL, score, confidence
    return Action.HOLD, score, confidence


def _factor(values: IndicatorSnapshot, name: str, part: float) -> str:
    if name == "rsi":
        return f"RSI {values.rsi:.1f} ({part:+.2f})"
    if name == "macd":
        return f"MACD histogram {values.macd_histogram:+.3f} ({part:+.2f})"
    if name == "trend":
        return f"SMA gap {values.sma_fast - values.sma_slow:+.2f} ({part:+.2f})"
    return (
        f"close {values.close:.2f} in bands "
        f"[{values.bollinger_lower:.2f}, {values.bollinger_upper:.2f}] ({part:+.2f})"
    )


def _factors(values: IndicatorSnapshot, parts: dict[str, float]) -> tuple[str, ...]:
    return tuple([_factor(values, name, part) for name, part in parts.items()])


class TechnicalAgent:
    """Votes from the context's indicator values (module docstring)."""

    @property
    def name(self) -> str:
        return NAME

    async def analyze(self, context: AgentContext) -> Vote | Abstention:
        """:meth:`vote`, for callers of the async :class:`~trademind.agents.base.Agent` port."""
        return self.vote(context)

    def vote(self, context: AgentContext) -> Vote | Abstention:
        """A local agent (:class:`~trademind.agents.base.LocalAgent`): CPU work only."""
        values = context.indicators
        if values is None or not math.isfinite(values.close):
            return guarded_abstention(NAME, context, "no indicator values for this bar", SOURCE)
        parts = components(values)
        if not parts:
            return guarded_abstention(NAME, context, "indicators warming up", SOURCE)
        direction, score, confidence = combine(parts)
        factors = _factors(values, parts)
        return Vote.unvalidated(  # checked once, by the agent guard
            agent=NAME,
            symbol=context.symbol,
            direction=direction,
            score=score,
            confidence=confidence,
            data_time=context.closed_at,
            source=SOURCE,
            reasoning=f"{len(parts)} of {COMPONENTS} indicators give {score:+.2f} "
            f"(agreement {confidence * COMPONENTS / len(parts):.2f})",
            key_factors=factors,
        )
