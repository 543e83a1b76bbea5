"""Settings sections for the safety layer and the brokers (paper and Interactive Brokers)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator

from trademind.config.base import Section

PreTradeRuleName = Literal[
    "max_order_quantity",
    "max_order_value",
    "buying_power",
    "max_position_size",
    "max_positions",
    "sector_concentration",
    "duplicate_order",
    "order_rate",
    "market_hours",
    "pattern_day_trader",
    "portfolio_heat",
    "volatility",
    "correlation_limit",
    "beta_adjusted_size",
    "portfolio_var",
    "portfolio_cvar",
]
"""The pre-trade rules ``safety.disabled_rules`` may name (trademind.safety.catalogue)."""


class CircuitBreakerSettings(Section):
    """Stops all new orders after a drawdown or a losing streak."""

    enabled: bool = Field(default=True, description="Trip the breaker on the conditions below.")
    max_drawdown: float = Field(
        default=0.10,
        gt=0,
        le=1,
        description="Drawdown from the equity peak (fraction, 0.10 = 10%) that trips it.",
    )
    max_consecutive_losses: int = Field(
        default=5, ge=1, le=100, description="Losing trades in a row that trip it."
    )
    cooldown_minutes: int = Field(
        default=60, ge=1, le=10_080, description="Minutes before a tripped breaker may reset."
    )
    require_manual_reset: bool = Field(
        default=True,
        description="Stay tripped until `trademind safety reset-circuit-breaker`, even after "
        "the cooldown.",
    )
    drawdown_action: Literal["reducing", "halted"] = Field(
        default="halted",
        description="The trading state the drawdown breaker sets: reducing (only orders that "
        "reduce a position) or halted.",
    )
    flatten_on_daily_loss: bool = Field(
        default=False,
        description="When the daily loss limit trips, also sell every position at the next "
        "bar's open (market orders).",
    )
    max_rejections: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Broker rejections among the last rejection_window orders that trip it "
        "(the safety layer's own refusals do not count).",
    )
    rejection_window: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="How many of the latest orders the rejection count looks at.",
    )
    stale_bar_lengths: float = Field(
        default=3.0,
        ge=1,
        le=1000,
        description="Paper and live sessions: trip (halted) when, during a session, a symbol's "
        "newest bar is older than this many bar lengths while the session goes on.",
    )
    adaptive: bool = Field(
        default=False,
        description="Scale the daily loss limit and max_drawdown with the realised volatility "
        "of the account's daily equity returns (each change of the effective value is logged).",
    )
    reference_volatility: float = Field(
        default=0.20,
        gt=0,
        le=5,
        description="Annualised volatility (0.20 = 20%) at which the adaptive thresholds equal "
        "the configured ones.",
    )
    adaptive_elasticity: float = Field(
        default=1.0,
        ge=-3,
        le=3,
        description="How the adaptive thresholds follow volatility: effective = limit x "
        "clip((realised / reference) ** elasticity, 0.5, 2); 1 widens them in volatile markets, "
        "-1 tightens them, 0 keeps them fixed.",
    )

    @model_validator(mode="after")
    def _rejections_fit(self) -> Self:
        if self.max_rejections > self.rejection_window:
            raise ValueError(
                f"max_rejections ({self.max_rejections}) is above rejection_window "
                f"({self.rejection_window}): the breaker could never trip"
            )
        return self


class PdtSettings(Section):
    """FINRA pattern-day-trader rule for margin accounts under the equity threshold."""

    enabled: bool = Field(default=True, description="Enforce the pattern-day-trader rule.")
    equity_threshold: float = Field(
        default=25_000.0,
        ge=0,
        le=1e9,
        description="Account equity in dollars at or above which the rule does not apply.",
    )
    max_day_trades: int = Field(
        default=3,
        ge=0,
        le=100,
        description="Day trades allowed within the rolling window below the threshold.",
    )
    window_days: int = Field(default=5, ge=1, le=30, description="Rolling window in business days.")


CONFIDENCE_LEVELS = (0.95, 0.99)


class VarSettings(Section):
    """Post-trade one-day VaR and CVaR limits; the returns window of every history rule."""

    enabled: bool = Field(
        default=True,
        description="Refuse orders that push the post-trade VaR or CVaR over its limit.",
    )
    method: Literal["historical", "parametric"] = Field(
        default="historical",
        description="How VaR and CVaR are estimated: historical (the window's daily losses) or "
        "parametric (normal, zero mean).",
    )
    confidence: float = Field(
        default=0.95, description="VaR and CVaR confidence level: 0.95 or 0.99."
    )
    lookback_days: int = Field(
        default=252,
        ge=20,
        le=5000,
        description="Trading days of daily returns read for VaR, CVaR, correlation, volatility "
        "and beta.",
    )
    min_days: int = Field(
        default=60,
        ge=20,
        le=5000,
        description="Fewest days of returns a symbol needs in that window; an entry in a symbol "
        "(or a portfolio holding one) with fewer is refused by those rules.",
    )
    max_var: float = Field(
        default=0.05,
        gt=0,
        le=1,
        description="Largest one-day VaR after the order, as a fraction of equity (0.05 = 5%).",
    )
    max_cvar: float = Field(
        default=0.075,
        gt=0,
        le=1,
        description="Largest one-day CVaR (mean loss beyond VaR) after the order, as a "
        "fraction of equity (0.075 = 7.5%).",
    )

    @field_validator("confidence")
    @classmethod
    def _standard_level(cls, value: float) -> float:
        if value not in CONFIDENCE_LEVELS:
            raise ValueError(f"confidence must be 0.95 or 0.99, got {value:g}")
        return value

    @model_validator(mode="after")
    def _window_fits(self) -> Self:
        if self.min_days > self.lookback_days:
            raise ValueError(
                f"min_days ({self.min_days}) is above lookback_days ({self.lookback_days}): "
                "no symbol could ever have enough history"
            )
        return self


class RiskSizingSettings(Section):
    """How the risk agent sizes entries (Kelly) and sets take-profit levels."""

    kelly: bool = Field(
        default=False,
        description="Also cap each entry by fractional Kelly sizing from the account's closed "
        "round trips (win rate and payoff); false sizes by the limits alone.",
    )
    kelly_fraction: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Fraction of the full Kelly bet taken (0.5 = half Kelly).",
    )
    kelly_cap: float = Field(
        default=0.25,
        gt=0,
        le=1,
        description="Largest Kelly position as a fraction of equity (0.25 = 25%), whatever the "
        "Kelly formula says.",
    )
    kelly_min_trades: int = Field(
        default=20,
        ge=2,
        le=100_000,
        description="Fewest closed round trips before Kelly sizing applies; with fewer, entries "
        "are sized by the limits alone (and the sizing says so).",
    )
    take_profit_multiple: float = Field(
        default=2.0,
        gt=0,
        le=100,
        description="Reward-to-risk multiple of the take-profit level the risk agent sets when "
        "the account sets none: entry + multiple x (entry - stop).",
    )


class SafetySettings(Section):
    """Limits every order must pass before it reaches a broker (paper and live alike)."""

    enabled: bool = Field(
        default=True,
        description="Run the pre-trade rules, the risk sizing and the circuit breakers on every "
        "order of a trading session; false leaves only the trading state (emergency stop, "
        "manual halts) in force, and a replay then fills exactly as the backtest.",
    )
    require_validation: bool = Field(
        default=True,
        description="Paper (and live) trading refuses a strategy, with its parameters, whose "
        "latest `trademind safety validate` is missing or failed; replays are never gated.",
    )
    daily_loss_limit: float = Field(
        default=0.02,
        gt=0,
        le=1,
        description="Loss since the start of the day, as a fraction of start-of-day equity "
        "(0.02 = 2%), at which trading stops for the day.",
    )
    max_position_size: float = Field(
        default=0.10,
        gt=0,
        le=1,
        description="Largest single position as a fraction of equity (0.10 = 10%).",
    )
    max_positions: int = Field(
        default=10, ge=1, le=500, description="Most open positions at the same time."
    )
    max_order_value: float = Field(
        default=10_000.0, gt=0, le=1e9, description="Largest single order in dollars."
    )
    max_sector_concentration: float = Field(
        default=0.30,
        gt=0,
        le=1,
        description="Largest share of equity held in one sector (0.30 = 30%).",
    )
    volatility_threshold: float = Field(
        default=0.60,
        gt=0,
        le=10,
        description="Annualised volatility of a symbol (0.60 = 60%) above which new entries "
        "are refused.",
    )
    max_portfolio_heat: float = Field(
        default=0.06,
        gt=0,
        le=1,
        description="Total open risk (sum over positions of distance to stop times size) as "
        "a fraction of equity.",
    )
    max_correlation: float = Field(
        default=0.80,
        gt=0,
        le=1,
        description="Correlation limit: an entry whose daily returns correlate above this with "
        "a held position in the same direction (a hedge does not count) is refused.",
    )
    benchmark_symbol: str | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        pattern=r"^[A-Z0-9.^=-]+$",
        description="Benchmark for beta-adjusted sizing (e.g. SPY, with its daily bars "
        "ingested): a position's beta (absolute) times its value may not exceed "
        "max_position_size of equity. Unset (the default): the beta rule is off.",
    )
    default_stop_loss: float = Field(
        default=0.05,
        gt=0,
        lt=1,
        description="Stop-loss distance below entry as a fraction (0.05 = 5%) when a strategy "
        "sets none.",
    )
    duplicate_order_window_seconds: int = Field(
        default=60,
        ge=0,
        le=3600,
        description="An order with the same symbol and side as one sent within this many "
        "seconds is refused as a duplicate; 0 turns that off (a repeated client order id is "
        "always refused).",
    )
    max_order_quantity: float = Field(
        default=5_000.0, gt=0, le=1e9, description="Largest single order in shares."
    )
    buying_power_buffer: float = Field(
        default=0.01,
        ge=0,
        le=0.5,
        description="Pre-trade credit check: an order's opening value plus this fraction "
        "(0.01 = 1%, for slippage and commission) must fit in the buying power.",
    )
    max_orders_per_window: int = Field(
        default=30,
        ge=1,
        le=10_000,
        description="Order rate throttle: most orders sent in any rolling window below.",
    )
    order_rate_window_seconds: int = Field(
        default=60,
        gt=0,
        le=86_400,
        description="Length of the order rate throttle's rolling window, in seconds.",
    )
    market_hours_only: bool = Field(
        default=True,
        description="Refuse orders while the exchange's regular session (NYSE) is closed.",
    )
    disabled_rules: list[PreTradeRuleName] = Field(
        default_factory=list,
        description="Pre-trade rules to skip (names as in docs/safety.md); the trading state "
        "gate cannot be disabled.",
    )
    circuit_breaker: CircuitBreakerSettings = Field(
        default_factory=CircuitBreakerSettings, description="Circuit breaker."
    )
    pdt: PdtSettings = Field(default_factory=PdtSettings, description="Pattern-day-trader rule.")
    var: VarSettings = Field(default_factory=VarSettings, description="Value at Risk limit.")
    sizing: RiskSizingSettings = Field(
        default_factory=RiskSizingSettings, description="Risk agent's sizing (Kelly, take-profit)."
    )

    @model_validator(mode="after")
    def _limits_agree(self) -> Self:
        """Limits that contradict each other: no order could ever satisfy both."""
        if self.max_position_size > self.max_sector_concentration:
            raise ValueError(
                f"max_position_size ({self.max_position_size:g}) is above "
                f"max_sector_concentration ({self.max_sector_concentration:g}): a position that "
                "large could never be held in any sector; lower the first or raise the second"
            )
        one_position_heat = self.max_position_size * self.default_stop_loss
        if one_position_heat > self.max_portfolio_heat:
            raise ValueError(
                f"one full-size position (max_position_size {self.max_position_size:g}) with "
                f"the default stop ({self.default_stop_loss:g}) risks {one_position_heat:g} of "
                f"equity, above max_portfolio_heat ({self.max_portfolio_heat:g})"
            )
        return self


class BrokerSettings(Section):
    """Which broker receives orders."""

    type: Literal["paper", "ibkr"] = Field(
        default="paper",
        description="paper: simulated fills with the backtest fill model. ibkr: Interactive "
        "Brokers through TWS or IB Gateway (see the ibkr section).",
    )
    live_trading_enabled: bool = Field(
        default=False,
        description="Must be true for orders to reach a live (real money) account; live mode "
        "refuses to start otherwise.",
    )
    paper_initial_cash: float = Field(
        default=100_000.0, gt=0, le=1e12, description="Starting cash of the paper account."
    )


class IbkrSettings(Section):
    """Connection to TWS / IB Gateway and the broker-side order limits."""

    host: str = Field(
        default="127.0.0.1", min_length=1, description="Host running TWS or IB Gateway."
    )
    port: int = Field(
        default=7497,
        ge=1,
        le=65535,
        description="API port: 7497 TWS paper, 7496 TWS live (4002/4001 for IB Gateway).",
    )
    client_id: int = Field(
        default=1,
        ge=0,
        le=2_147_483_647,
        description="API client id; each connection to the same TWS needs its own.",
    )
    connect_timeout: float = Field(
        default=10.0, gt=0, le=300, description="Seconds to wait for the API handshake."
    )
    reconnect_attempts: int = Field(
        default=5, ge=0, le=100, description="Reconnection attempts after a lost connection."
    )
    reconnect_delay: float = Field(
        default=5.0, gt=0, le=3600, description="Seconds between reconnection attempts."
    )
    default_order_type: Literal["MKT", "LMT", "STP", "STP LMT"] = Field(
        default="MKT", description="Order type when a decision does not choose one."
    )
    time_in_force: Literal["DAY", "GTC", "IOC", "OPG"] = Field(
        default="DAY", description="Time in force when a decision does not choose one."
    )
    max_order_size: int = Field(
        default=1000, gt=0, le=10_000_000, description="Largest order IBKR accepts, in shares."
    )
    max_order_value: float = Field(
        default=50_000.0, gt=0, le=1e9, description="Largest order sent to IBKR, in dollars."
    )
    market_data_type: Literal["realtime", "frozen", "delayed", "delayed_frozen"] = Field(
        default="delayed",
        description="Market data IBKR sends: realtime needs a subscription; delayed is free.",
    )
    account: SecretStr | None = Field(
        default=None,
        description="IBKR account id (e.g. DU1234567). Secret: set TRADEMIND__IBKR__ACCOUNT. "
        "Empty: the first account of the login.",
    )
