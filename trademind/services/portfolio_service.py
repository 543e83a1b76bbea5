"""`portfolio summary|holdings|performance|sectors`: typed views of one account's ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from trademind.core.errors import UsageError
from trademind.services.ledger_access import AccountView, OpenedLedger, open_ledger

if TYPE_CHECKING:
    from trademind.core.clock import Clock
    from trademind.db.session import Database
    from trademind.portfolio.symbols import ProfileLookup

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True, kw_only=True)
class PortfolioSummary:
    """Cash, equity and P&L of an account at ``as_of``. ``day_pnl`` is the equity change
    since the last snapshot before ``as_of``'s day (UTC), None when none is stored."""

    account: AccountView
    as_of: datetime
    cash: Decimal
    positions_value: Decimal
    equity: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    total_pnl: Decimal
    total_return_pct: Decimal | None
    day_pnl: Decimal | None
    positions: int
    fills: int
    round_trips: int


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldingView:
    """One position valued at ``market_price``; ``weight_pct`` of the account's equity."""

    symbol: str
    quantity: Decimal
    avg_cost: Decimal
    market_price: Decimal
    market_value: Decimal
    cost_basis: Decimal
    unrealized_pnl: Decimal
    unrealized_pct: Decimal
    realized_pnl: Decimal
    weight_pct: Decimal | None
    opened_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Holdings:
    account: AccountView
    as_of: datetime
    equity: Decimal
    holdings: tuple[HoldingView, ...]


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole == 0 else _HUNDRED * part / whole


def summary(database: Database, clock: Clock, account: str | None) -> PortfolioSummary:
    opened = open_ledger(database, clock, account)
    valuation, ledger = opened.valuation, opened.ledger
    total = valuation.equity - opened.account.starting_cash
    return PortfolioSummary(
        account=opened.view,
        as_of=valuation.ts,
        cash=valuation.cash,
        positions_value=valuation.positions_value,
        equity=valuation.equity,
        realized_pnl=valuation.realized_pnl,
        unrealized_pnl=valuation.unrealized_pnl,
        total_pnl=total,
        total_return_pct=_pct(total, opened.account.starting_cash),
        day_pnl=_day_pnl(opened),
        positions=len(valuation.positions),
        fills=len(ledger.fills),
        round_trips=len(ledger.round_trips),
    )


def _day_pnl(opened: OpenedLedger) -> Decimal | None:
    as_of = opened.valuation.ts
    day_start = as_of.replace(hour=0, minute=0, second=0, microsecond=0)
    before = opened.store.snapshot_before(opened.account, day_start)
    if before is not None:
        return opened.valuation.equity - before.equity
    if opened.account.created_at >= day_start:
        return opened.valuation.equity - opened.account.starting_cash
    return None


def holdings(database: Database, clock: Clock, account: str | None) -> Holdings:
    opened = open_ledger(database, clock, account)
    return _holdings(opened)


