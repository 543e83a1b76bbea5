"""An account's one-day VaR and CVaR now (the dashboard's safety page): the held positions at
their latest prices, the stored daily returns of the held symbols (the last
``safety.var.lookback_days`` complete days before the valuation, ``safety.var.min_days`` at
least, as the pre-trade VaR rules read them), historical and parametric (zero mean) at 95% and
99%, as amounts and as fractions of equity against ``safety.var.max_var`` / ``max_cvar``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from trademind.core.errors import ValidationError
from trademind.data.store import BarStore
from trademind.portfolio.risk_math import ReturnsWindow, RiskInputError
from trademind.safety.returns_history import StoredDailyReturns
from trademind.services.ledger_access import open_ledger

if TYPE_CHECKING:
    from trademind.config.sections_trading import SafetySettings
    from trademind.core.clock import Clock
    from trademind.db.session import Database


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskRow:
    method: str
    level: float
    var: float
    cvar: float
    var_share: float
    cvar_share: float


@dataclass(frozen=True, slots=True, kw_only=True)
class VarView:
    """The figures (empty with ``note`` saying why: no positions, too little history)."""

    account: str
    as_of: datetime
    equity: float
    days: int
    max_var: float
    max_cvar: float
    configured: str
    rows: tuple[RiskRow, ...]
    note: str | None = None


def portfolio_var(
    database: Database, clock: Clock, account: str | None, safety: SafetySettings
) -> VarView:
    """The account's VaR/CVaR now (module docstring)."""
    opened = open_ledger(database, clock, account)
    valuation = opened.valuation
    equity = float(valuation.equity)
    settings = safety.var
    view = VarView(
        account=opened.view.name,
        as_of=valuation.ts,
        equity=equity,
        days=0,
        max_var=settings.max_var,
        max_cvar=settings.max_cvar,
        configured=f"{settings.method} {settings.confidence:.0%}",
        rows=(),
    )
    held = {p.symbol: float(p.quantity * p.market_price) for p in valuation.positions}
    if not held:
        return replace(view, note="no positions: nothing at risk")
    if equity <= 0:
        raise ValidationError(f"{view.account} has no positive equity to measure risk against")
    symbols = tuple(held)
    returns = StoredDailyReturns(BarStore(database)).as_of(valuation.ts + timedelta(days=1))
    try:
        _, matrix = returns.returns_matrix(symbols, settings.lookback_days)
        window = ReturnsWindow.build(symbols, matrix, min_days=settings.min_days)
        vector = window.vector(held)
        figures = window.historical(vector) + window.parametric(vector)
    except (RiskInputError, ValueError) as exc:
        return replace(view, note=f"not measurable: {exc}")
    rows = tuple(
        RiskRow(method=f.method, level=f.level, var=f.var, cvar=f.cvar,
                var_share=f.var / equity, cvar_share=f.cvar / equity)
        for f in figures
    )  # fmt: skip
    return replace(view, days=window.days, rows=rows)
