"""Settings of the voting agents and the orchestrator that combines their votes.

The orchestrator's formula is documented in docs/agents.md and
:mod:`trademind.core.voting`. Weights are per agent; the strategy agents share the
``strategy`` weight equally. An agent name that is not a field here is refused (unknown key).
"""

from __future__ import annotations

import math
import re
from typing import Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from trademind.config.base import Section


def _greater(value: float, info: ValidationInfo, other: str) -> float:
    smaller = info.data.get(other)
    if smaller is not None and value <= smaller:
        raise ValueError(f"must be greater than {other} ({smaller})")
    return value


class AgentWeights(Section):
    """Each agent's weight in the vote (>= 0; at least one above 0; 0 lets it vote unheard)."""

    technical: float = Field(
        default=1.0, ge=0, le=100, description="Weight of the technical analysis agent."
    )
    strategy: float = Field(
        default=1.0,
        ge=0,
        le=100,
        description="Weight of the rule strategies together (each enabled strategy votes with "
        "an equal share of it).",
    )
    portfolio: float = Field(
        default=0.0,
        ge=0,
        le=100,
        description="Weight of the portfolio agent (votes to bring each symbol back to its "
        "target weight); 0 logs its votes without counting them.",
    )
    sentiment: float = Field(
        default=0.2,
        ge=0,
        le=100,
        description="Weight of the news sentiment agent (added when sentiment.enabled); "
        "0 logs its votes without counting them.",
    )

    @model_validator(mode="after")
    def _one_weight_counts(self) -> Self:
        if not any(weight > 0 for weight in self.model_dump().values()):
            raise ValueError("at least one agent weight must be above 0")
        return self


class TechnicalAgentSettings(Section):
    """The technical agent: RSI, MACD, moving averages and Bollinger Bands in one vote."""

    rsi_length: int = Field(default=14, ge=2, le=500, description="RSI look-back in bars.")
    macd_fast: int = Field(default=12, ge=2, le=500, description="MACD fast EMA in bars.")
    macd_slow: int = Field(
        default=26, ge=3, le=1000, description="MACD slow EMA in bars (greater than macd_fast)."
    )
    macd_signal: int = Field(default=9, ge=2, le=500, description="MACD signal EMA in bars.")
    ma_fast: int = Field(default=20, ge=2, le=500, description="Fast simple average in bars.")
    ma_slow: int = Field(
        default=50, ge=3, le=1000, description="Slow simple average in bars (greater than ma_fast)."
    )
    bollinger_length: int = Field(
        default=20, ge=2, le=1000, description="Bollinger Bands look-back in bars."
    )
    bollinger_std: float = Field(
        default=2.0, ge=0.1, le=5, description="Bollinger band width in standard deviations."
    )

    @field_validator("macd_slow")
    @classmethod
    def _macd_slow_after_fast(cls, value: int, info: ValidationInfo) -> int:
        return int(_greater(value, info, "macd_fast"))

    @field_validator("ma_slow")
    @classmethod
    def _ma_slow_after_fast(cls, value: int, info: ValidationInfo) -> int:
        return int(_greater(value, info, "ma_fast"))


_UPPER_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9.-]{0,19}$")


class PortfolioAgentSettings(Section):
    """The portfolio agent: target weights per symbol and the drift that asks for a rebalance."""

    targets: dict[str, float] = Field(
        default_factory=dict,
        description="Target weight of equity per symbol (upper-case symbol: weight in (0, 1]; "
        "weights sum to at most 1, the rest is cash). Empty: the agent abstains.",
    )
    drift_threshold: float = Field(
        default=0.05,
        gt=0,
        le=1,
        description="Absolute drift of a symbol's weight from its target (0.05 = 5 points of "
        "equity) beyond which the agent votes to rebalance.",
    )

    @field_validator("targets")
    @classmethod
    def _targets_are_weights(cls, targets: dict[str, float]) -> dict[str, float]:
        for symbol, weight in targets.items():
            if not _UPPER_SYMBOL.match(symbol):
                raise ValueError(
                    f"target symbol {symbol!r} must be an upper-case ticker "
                    f"(letters, digits, '.' and '-'), e.g. {symbol.strip().upper()!r}"
                )
            if not (math.isfinite(weight) and 0.0 < weight <= 1.0):
                raise ValueError(f"target weight of {symbol} must be in (0, 1], got {weight:g}")
        total = math.fsum(targets.values())
        if total > 1.0 + 1e-9:
            raise ValueError(f"target weights sum to {total:g}, above 1 (the whole equity)")
        return targets


class OrchestratorSettings(Section):
    """Weighted voting of the agents into one decision per symbol and bar."""

    enabled: bool = Field(
        default=False,
        description="Let the agents vote in a trading session (replay and paper): the "
        "orchestrator's decision replaces each strategy signal as its own decision, and every "
        "decision (hold and vetoed ones too) is stored with its votes.",
    )
    variant: str = Field(
        default="default",
        min_length=1,
        max_length=32,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Tag stored with every decision, to compare configurations (A/B tests).",
    )
    quorum: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Least fraction of the total weight that must vote (not abstain) for a "
        "trade; below it the decision is hold with 'no quorum'.",
    )
    buy_threshold: float = Field(
        default=0.2, gt=0, le=1, description="Buy when the weighted score is at least this."
    )
    sell_threshold: float = Field(
        default=0.2, gt=0, le=1, description="Sell when the weighted score is at most minus this."
    )
    weights: AgentWeights = Field(default_factory=AgentWeights, description="Agent weights.")
    technical: TechnicalAgentSettings = Field(
        default_factory=TechnicalAgentSettings, description="Technical agent."
    )
    portfolio: PortfolioAgentSettings = Field(
        default_factory=PortfolioAgentSettings, description="Portfolio agent."
    )


_VARIANT_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_SETTING_PATH = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$")
BUILT_IN_VARIANTS = ("rules", "hybrid")
FIXED_SECTIONS = ("app", "database", "logging", "ab")
"""Sections a variant may not change: where the replay runs and what defines the variants."""


class AbSettings(Section):
    """A/B tests (`trademind ab run`, `trade --variants`): user-defined variants."""

    variants: dict[str, dict[str, bool | int | float | str]] = Field(
        default_factory=dict,
        description="Named variants besides the built-in 'rules' and 'hybrid': each a map of "
        "dotted setting paths to values laid over the settings for that variant, e.g. "
        "{'fast-vote': {'orchestrator.enabled': true, 'orchestrator.quorum': 0.3}}. Values are "
        "validated when the variant is used.",
    )

    @field_validator("variants")
    @classmethod
    def _variants_are_overlays(
        cls, variants: dict[str, dict[str, bool | int | float | str]]
    ) -> dict[str, dict[str, bool | int | float | str]]:
        for name, overlay in variants.items():
            if not _VARIANT_NAME.match(name):
                raise ValueError(
                    f"variant name {name!r}: lower-case letters, digits, '-' and '_' (at most "
                    "32, starting with a letter)"
                )
            if name in BUILT_IN_VARIANTS:
                raise ValueError(f"variant {name!r} is built in and cannot be redefined")
            for path in overlay:
                if not _SETTING_PATH.match(path):
                    raise ValueError(
                        f"variant {name!r}: {path!r} is not a dotted setting path such as "
                        "'orchestrator.enabled'"
                    )
                if path.split(".", 1)[0] in FIXED_SECTIONS:
                    raise ValueError(
                        f"variant {name!r}: {path!r} is not allowed (a variant may not change "
                        f"{', '.join(FIXED_SECTIONS)})"
                    )
        return variants
