"""Technical fallback sentiment: a labelled score from prices and volumes when the LLM is not used.

When the LLM cannot answer (no key, circuit breaker open, over budget, timeouts) the caller may
ask :func:`technical_sentiment` instead (docs/ai.md, "Fallback"). It reads daily closes and
volumes (oldest first) and never pretends to have read a text: its ``source`` is
:data:`FALLBACK_SOURCE` and its notes say why the LLM was not used and that the answer rests on
technical signals. Four components, each mapped to [-1, 1]:

* momentum ``m = close[-1] / close[-21] - 1``, component ``tanh(m / 0.10)``;
* volume trend ``v = mean(volume[-5:]) / mean(volume[-20:]) - 1``, component
  ``sign(m) x tanh(v / 0.5)`` (rising volume confirms the price move, falling volume weakens it);
* RSI(14) (Wilder, as the indicator kernels), component ``(rsi - 50) / 50``; 0 when the last
  15 closes are all equal (TA-Lib's RSI reads 0 there, which is not a sell-off);
* MACD(12, 26, 9) histogram ``h``, component ``tanh(h / close[-1] / 0.005)``.

``score`` is their weighted sum with :data:`COMPONENT_WEIGHTS` (0.35, 0.15, 0.25, 0.25, summing
to 1); the label is ``positive`` above :data:`~trademind.agents.sentiment.combine.NEUTRAL_BAND`,
``negative`` below its negative, else ``neutral``; ``confidence = min(1, |score|) x 0.6``
(:data:`CONFIDENCE_FACTOR`). A flat series is therefore neutral with confidence 0. Fewer than
:data:`MIN_CLOSES` closes after the last NaN, or a NaN, negative or all-zero 20-day volume,
abstain with the reason.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import numpy.typing as npt

from trademind.agents.scalar_indicators import ScalarMacd, ScalarRsi
from trademind.agents.sentiment.combine import label_for
from trademind.agents.sentiment.port import Abstention, SentimentResult
from trademind.core.errors import ValidationError

FALLBACK_SOURCE: Final = "fallback"
FALLBACK_NOTE: Final = "fallback: technical signals, not text"
MIN_CLOSES: Final = 35
"""MACD(12, 26, 9)'s first histogram value is at bar 34 (the 34th close); one more for margin."""
MOMENTUM_DAYS: Final = 20
VOLUME_SHORT_DAYS: Final = 5
VOLUME_LONG_DAYS: Final = 20
RSI_PERIOD: Final = 14
MACD_PERIODS: Final = (12, 26, 9)
MOMENTUM_SCALE: Final = 0.10
VOLUME_SCALE: Final = 0.5
MACD_SCALE: Final = 0.005
COMPONENT_WEIGHTS: Final[dict[str, float]] = {
    "momentum": 0.35,
    "volume": 0.15,
    "rsi": 0.25,
    "macd": 0.25,
}
CONFIDENCE_FACTOR: Final = 0.6
"""Technical signals say less about sentiment than a text does: the confidence is capped here."""


def technical_sentiment(
    closes: npt.ArrayLike, volumes: npt.ArrayLike, *, reason: str
) -> SentimentResult | Abstention:
    """A fallback answer from daily ``closes`` and ``volumes`` (oldest first, same length).
    ``reason`` is why the LLM was not used (e.g. "circuit breaker open")."""
    close, volume = _validated(closes, volumes, reason)
    why = f"LLM not used: {reason}"
    finite = _finite_suffix(close)
    if finite.size < MIN_CLOSES:
        return _abstain(
            f"fewer than {MIN_CLOSES} consecutive closes without NaN ({finite.size})", why
        )
    recent_volume = volume[-VOLUME_LONG_DAYS:]
    if not np.all(np.isfinite(recent_volume)) or np.any(recent_volume < 0):
        return _abstain(f"NaN or negative volume in the last {VOLUME_LONG_DAYS} days", why)
    if float(recent_volume.sum()) == 0.0:
        return _abstain(f"no volume in the last {VOLUME_LONG_DAYS} days", why)
    components, factors = _components(finite, recent_volume)
    score = sum(COMPONENT_WEIGHTS[name] * value for name, value in components.items())
    score = min(1.0, max(-1.0, score))
    return SentimentResult(
        label=label_for(score),
        score=score,
        confidence=min(1.0, abs(score)) * CONFIDENCE_FACTOR,
        key_factors=factors,
        source=FALLBACK_SOURCE,
        notes=(why, FALLBACK_NOTE),
    )


def _validated(
    closes: npt.ArrayLike, volumes: npt.ArrayLike, reason: str
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    if not reason.strip():
        raise ValidationError("fallback sentiment needs the reason the LLM was not used")
    close = np.asarray(closes, dtype=np.float64)
    volume = np.asarray(volumes, dtype=np.float64)
    if close.ndim != 1 or volume.ndim != 1 or close.shape != volume.shape:
        raise ValidationError(
            f"closes and volumes must be 1-D and of equal length, got {close.shape}"
            f" and {volume.shape}"
        )
    return close, volume


def _finite_suffix(close: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The closes after the last non-finite one (all of them when there is none)."""
    bad = np.flatnonzero(~np.isfinite(close))
    return close[bad[-1] + 1 :] if bad.size else close


def _components(
    close: npt.NDArray[np.float64], volume: npt.NDArray[np.float64]
) -> tuple[dict[str, float], tuple[str, ...]]:
    momentum = float(close[-1] / close[-1 - MOMENTUM_DAYS] - 1.0)
    volume_trend = float(volume[-VOLUME_SHORT_DAYS:].mean() / volume.mean() - 1.0)
    rsi = _last_rsi(close)
    histogram = _last_macd_histogram(close)
    flat = float(np.ptp(close[-RSI_PERIOD - 1 :])) == 0.0
    components = {
        "momentum": math.tanh(momentum / MOMENTUM_SCALE),
        "volume": math.copysign(1.0, momentum) * math.tanh(volume_trend / VOLUME_SCALE)
        if momentum != 0
        else 0.0,
        "rsi": 0.0 if flat else (rsi - 50.0) / 50.0,
        "macd": math.tanh(histogram / float(close[-1]) / MACD_SCALE),
    }
    factors = (
        f"{MOMENTUM_DAYS}-day momentum {momentum:+.1%}",
        f"volume trend {volume_trend:+.1%} ({VOLUME_SHORT_DAYS}-day over {VOLUME_LONG_DAYS}-day)",
        f"RSI({RSI_PERIOD}) {rsi:.1f}" + (" (flat closes)" if flat else ""),
        f"MACD histogram {histogram:+.4g} ({histogram / float(close[-1]):+.2%} of price)",
    )
    return components, factors


def _last_rsi(close: npt.NDArray[np.float64]) -> float:
    stepper = ScalarRsi(RSI_PERIOD)
    value = math.nan
    for price in close.tolist():
        value = stepper.push(price)
    return value


def _last_macd_histogram(close: npt.NDArray[np.float64]) -> float:
    stepper = ScalarMacd(*MACD_PERIODS)
    histogram = math.nan
    for price in close.tolist():
        _, _, histogram = stepper.push(price)
    return histogram


def _abstain(why_not: str, why_no_llm: str) -> Abstention:
    return Abstention(reason=f"fallback abstains: {why_not} ({why_no_llm})", source=FALLBACK_SOURCE)
