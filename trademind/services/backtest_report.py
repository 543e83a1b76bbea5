"""The HTML report of a backtest run, drawn from the stored run (and the stored prices).

The same function serves a fresh run (``backtest run --report``) and a stored one (``backtest
export ID --format html``): both start from the run's record, so every number on the page comes
from the stored equity curve, trades and metrics. Prices for the trade markers and the
buy-and-hold benchmark are read from the database for the run's range (a fresh run passes the
bars it already has). The Monte Carlo fan bootstraps the closed trades' returns
(``return_pct / 100``) ``backtest.monte_carlo_runs`` times with the fixed seed
:data:`REPORT_MONTE_CARLO_SEED`, so a report regenerated from storage is identical.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from trademind.backtest.analytics.montecarlo import MonteCarloResult, bootstrap_trades
from trademind.backtest.analytics.report import PriceTrack, ReportInput, render_report
from trademind.backtest.research.runner import benchmark_curve
from trademind.core.errors import ValidationError
from trademind.services.backtest_bars import DataRef, read_bars
from trademind.services.backtest_records import TRADE_COLUMNS
from trademind.services.backtest_views import execution_view

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.db.backtest_runs import RunRecord
    from trademind.db.session import Database
    from trademind.strategies.base import Bars, FloatArray, IntArray

REPORT_MONTE_CARLO_SEED: Final = 20_240_101
"""The seed of every report's Monte Carlo fan (and of ``backtest montecarlo`` by default)."""


def ns_times(texts: Sequence[str]) -> IntArray:
    """ISO 8601 texts as epoch nanoseconds (UTC)."""
    stamps = pd.DatetimeIndex(pd.to_datetime(list(texts), utc=True))
    values: IntArray = stamps.as_unit("ns").to_numpy(dtype="datetime64[ns]").view(np.int64)
    return values


def closed_returns(trades: Sequence[Mapping[str, Any]]) -> FloatArray:
    """Each closed trade's net return on its entry cost, as a fraction."""
    values = [float(t["return_pct"]) / 100.0 for t in trades if t.get("exit_time") is not None]
    returns: FloatArray = np.asarray(values, dtype=np.float64)
    return returns


def monte_carlo(
    trades: Sequence[Mapping[str, Any]], runs: int, seed: int = REPORT_MONTE_CARLO_SEED
) -> MonteCarloResult:
    """The trade-order bootstrap of the closed trades (an error when there are none)."""
    returns = closed_returns(trades)
    if returns.size == 0:
        raise ValidationError(
            "Monte Carlo needs at least one closed trade; this run has none "
            "(try a longer period or other parameters)"
        )
    return bootstrap_trades(returns, runs, seed)


def price_tracks(bars: Sequence[Bars], trades: Sequence[Mapping[str, Any]]) -> list[PriceTrack]:
    """Each symbol's closes with its buys (entries) and sells (exits) at their fill prices."""
    tracks = []
    for series in bars:
        mine = [t for t in trades if t["symbol"] == series.symbol]
        sold = [t for t in mine if t.get("exit_time") is not None]
        tracks.append(
            PriceTrack(
                symbol=series.symbol,
                ts_ns=series.ts,
                close=series.close,
                buy_ts=ns_times([t["entry_time"] for t in mine]),
                buy_price=np.asarray([t["entry_price"] for t in mine], dtype=np.float64),
                sell_ts=ns_times([t["exit_time"] for t in sold]),
                sell_price=np.asarray([t["exit_price"] for t in sold], dtype=np.float64),
            )
        )
    return tracks


def _money(value: object) -> str:
    return "n/a" if value is None else f"${float(value):,.2f}"  # type: ignore[arg-type]


