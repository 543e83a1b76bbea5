"""What the history-based rules (VaR, CVaR, correlation, volatility, beta) share: the returns
window they read, and how they refuse when it is missing.

Every one of them asks :meth:`ReturnsHistory.window` for the same symbols (the held ones, the
order's and the benchmark, sorted) with the same days, so one window per bar serves them all.
Per order, :meth:`HistorySpec.inputs` prepares what they share (the window, the held values,
the post-trade position vector, the VaR/CVaR figures) once: it keeps the inputs of the last
context it saw (contexts are frozen, so the same object means the same order).

Missing history is never zero risk: without a returns history (``context.returns`` None), or
when the symbols the figure needs have too few days (a symbol recently listed, gaps in the
stored bars), the rule **refuses** the order, saying what could not be checked and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trademind.safety.context import PreTradeContext
from trademind.safety.risk_math import FloatArray, Method, ReturnsWindow, RiskFigure
from trademind.safety.verdicts import RuleVerdict, dollars, rejected


@dataclass(frozen=True, slots=True)
class HistorySpec:
    """The returns window the rules read: ``lookback_days`` of daily returns, ``min_days`` of
    them needed per symbol, and the ``benchmark`` symbol (included so that beta shares it)."""

    lookback_days: int
    min_days: int
    benchmark: str | None
    _last: list[tuple[PreTradeContext, RiskInputs]] = field(
        default_factory=list, compare=False, repr=False
    )

    def symbols(self, context: PreTradeContext) -> list[str]:
        held = {symbol for symbol, p in context.positions.items() if p.quantity != 0}
        wanted = held | {context.order.symbol}
        if self.benchmark is not None:
            wanted.add(self.benchmark)
        return sorted(wanted)

    def window(self, context: PreTradeContext) -> ReturnsWindow:
        """The window for ``context``; :class:`RuleUncheckable` when there is no history source
        (a :class:`~trademind.safety.risk_math.RiskInputError` when the history is too short)."""
        if context.returns is None:
            raise RuleUncheckable("no returns history is available")
        return context.returns.window(self.symbols(context), self.lookback_days, self.min_days)

    def inputs(self, context: PreTradeContext) -> RiskInputs:
        """The shared per-order inputs of ``context`` (built once per context); raises like
        :meth:`window`."""
        last = self._last[-1] if self._last else None  # one read: safe across threads
        if last is not None and last[0] is context:
            return last[1]
        prepared = RiskInputs(self.window(context), context)
        self._last[:] = [(context, prepared)]
        return prepared


class RiskInputs:
    """What the history rules share for one order: the window, the held values and, computed
    on first use, the post-trade position vector and the VaR/CVaR figures."""

    __slots__ = ("_after", "_figures", "context", "held", "window")

    def __init__(self, window: ReturnsWindow, context: PreTradeContext) -> None:
        self.window = window
        self.context = context
        self.held = held_values(context)
        self._after: FloatArray | None = None
        self._figures: dict[tuple[Method, float], RiskFigure] = {}

    @property
    def after(self) -> FloatArray:
        """The position vector once the order fills."""
        if self._after is None:
            vector = self.window.vector(self.held)
            symbol = self.context.order.symbol
            self._after = self.window.with_order(vector, symbol, signed_order_value(self.context))
        return self._after

    def figure(self, method: Method, level: float) -> RiskFigure:
        """Post-trade one-day VaR and CVaR at ``level`` by ``method``."""
        key = (method, level)
        found = self._figures.get(key)
        if found is None:
            if method == "historical":
                found = self.window.historical(self.after, (level,))[0]
            else:
                found = self.window.parametric(self.after, (level,))[0]
            self._figures[key] = found
        return found


class RuleUncheckable(Exception):
    """A rule cannot compute its figure; the message says why (the rule refuses)."""


def uncheckable(rule: str, measure: str, why: object) -> RuleVerdict:
    """``"<measure> cannot be checked: <why>"``: the refusal for missing or short history."""
    return rejected(rule, f"{measure} cannot be checked: {why}")


def no_equity(rule: str, context: PreTradeContext) -> RuleVerdict:
    return rejected(rule, f"equity is {dollars(context.equity)}; no new exposure is allowed")


def held_values(context: PreTradeContext) -> dict[str, float]:
    """Signed market values of the held positions (account currency, floats for the maths)."""
    return {
        symbol: float(position.market_value)
        for symbol, position in context.positions.items()
        if position.quantity != 0
    }


def signed_order_value(context: PreTradeContext) -> float:
    """The order's value at its price, negative for a sell."""
    return float(context.signed_quantity * context.price)
