"""Moved to :mod:`trademind.portfolio.exposure` (below both the safety layer and the agents, which
share it); this module re-exports it for the existing imports."""

from trademind.portfolio.exposure import (
    DEFAULT_BETA_FLOOR,
    TRADING_DAYS_PER_YEAR,
    BetaAdjustedSize,
    Comovement,
    CorrelationReport,
    HeatReport,
    HeldCorrelations,
    StopRisk,
    annualised_volatility,
    beta,
    beta_adjusted_value,
    correlation_with_held,
    heat,
    heat_after,
    heat_of_arrays,
    strongest_comovement,
    window_volatility,
)

__all__ = [
    "DEFAULT_BETA_FLOOR",
    "TRADING_DAYS_PER_YEAR",
    "BetaAdjustedSize",
    "Comovement",
    "CorrelationReport",
    "HeatReport",
    "HeldCorrelations",
    "StopRisk",
    "annualised_volatility",
    "beta",
    "beta_adjusted_value",
    "correlation_with_held",
    "heat",
    "heat_after",
    "heat_of_arrays",
    "strongest_comovement",
    "window_volatility",
]