def _facts(record: RunRecord, bars_count: int, mc: MonteCarloResult | None) -> dict[str, str]:
    config = record.config
    backtest = config.get("backtest", {})
    outcome = config.get("outcome", {})
    trades = record.trades
    open_count = sum(1 for t in trades if t.get("exit_time") is None)
    params = ", ".join(f"{k}={v}" for k, v in record.params.items()) or "none"
    facts = {
        "run": f"#{record.id}" + (f" ({record.name})" if record.name else ""),
        "strategy": f"{record.strategy} ({params})",
        "symbols": ", ".join(record.symbols) + f" ({record.timeframe} bars)",
        "period": f"{record.period_start:%Y-%m-%d} to {record.period_end:%Y-%m-%d} "
        f"({bars_count:,} bar times)",
        "engine": str(config.get("engine")),
        "initial cash": _money(record.initial_capital),
        "final equity": _money(record.equity_curve[-1][1] if record.equity_curve else None),
        "buy and hold (same symbols, no costs)": _money(outcome.get("benchmark_final_equity")),
        "commission": str(backtest.get("commission", {}).get("spec")),
        "slippage": str(backtest.get("slippage", {}).get("spec")),
        **execution_view(backtest).facts(),
        "trades": f"{len(trades) - open_count} closed, {open_count} open "
        "(open positions valued at the last close)",
        "total commission / slippage": f"{_money(outcome.get('total_commission'))} / "
        f"{_money(outcome.get('total_slippage'))}",
    }
    if mc is not None:
        facts["Monte Carlo"] = (
            f"{mc.runs:,} bootstraps of {mc.trades} closed trades, seed {mc.seed}"
        )
    facts["started"] = (
        f"{record.started_at:%Y-%m-%d %H:%M:%S} UTC (TradeMind {record.code_version})"
    )
    return facts


def report_input(
    record: RunRecord, bars: Sequence[Bars] | None, *, monte_carlo_runs: int
) -> ReportInput:
    """What the report shows of ``record`` (prices and benchmark only when ``bars``)."""
    if not record.equity_curve:
        raise ValidationError(f"run {record.id} has no equity curve ({record.status}); no report")
    ts = ns_times([point[0] for point in record.equity_curve])
    equity = np.asarray([float(point[1]) for point in record.equity_curve], dtype=np.float64)
    notices = list(record.config.get("notices", []))
    mc = None
    if closed_returns(record.trades).size:
        mc = monte_carlo(record.trades, monte_carlo_runs)
    else:
        notices.append("no closed trades: no Monte Carlo analysis")
    if not bars:
        notices.append("the run's prices are no longer stored: no benchmark and no trade chart")
    benchmark = benchmark_curve(bars, ts, record.initial_capital) if bars else None
    return ReportInput(
        title=f"Backtest #{record.id}: {record.strategy} on {', '.join(record.symbols)}",
        facts=_facts(record, len(ts), mc),
        metrics=dict(record.metrics),
        ts_ns=ts,
        equity=equity,
        benchmark=benchmark,
        prices=price_tracks(bars or (), record.trades),
        trades=[dict(trade) for trade in record.trades],
        monte_carlo=mc,
        notices=notices,
    )


def stored_bars(database: Database, settings: Settings, record: RunRecord) -> list[Bars] | None:
    """The run's bars read again from the database (None when they are gone)."""
    described = record.config.get("data", {})
    ref = DataRef(
        database_url=settings.database_url(),
        symbols=tuple(record.symbols),
        timeframe=record.timeframe,
        start=record.period_start,
        end=record.period_end,
        adjusted=bool(described.get("adjusted", True)),
    )
    try:
        return read_bars(database, ref)
    except ValidationError:
        return None


def report_html(record: RunRecord, bars: Sequence[Bars] | None, *, monte_carlo_runs: int) -> str:
    """The whole HTML page of ``record``."""
    return render_report(report_input(record, bars, monte_carlo_runs=monte_carlo_runs))


def stored_report_html(database: Database, settings: Settings, record: RunRecord) -> str:
    """The report of a stored run, its prices read again from the database."""
    bars = stored_bars(database, settings, record)
    return report_html(record, bars, monte_carlo_runs=settings.backtest.monte_carlo_runs)


def trades_csv(record: RunRecord) -> str:
    """The run's trades as CSV (one row per round trip, :data:`TRADE_COLUMNS`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["run_id", *TRADE_COLUMNS], lineterminator="\n")
    writer.writeheader()
    for trade in record.trades:
        row = {column: trade.get(column) for column in TRADE_COLUMNS}
        writer.writerow({"run_id": record.id, **row})  # None is written as an empty field
    return buffer.getvalue()