def _holdings(opened: OpenedLedger) -> Holdings:
    equity = opened.valuation.equity
    prices = {p.symbol: p.market_price for p in opened.valuation.positions}
    views = []
    for position in opened.ledger.positions():
        price = prices[position.symbol]
        value = position.quantity * price
        unrealized = value - position.cost
        views.append(
            HoldingView(
                symbol=position.symbol,
                quantity=position.quantity,
                avg_cost=position.avg_cost,
                market_price=price,
                market_value=value,
                cost_basis=position.cost,
                unrealized_pnl=unrealized,
                unrealized_pct=_HUNDRED * unrealized / abs(position.cost),
                realized_pnl=position.realized_pnl,
                weight_pct=_pct(value, equity),
                opened_at=position.opened_at,
            )
        )
    return Holdings(
        account=opened.view, as_of=opened.valuation.ts, equity=equity, holdings=tuple(views)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class EquityPoint:
    ts: datetime
    equity: Decimal
    cash: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Performance:
    """The account over the ``days`` up to ``end`` (its latest snapshot or fill): the stored
    snapshots in that window, the change of equity across them, their largest drawdown, and
    the round trips closed in the window (``realized_pnl`` is theirs)."""

    account: AccountView
    days: int
    start: datetime
    end: datetime
    start_equity: Decimal | None
    end_equity: Decimal | None
    change: Decimal | None
    return_pct: Decimal | None
    max_drawdown_pct: Decimal | None
    round_trips: int
    wins: int
    losses: int
    realized_pnl: Decimal
    points: tuple[EquityPoint, ...]


def performance(database: Database, clock: Clock, account: str | None, days: int) -> Performance:
    if days < 1:
        raise UsageError(f"--days must be at least 1, got {days}")
    opened = open_ledger(database, clock, account)
    end = opened.valuation.ts
    start = end - timedelta(days=days)
    points = tuple(
        EquityPoint(ts=p.ts, equity=p.equity, cash=p.cash)
        for p in opened.store.snapshots(opened.account, since=start)
        if p.ts <= end
    )
    trips = [t for t in opened.ledger.round_trips if start <= t.exit_time <= end]
    first = points[0].equity if points else None
    last = points[-1].equity if points else None
    change = None if first is None or last is None else last - first
    return Performance(
        account=opened.view,
        days=days,
        start=start,
        end=end,
        start_equity=first,
        end_equity=last,
        change=change,
        return_pct=None if change is None or not first else _pct(change, first),
        max_drawdown_pct=_max_drawdown(points),
        round_trips=len(trips),
        wins=sum(1 for t in trips if t.pnl > 0),
        losses=sum(1 for t in trips if t.pnl <= 0),
        realized_pnl=sum((t.pnl for t in trips), Decimal(0)),
        points=points,
    )


def _max_drawdown(points: tuple[EquityPoint, ...]) -> Decimal | None:
    """The largest fall from a peak, in percent of the peak (0 or negative); None: no points."""
    if not points:
        return None
    peak, worst = points[0].equity, Decimal(0)
    for point in points:
        peak = max(peak, point.equity)
        if peak > 0:
            worst = min(worst, _HUNDRED * (point.equity - peak) / peak)
    return worst


@dataclass(frozen=True, slots=True, kw_only=True)
class SectorExposure:
    """Net market value held in one sector ("unknown": not known, never guessed)."""

    sector: str
    market_value: Decimal
    weight_pct: Decimal | None
    symbols: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Sectors:
    account: AccountView
    as_of: datetime
    equity: Decimal
    sectors: tuple[SectorExposure, ...]


def sectors(
    database: Database, clock: Clock, account: str | None, lookup: ProfileLookup | None
) -> Sectors:
    """Exposure by sector: shipped, cached or looked-up sectors (see
    :mod:`trademind.portfolio.symbols`); largest absolute exposure first."""
    from trademind.portfolio.symbols import SymbolDirectory

    held = _holdings(open_ledger(database, clock, account))
    directory = SymbolDirectory(database, clock, lookup)
    profiles = directory.profiles(h.symbol for h in held.holdings)
    grouped: dict[str, list[tuple[str, Decimal]]] = {}
    for holding in held.holdings:
        sector = profiles[holding.symbol].sector
        grouped.setdefault(sector, []).append((holding.symbol, holding.market_value))
    exposures = [
        SectorExposure(
            sector=sector,
            market_value=sum((value for _, value in members), Decimal(0)),
            weight_pct=_pct(sum((v for _, v in members), Decimal(0)), held.equity),
            symbols=tuple(symbol for symbol, _ in members),
        )
        for sector, members in grouped.items()
    ]
    exposures.sort(key=lambda e: (-abs(e.market_value), e.sector))
    return Sectors(
        account=held.account, as_of=held.as_of, equity=held.equity, sectors=tuple(exposures)
    )
