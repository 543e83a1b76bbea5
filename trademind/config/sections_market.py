"""Settings sections for market data, indicators, strategies and backtests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from trademind.config.base import Periods, Section, Symbol, TimezoneName
from trademind.core.backtest_limits import (
    MONTE_CARLO_RUNS_MAX,
    MONTE_CARLO_RUNS_MIN,
    WALK_FORWARD_WINDOWS_MAX,
    WALK_FORWARD_WINDOWS_MIN,
)

Timeframe = Literal["1m", "5m", "15m", "30m", "1h", "1d", "1wk"]
StrategyName = Literal[
    "rsi_mean_reversion",
    "ma_crossover",
    "bollinger_reversion",
    "macd_momentum",
    "buy_and_hold",
    "meta",
]


def _greater_than_field(value: float, info: ValidationInfo, other: str) -> float:
    """Cross-field check run on the later field: it must exceed ``other`` when both are valid."""
    lower = info.data.get(other)
    if isinstance(lower, int | float) and value <= lower:
        raise ValueError(f"must be greater than {other} ({lower})")
    return value


class DataSettings(Section):
    """Where bars come from and which symbols TradeMind follows."""

    default_source: Literal["yfinance", "csv", "sample", "ibkr"] = Field(
        default="yfinance",
        description="Provider of daily and intraday bars: yfinance (internet), csv (files in "
        "csv_dir), sample (bundled offline data) or ibkr (TWS/Gateway history).",
    )
    adjusted_prices: bool = Field(
        default=True, description="Use split- and dividend-adjusted prices."
    )
    default_timeframe: Timeframe = Field(
        default="1d", description="Bar size used when a command does not name one."
    )
    watchlist: list[Symbol] = Field(
        default_factory=lambda: ["SPY", "QQQ", "AAPL", "MSFT", "NVDA"],
        max_length=500,
        description="Symbols followed by default (data refresh, signals, dashboard).",
    )
    history_days: int = Field(
        default=730,
        ge=1,
        le=18_250,
        description="Calendar days of history fetched when a symbol is first ingested.",
    )
    csv_dir: Path | None = Field(
        default=None,
        description="Directory of CSV bar files for the csv source. Empty: <data_dir>/csv.",
    )
    csv_timezone: TimezoneName = Field(
        default="America/New_York",
        description="Time zone of the date/time columns of intraday CSV files (IANA name); "
        "daily bars are keyed by session date and do not use it.",
    )
    request_timeout: float = Field(
        default=30.0, gt=0, le=600, description="Seconds to wait for a data provider to answer."
    )
    max_retries: int = Field(
        default=3, ge=0, le=10, description="Retries (with backoff) of a failed data request."
    )
    max_close_ratio: float = Field(
        default=10.0,
        ge=2,
        le=1000,
        description="Ingest quarantines a close more than this many times above or below the "
        "median close of the bars around it (10: +900% or -90%) as implausible_return, unless a "
        "split the source reports explains it. Wide on purpose: real crashes and take-overs "
        "must pass.",
    )

    @field_validator("csv_dir")
    @classmethod
    def _expand_home(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None


class IndicatorSettings(Section):
    """Default parameters of the technical indicators computed for every symbol."""

    rsi_period: int = Field(default=14, ge=2, le=500, description="RSI look-back in bars.")
    macd_fast: int = Field(default=12, ge=2, le=500, description="MACD fast EMA length in bars.")
    macd_slow: int = Field(
        default=26, ge=2, le=1000, description="MACD slow EMA length (greater than macd_fast)."
    )
    macd_signal: int = Field(default=9, ge=2, le=500, description="MACD signal line length.")
    sma_periods: Periods = Field(
        default_factory=lambda: [20, 50, 200],
        description="Simple moving averages computed (lengths in bars, 2..1000).",
    )
    ema_periods: Periods = Field(
        default_factory=lambda: [12, 26],
        description="Exponential moving averages computed (lengths in bars, 2..1000).",
    )
    bollinger_period: int = Field(
        default=20, ge=2, le=1000, description="Bollinger Bands look-back in bars."
    )
    bollinger_std: float = Field(
        default=2.0, gt=0, le=5, description="Bollinger Bands width in standard deviations."
    )
    atr_period: int = Field(default=14, ge=2, le=500, description="Average True Range look-back.")
    volume_trend_period: int = Field(
        default=20,
        ge=2,
        le=1000,
        description="Volume trend look-back: volume divided by its simple average over this "
        "many bars.",
    )
    stoch_k_period: int = Field(
        default=14, ge=1, le=500, description="Stochastic %K look-back (highest high, lowest low)."
    )
    stoch_k_smoothing: int = Field(
        default=3, ge=1, le=100, description="Stochastic slow %K: simple average of fast %K."
    )
    stoch_d_period: int = Field(
        default=3, ge=1, le=100, description="Stochastic %D: simple average of slow %K."
    )

    @field_validator("macd_slow")
    @classmethod
    def _slow_after_fast(cls, value: int, info: ValidationInfo) -> int:
        return int(_greater_than_field(value, info, "macd_fast"))


class RsiMeanReversionSettings(Section):
    """Buy when RSI is oversold, sell when it is overbought."""

    length: int = Field(default=14, ge=2, le=500, description="RSI look-back in bars.")
    oversold: float = Field(
        default=30.0, ge=1, le=50, description="RSI level below which the strategy buys."
    )
    overbought: float = Field(
        default=70.0,
        ge=50,
        le=99,
        description="RSI level above which the strategy sells (greater than oversold).",
    )

    @field_validator("overbought")
    @classmethod
    def _above_oversold(cls, value: float, info: ValidationInfo) -> float:
        return _greater_than_field(value, info, "oversold")


class MaCrossoverSettings(Section):
    """Buy when the fast moving average crosses above the slow one, sell on the cross below."""

    fast: int = Field(default=20, ge=2, le=500, description="Fast average length in bars.")
    slow: int = Field(
        default=50, ge=3, le=1000, description="Slow average length in bars (greater than fast)."
    )
    average: Literal["sma", "ema"] = Field(
        default="sma", description="Simple (sma) or exponential (ema) averages."
    )

    @field_validator("slow")
    @classmethod
    def _slow_after_fast(cls, value: int, info: ValidationInfo) -> int:
        return int(_greater_than_field(value, info, "fast"))


class BollingerReversionSettings(Section):
    """Buy a close below the lower Bollinger band, sell once it is above the middle band."""

    length: int = Field(default=20, ge=2, le=1000, description="Bollinger Bands look-back in bars.")
    std: float = Field(default=2.0, ge=0.1, le=5, description="Band width in standard deviations.")


class MacdMomentumSettings(Section):
    """Buy when the MACD line crosses above its signal line, sell on the cross below."""

    fast: int = Field(default=12, ge=2, le=500, description="Fast EMA length in bars.")
    slow: int = Field(
        default=26, ge=3, le=1000, description="Slow EMA length in bars (greater than fast)."
    )
    signal: int = Field(default=9, ge=2, le=500, description="Signal line EMA length in bars.")

    @field_validator("slow")
    @classmethod
    def _slow_after_fast(cls, value: int, info: ValidationInfo) -> int:
        return int(_greater_than_field(value, info, "fast"))


class BuyAndHoldSettings(Section):
    """The benchmark: buy at the first bar and hold to the end (no parameters)."""


def _weight(component: str, default: float) -> Any:
    return Field(
        default=default,
        ge=0,
        le=100,
        description=f"Weight of {component}'s vote (0: not a component; it runs with its "
        "defaults).",
    )


class MetaSettings(Section):
    """The other strategies' signals combined by the orchestrator's weighted vote, per bar."""

    votes: Literal["position", "signal"] = Field(
        default="position",
        description="position: a component votes buy while long, sell while flat; signal: buy "
        "on its entries, sell on its exits, hold otherwise.",
    )
    quorum: float = Field(
        default=0.5,
        ge=0.01,
        le=1,
        description="Least fraction of the total weight that must vote (not warm up) for a signal.",
    )
    buy_threshold: float = Field(
        default=0.2, ge=0.01, le=1, description="Enter when the weighted score is at least this."
    )
    sell_threshold: float = Field(
        default=0.2,
        ge=0.01,
        le=1,
        description="Exit when the weighted score is at most minus this.",
    )
    weight_bollinger_reversion: float = _weight("bollinger_reversion", 0.0)
    weight_buy_and_hold: float = _weight("buy_and_hold", 0.0)
    weight_ma_crossover: float = _weight("ma_crossover", 1.0)
    weight_macd_momentum: float = _weight("macd_momentum", 1.0)
    weight_rsi_mean_reversion: float = _weight("rsi_mean_reversion", 1.0)

    @model_validator(mode="after")
    def _some_weight(self) -> MetaSettings:
        weights = [value for name, value in self if name.startswith("weight_")]
        if not any(weight > 0 for weight in weights):
            raise ValueError("at least one component weight must be above 0")
        return self


def _default_enabled() -> list[StrategyName]:
    return ["rsi_mean_reversion", "ma_crossover"]


class StrategySettings(Section):
    """Which rule-based strategies run, and their parameters (`trademind strategies config`)."""

    enabled: list[StrategyName] = Field(
        default_factory=_default_enabled,
        description="Strategies that produce signals (`trademind strategies enable NAME`).",
    )
    rsi_mean_reversion: RsiMeanReversionSettings = Field(
        default_factory=RsiMeanReversionSettings, description="RSI mean reversion parameters."
    )
    ma_crossover: MaCrossoverSettings = Field(
        default_factory=MaCrossoverSettings, description="Moving average crossover parameters."
    )
    bollinger_reversion: BollingerReversionSettings = Field(
        default_factory=BollingerReversionSettings,
        description="Bollinger Bands reversion parameters.",
    )
    macd_momentum: MacdMomentumSettings = Field(
        default_factory=MacdMomentumSettings, description="MACD momentum parameters."
    )
    buy_and_hold: BuyAndHoldSettings = Field(
        default_factory=BuyAndHoldSettings, description="Buy and hold (no parameters)."
    )
    meta: MetaSettings = Field(
        default_factory=MetaSettings,
        description="Meta-strategy parameters: the weighted vote of the other strategies.",
    )

    @field_validator("enabled")
    @classmethod
    def _no_repeats(cls, value: list[StrategyName]) -> list[StrategyName]:
        if len(set(value)) != len(value):
            raise ValueError("must not name a strategy twice")
        return value


class BacktestSettings(Section):
    """Defaults of a backtest: money, costs and how orders are filled."""

    initial_cash: float = Field(
        default=100_000.0, gt=0, le=1e12, description="Starting cash in dollars."
    )
    commission_model: Literal["per_share", "percentage", "none"] = Field(
        default="per_share",
        description="per_share: IBKR-style dollars per share with a minimum and a cap "
        "(commission_per_share, commission_minimum, commission_maximum_fraction). percentage: "
        "commission_rate times the order value. none: no commission.",
    )
    commission_rate: float = Field(
        default=0.001,
        ge=0,
        le=0.1,
        description="Commission as a fraction of the order value for the percentage model "
        "(0.001 = 0.1%).",
    )
    commission_per_share: float = Field(
        default=0.005, ge=0, le=1, description="Commission in dollars per share traded."
    )
    commission_minimum: float = Field(
        default=1.0, ge=0, le=100, description="Minimum commission per order in dollars."
    )
    commission_maximum_fraction: float = Field(
        default=0.01,
        ge=0,
        le=1,
        description="Commission cap as a fraction of the order value (0.01 = 1%); 0 means no cap.",
    )
    slippage_bps: float = Field(
        default=5.0,
        ge=0,
        le=1000,
        description="Slippage against the trader in basis points of the fill price.",
    )
    fill_price: Literal["next_open", "close"] = Field(
        default="next_open",
        description="next_open: fill at the next bar's open (no look-ahead). close: fill at "
        "the signal bar's close (optimistic).",
    )
    latency_ms: int = Field(
        default=0,
        ge=0,
        le=60_000,
        description="Simulated delay between decision and order arrival in milliseconds.",
    )
    fractional_shares: bool = Field(
        default=True,
        description="Allow fractional share quantities (IBKR trades fractions of US stocks); "
        "false rounds every order down to whole shares.",
    )
    risk_free_rate: float = Field(
        default=0.0, ge=0, le=0.2, description="Annual risk-free rate used for Sharpe/Sortino."
    )
    walk_forward_windows: int = Field(
        default=5,
        ge=WALK_FORWARD_WINDOWS_MIN,
        le=WALK_FORWARD_WINDOWS_MAX,
        description="Number of windows in a walk-forward analysis.",
    )
    monte_carlo_runs: int = Field(
        default=1000,
        ge=MONTE_CARLO_RUNS_MIN,
        le=MONTE_CARLO_RUNS_MAX,
        description="Resamplings in a Monte Carlo analysis.",
    )
