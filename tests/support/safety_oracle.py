"""An independent model of the pre-trade limits, for property tests of the safety layer.

Every limit of docs/safety.md ("Pre-trade rules", "Risk rules") recomputed with plain
arithmetic (Decimal for money, numpy for the history figures) from a :class:`Snapshot` of the
account just before an order is placed. Nothing here calls a rule class, the chain, the
catalogue, the risk maths or the calendar of the code under test: :func:`violations` names
every enabled limit the order breaks, with the figures, so that a test can assert both ways
(an order that reached the broker breaks none; an order refused by rule R breaks R).

``correlation_limit`` and ``beta_adjusted_size`` are not recomputed (:data:`NOT_RECOMPUTED`):
see the docstring of ``tests/unit/safety/test_safety_stateful.py``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from statistics import NormalDist
from zoneinfo import ZoneInfo

import numpy as np

from trademind.config.sections_trading import SafetySettings
from trademind.core.orders import Order, OrderSide
from trademind.core.trading_state import TradingState

NEW_YORK = ZoneInfo("America/New_York")
ALWAYS_REDUCING = frozenset({"emergency-liquidation", "protective-stop"})
ALL_RULES = (
    "max_order_quantity",
    "max_order_value",
    "buying_power",
    "max_position_size",
    "max_positions",
    "sector_concentration",
    "portfolio_heat",
    "duplicate_order",
    "order_rate",
    "market_hours",
    "pattern_day_trader",
    "volatility",
    "correlation_limit",
    "beta_adjusted_size",
    "portfolio_var",
    "portfolio_cvar",
)
NOT_RECOMPUTED = frozenset({"correlation_limit", "beta_adjusted_size"})
HISTORY_RULES = ("volatility", "portfolio_var", "portfolio_cvar")
ENTRY_ONLY = frozenset(ALL_RULES) - {
    "duplicate_order",
    "order_rate",
    "market_hours",
    "pattern_day_trader",
}
FLOAT_SLACK = 1e-9
"""Relative slack for the float figures (VaR, CVaR, volatility): the code sums in another
order than numpy here; a figure within this of its limit is not judged either way."""


@dataclass(frozen=True, slots=True)
class Sent:
    client_order_id: str
    symbol: str
    side: OrderSide
    at: datetime


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The account as it was just before the order: cash, positions (symbol -> (signed
    quantity, mark)), the last close seen per symbol, the trading state, the orders that reached
    the broker and the fills (time, symbol, side)."""

    at: datetime
    cash: Decimal
    buying_power: Decimal
    positions: Mapping[str, tuple[Decimal, Decimal]]
    closes: Mapping[str, Decimal]
    state: TradingState
    sent: Sequence[Sent]
    fills: Sequence[tuple[datetime, str, OrderSide]]

    @property
    def equity(self) -> Decimal:
        return self.cash + sum((q * m for q, m in self.positions.values()), Decimal(0))

    def held(self, symbol: str) -> Decimal:
        return self.positions.get(symbol, (Decimal(0), Decimal(0)))[0]


def enabled_rules(cfg: SafetySettings) -> set[str]:
    """The rule names the settings leave on (docs/safety.md, the switches of each rule)."""
    off = set(cfg.disabled_rules)
    if not cfg.market_hours_only:
        off.add("market_hours")
    if not cfg.pdt.enabled:
        off.add("pattern_day_trader")
    if cfg.benchmark_symbol is None:
        off.add("beta_adjusted_size")
    if not cfg.var.enabled:
        off |= {"portfolio_var", "portfolio_cvar"}
    return set(ALL_RULES) - off


def d(value: float) -> Decimal:
    """A setting as the decimal it was written as."""
    return Decimal(str(value))


def is_open(at: datetime) -> bool:
    local = at.astimezone(NEW_YORK)
    return local.weekday() < 5 and time(9, 30) <= local.time() < time(16, 0)


@dataclass(frozen=True, slots=True)
class OrderFacts:
    order: Order
    price: Decimal
    held: Decimal
    after: Decimal
    signed: Decimal

    @classmethod
    def of(cls, order: Order, reference: Decimal, held: Decimal) -> OrderFacts:
        price = reference
        if order.side is OrderSide.BUY and order.limit_price is not None:
            price = max(price, order.limit_price)
        signed = order.quantity if order.side is OrderSide.BUY else -order.quantity
        return cls(order, price, held, held + signed, signed)

    @property
    def reduces(self) -> bool:
        if self.held == 0 or abs(self.after) >= abs(self.held):
            return False
        return self.after == 0 or (self.after > 0) == (self.held > 0)

    @property
    def opening(self) -> Decimal:
        if self.held == 0 or (self.held > 0) == (self.signed > 0):
            return self.order.quantity
        return max(Decimal(0), self.order.quantity - abs(self.held))


def state_refuses(order: Order, snap: Snapshot) -> bool:
    """The trading state (docs/safety.md "Trading state", the router's gate)."""
    sell_within = order.side is OrderSide.SELL and order.quantity <= snap.held(order.symbol)
    if snap.state is TradingState.ACTIVE:
        return False
    if snap.state is TradingState.REDUCING:
        return not sell_within
    return not (sell_within and order.decision_id in ALWAYS_REDUCING)


