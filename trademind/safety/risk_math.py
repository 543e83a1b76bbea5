"""Moved to :mod:`trademind.portfolio.risk_math` (below both the safety layer and the agents, which
share it); this module re-exports it for the existing imports."""

from trademind.portfolio.risk_math import (
    DEFAULT_MIN_DAYS,
    STANDARD_LEVELS,
    FloatArray,
    Method,
    ReturnsWindow,
    RiskFigure,
    RiskInputError,
    check_level,
    historical_tail,
    historical_var_cvar,
    normal_tail_factors,
    parametric_var_cvar,
    post_trade_figures,
)

__all__ = [
    "DEFAULT_MIN_DAYS",
    "STANDARD_LEVELS",
    "FloatArray",
    "Method",
    "ReturnsWindow",
    "RiskFigure",
    "RiskInputError",
    "check_level",
    "historical_tail",
    "historical_var_cvar",
    "normal_tail_factors",
    "parametric_var_cvar",
    "post_trade_figures",
]