def bypasses_rules(order: Order, snap: Snapshot) -> bool:
    """The emergency liquidation's and the monitored stop's sells of at most the position pass
    without the rules (docs/safety.md "The emergency stop")."""
    sell_within = order.side is OrderSide.SELL and order.quantity <= snap.held(order.symbol)
    return sell_within and order.decision_id in ALWAYS_REDUCING


def violations(
    order: Order,
    snap: Snapshot,
    cfg: SafetySettings,
    sectors: Mapping[str, str],
    returns: Mapping[str, np.ndarray] | None,
) -> dict[str, str]:
    """Every limit ``order`` breaks given ``snap``: rule name -> figures."""
    found: dict[str, str] = {}
    if state_refuses(order, snap):
        found["trading_state"] = f"{snap.state} refuses this {order.side} of {order.symbol}"
        return found
    if bypasses_rules(order, snap):
        return found
    reference = snap.closes.get(order.symbol)
    if reference is None:
        return {"reference_price": f"no close seen for {order.symbol}"}
    facts = OrderFacts.of(order, reference, snap.held(order.symbol))
    if snap.state is TradingState.REDUCING and not facts.reduces:
        found["trading_state"] = "reducing-only, the order does not reduce"
    on = enabled_rules(cfg)
    checks = _flow_checks(facts, snap, cfg)
    if not facts.reduces:
        checks |= _size_checks(facts, snap, cfg, sectors)
        checks |= _history_checks(facts, snap, cfg, returns)
    found |= {name: why for name, why in checks.items() if name in on}
    return found


def _size_checks(
    f: OrderFacts, snap: Snapshot, cfg: SafetySettings, sectors: Mapping[str, str]
) -> dict[str, str]:
    out: dict[str, str] = {}
    equity, q, symbol = snap.equity, f.order.quantity, f.order.symbol
    if q > d(cfg.max_order_quantity):
        out["max_order_quantity"] = f"{q} > {cfg.max_order_quantity}"
    if q * f.price > d(cfg.max_order_value):
        out["max_order_value"] = f"{q} x {f.price} > {cfg.max_order_value}"
    needed = f.opening * f.price * (1 + d(cfg.buying_power_buffer))
    if needed > snap.buying_power:
        out["buying_power"] = f"needs {needed} > {snap.buying_power}"
    value_after = {s: abs(qty * mark) for s, (qty, mark) in snap.positions.items()}
    value_after[symbol] = abs(f.after) * f.price
    if equity <= 0 or value_after[symbol] > d(cfg.max_position_size) * equity:
        out["max_position_size"] = f"{value_after[symbol]} of equity {equity}"
    open_now = sum(1 for qty, _ in snap.positions.values() if qty != 0)
    if f.held == 0 and open_now >= cfg.max_positions:
        out["max_positions"] = f"{open_now} open, limit {cfg.max_positions}"
    sector = sectors.get(symbol, "unknown")
    in_sector = sum(v for s, v in value_after.items() if sectors.get(s, "unknown") == sector)
    if equity <= 0 or in_sector > d(cfg.max_sector_concentration) * equity:
        out["sector_concentration"] = f"{sector} {in_sector} of equity {equity}"
    gross = sum(value_after.values(), Decimal(0))
    if equity <= 0 or gross * d(cfg.default_stop_loss) > d(cfg.max_portfolio_heat) * equity:
        out["portfolio_heat"] = f"gross {gross} x {cfg.default_stop_loss} of equity {equity}"
    return out


def _flow_checks(f: OrderFacts, snap: Snapshot, cfg: SafetySettings) -> dict[str, str]:
    out: dict[str, str] = {}
    order, now = f.order, snap.at
    if any(s.client_order_id == order.client_order_id for s in snap.sent):
        out["duplicate_order"] = f"id {order.client_order_id} sent before"
    window = timedelta(seconds=cfg.duplicate_order_window_seconds)
    if cfg.duplicate_order_window_seconds and any(
        s.symbol == order.symbol and s.side is order.side and now - window <= s.at <= now
        for s in snap.sent
    ):
        out["duplicate_order"] = f"{order.side} {order.symbol} within {window}"
    rate_window = timedelta(seconds=cfg.order_rate_window_seconds)
    recent = sum(1 for s in snap.sent if now - rate_window < s.at <= now)
    if recent >= cfg.max_orders_per_window:
        out["order_rate"] = f"{recent} sent in {rate_window}"
    if not is_open(now):
        out["market_hours"] = f"closed at {now}"
    pdt = cfg.pdt
    if snap.equity < d(pdt.equity_threshold) and _completes_day_trade(order, snap):
        used = _day_trades_in_window(snap.fills, now, pdt.window_days)
        if used >= pdt.max_day_trades:
            out["pattern_day_trader"] = f"{used} day trades used of {pdt.max_day_trades}"
    return out


def _ny_date(at: datetime) -> str:
    return at.astimezone(NEW_YORK).date().isoformat()


def _day_trades(fills: Sequence[tuple[datetime, str, OrderSide]]) -> dict[str, int]:
    sides: dict[tuple[str, str], list[OrderSide]] = defaultdict(list)
    for at, symbol, side in sorted(fills, key=lambda one: one[0]):
        sides[(_ny_date(at), symbol)].append(side)
    counts: dict[str, int] = defaultdict(int)
    for (day, _), seq in sides.items():
        counts[day] += sum(1 for a, b in pairwise(seq) if a is seq[0] != b)
    return counts


def _day_trades_in_window(
    fills: Sequence[tuple[datetime, str, OrderSide]], now: datetime, days: int
) -> int:
    day, window = now.astimezone(NEW_YORK).date(), set[str]()
    while len(window) < days:
        if day.weekday() < 5:
            window.add(day.isoformat())
        day -= timedelta(days=1)
    return sum(n for date, n in _day_trades(fills).items() if date in window)


def _completes_day_trade(order: Order, snap: Snapshot) -> bool:
    today = _ny_date(snap.at)
    same = [f for f in snap.fills if f[1] == order.symbol and _ny_date(f[0]) == today]
    before = _day_trades(same).get(today, 0)
    return _day_trades([*same, (snap.at, order.symbol, order.side)]).get(today, 0) > before


def _history_checks(
    f: OrderFacts, snap: Snapshot, cfg: SafetySettings, returns: Mapping[str, np.ndarray] | None
) -> dict[str, str]:
    symbol = f.order.symbol
    held = {s: float(q * m) for s, (q, m) in snap.positions.items() if q != 0}
    wanted = set(held) | {symbol} | ({cfg.benchmark_symbol} if cfg.benchmark_symbol else set())
    names = sorted(wanted)
    window = _window(names, cfg, returns)
    if isinstance(window, str):
        return dict.fromkeys(HISTORY_RULES, window)
    kept, rows = window
    out: dict[str, str] = {}
    if symbol not in kept:
        out["volatility"] = f"{symbol} has too little history"
    else:
        vol = float(np.std(rows[:, kept.index(symbol)], ddof=1) * math.sqrt(252))
        if vol > cfg.volatility_threshold * (1 + FLOAT_SLACK):
            out["volatility"] = f"{symbol} volatility {vol:.6f} > {cfg.volatility_threshold}"
    needed = set(held) | {symbol}
    if not needed <= set(kept):
        why = f"{sorted(needed - set(kept))} have too little history"
        return out | {"portfolio_var": why, "portfolio_cvar": why}
    vector = np.zeros(len(kept))
    for s, value in held.items():
        vector[kept.index(s)] += value
    vector[kept.index(symbol)] += float(f.signed * f.price)
    var, cvar = _var_cvar(rows, vector, cfg)
    equity = float(snap.equity)
    if equity <= 0 or var / equity > cfg.var.max_var * (1 + FLOAT_SLACK):
        out["portfolio_var"] = f"VaR {var:.2f} of equity {equity:.2f}"
    if equity <= 0 or cvar / equity > cfg.var.max_cvar * (1 + FLOAT_SLACK):
        out["portfolio_cvar"] = f"CVaR {cvar:.2f} of equity {equity:.2f}"
    return out


def _window(
    names: list[str], cfg: SafetySettings, returns: Mapping[str, np.ndarray] | None
) -> tuple[list[str], np.ndarray] | str:
    """The symbols with enough history and the days on which all of them have a return."""
    if returns is None:
        return "no returns history"
    days, need = cfg.var.lookback_days, cfg.var.min_days
    length = len(next(iter(returns.values())))
    columns = {n: returns.get(n, np.full(length, np.nan))[-days:] for n in names}
    kept = [n for n in names if np.isfinite(columns[n]).sum() >= need]
    if not kept:
        return "no symbol has enough history"
    matrix = np.column_stack([columns[n] for n in kept])
    rows = matrix[np.isfinite(matrix).all(axis=1)]
    if rows.shape[0] < need:
        return f"only {rows.shape[0]} complete days"
    return kept, rows


def _var_cvar(rows: np.ndarray, vector: np.ndarray, cfg: SafetySettings) -> tuple[float, float]:
    level = cfg.var.confidence
    if cfg.var.method == "parametric":
        sigma = math.sqrt(float(vector @ np.cov(rows, rowvar=False, ddof=1).reshape(
            len(vector), len(vector)) @ vector))  # fmt: skip
        z = NormalDist().inv_cdf(level)
        return z * sigma, sigma * math.exp(-z * z / 2) / math.sqrt(2 * math.pi) / (1 - level)
    losses = np.sort(-(rows @ vector))
    h = (len(losses) - 1) * level
    low = math.floor(h)
    high = min(low + 1, len(losses) - 1)
    var = float(losses[low] + (h - low) * (losses[high] - losses[low]))
    return var, float(losses[math.ceil(h) :].mean())
