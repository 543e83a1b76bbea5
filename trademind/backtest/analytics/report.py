"""A backtest as one self-contained Plotly HTML page (works offline: plotly.js is inlined).

The page shows the run's facts and notices, every metric, the equity curve against the
buy-and-hold benchmark, the drawdown, each symbol's price with the trades on it, the monthly
returns and the Monte Carlo fan, then the full trade list. Everything is drawn from what the
run stores (equity curve and trades), so every number on the page can be recomputed from them.
Curves longer than :data:`MAX_POINTS` are drawn from every k-th bar (the page says so); the
numbers are always computed on every bar.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import plotly.graph_objects as go

from trademind.backtest.analytics.metrics import drawdown_series
from trademind.backtest.analytics.periods import monthly_returns

if TYPE_CHECKING:
    from trademind.backtest.analytics.montecarlo import MonteCarloResult
    from trademind.strategies.base import FloatArray, IntArray

MAX_POINTS: Final = 5_000
"""Most points per drawn curve; longer curves are thinned (every k-th bar, last bar kept)."""

_MONTHS: Final = (
    *("Jan", "Feb", "Mar", "Apr", "May", "Jun"),
    *("Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
)
_PERCENT_METRICS: Final = frozenset(
    {
        *("total_return", "cagr", "volatility", "max_drawdown", "win_rate", "exposure", "alpha"),
        *("average_win_return", "average_loss_return", "expectancy_return"),
    }
)
_DOLLAR_METRICS: Final = frozenset({"average_win", "average_loss", "expectancy"})


@dataclass(frozen=True, eq=False)
class PriceTrack:
    """One symbol's closes and the fills on it (buys and sells: times in ns and prices)."""

    symbol: str
    ts_ns: IntArray
    close: FloatArray
    buy_ts: IntArray
    buy_price: FloatArray
    sell_ts: IntArray
    sell_price: FloatArray


@dataclass(frozen=True, eq=False)
class ReportInput:
    """What the report shows; the service fills it from a finished (or stored) run."""

    title: str
    facts: Mapping[str, str]
    metrics: Mapping[str, float | int | None]
    ts_ns: IntArray
    equity: FloatArray
    benchmark: FloatArray | None
    prices: Sequence[PriceTrack]
    trades: Sequence[Mapping[str, Any]]
    monte_carlo: MonteCarloResult | None = None
    notices: Sequence[str] = field(default=())


def _thin(length: int) -> np.ndarray:  # type: ignore[type-arg]
    """Indices of the points drawn: all, or every k-th plus the last."""
    if length <= MAX_POINTS:
        return np.arange(length)
    step = -(-length // MAX_POINTS)
    kept: np.ndarray = np.unique(np.append(np.arange(0, length, step), length - 1))  # type: ignore[type-arg]
    return kept


def _times(ts_ns: IntArray) -> np.ndarray:  # type: ignore[type-arg]
    times: np.ndarray = np.asarray(ts_ns).astype("datetime64[ns]")  # type: ignore[type-arg]
    return times


def _figure_html(figure: go.Figure, *, first: bool) -> str:
    figure.update_layout(template="plotly_white", height=380, margin={"l": 50, "r": 20, "t": 50})
    return str(figure.to_html(full_html=False, include_plotlyjs=first))


def _equity_figure(report: ReportInput) -> go.Figure:
    keep = _thin(len(report.ts_ns))
    times = _times(report.ts_ns)[keep]
    figure = go.Figure()
    figure.add_scatter(x=times, y=report.equity[keep], name="strategy", mode="lines")
    if report.benchmark is not None:
        figure.add_scatter(x=times, y=report.benchmark[keep], name="buy and hold", mode="lines")
    figure.update_layout(title="Equity", yaxis_title="dollars")
    return figure


def _drawdown_figure(report: ReportInput) -> go.Figure:
    keep = _thin(len(report.ts_ns))
    drawdown = drawdown_series(report.equity)[keep] * 100.0
    figure = go.Figure()
    figure.add_scatter(x=_times(report.ts_ns)[keep], y=drawdown, fill="tozeroy", name="drawdown")
    figure.update_layout(title="Drawdown", yaxis_title="% below the running peak")
    return figure


def _price_figure(track: PriceTrack) -> go.Figure:
    keep = _thin(len(track.ts_ns))
    figure = go.Figure()
    figure.add_scatter(x=_times(track.ts_ns)[keep], y=track.close[keep], name="close", mode="lines")
    marker = {"size": 9, "line": {"width": 1}}
    figure.add_scatter(
        x=_times(track.buy_ts),
        y=track.buy_price,
        name="buy",
        mode="markers",
        marker={**marker, "symbol": "triangle-up", "color": "#1a7f37"},
    )
    figure.add_scatter(
        x=_times(track.sell_ts),
        y=track.sell_price,
        name="sell",
        mode="markers",
        marker={**marker, "symbol": "triangle-down", "color": "#cf222e"},
    )
    figure.update_layout(title=f"{track.symbol}: trades on the price", yaxis_title="price")
    return figure


def _monthly_figure(report: ReportInput) -> go.Figure:
    table = monthly_returns(report.ts_ns, report.equity)
    values = table.values * 100.0
    text = [[("" if np.isnan(v) else f"{v:.1f}%") for v in row] for row in values]
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=list(_MONTHS),
            y=[str(year) for year in table.years],
            text=text,
            texttemplate="%{text}",
            colorscale="RdYlGn",
            zmid=0.0,
            colorbar={"title": "%"},
        )
    )
    figure.update_layout(title="Monthly returns", yaxis={"autorange": "reversed"})
    return figure


def _monte_carlo_figure(result: MonteCarloResult) -> go.Figure:
    figure = go.Figure()
    for percentile, row in zip(result.percentiles, result.fan, strict=True):
        figure.add_scatter(
            x=result.fan_trade_numbers, y=row * 100.0 - 100.0, name=f"p{percentile:g}", mode="lines"
        )
    figure.update_layout(
        title=f"Monte Carlo: {result.runs} trade-order bootstraps (seed {result.seed})",
        xaxis_title="trade number",
        yaxis_title="return %",
    )
    return figure


def _metric_text(name: str, value: float | int | None) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    if name in _PERCENT_METRICS:
        return f"{value * 100:.2f}%"
    if name in _DOLLAR_METRICS:
        return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"
    return f"{value:,.4f}"


def _table(rows: Sequence[Sequence[str]], header: Sequence[str] | None = None) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header) if header else ""
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table>{f'<tr>{head}</tr>' if head else ''}{body}</table>"


_TRADE_COLUMNS: Final = (
    "symbol",
    "side",
    "quantity",
    "entry_time",
    "entry_price",
    "exit_time",
    "exit_price",
    "commission",
    "pnl",
    "return_pct",
    "entry_reason",
    "exit_reason",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


def _trades_table(trades: Sequence[Mapping[str, Any]]) -> str:
    rows = [[_cell(trade.get(column)) for column in _TRADE_COLUMNS] for trade in trades]
    return _table(rows, _TRADE_COLUMNS)


_STYLE: Final = """
body{font-family:system-ui,sans-serif;margin:24px;color:#1f2328}
table{border-collapse:collapse;margin:8px 0 24px;font-size:13px}
td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
th{background:#f6f8fa}.notice{background:#fff8c5;padding:8px;border:1px solid #d4a72c}
"""


def render_report(report: ReportInput) -> str:
    """The whole HTML page."""
    parts = [f"<h1>{html.escape(report.title)}</h1>"]
    parts += [f'<p class="notice">{html.escape(notice)}</p>' for notice in report.notices]
    if len(report.ts_ns) > MAX_POINTS:
        parts.append(f"<p>Charts draw at most {MAX_POINTS:,} points per curve.</p>")
    parts.append(_table([[key, value] for key, value in report.facts.items()]))
    parts.append("<h2>Metrics</h2>")
    parts.append(_table([[k, _metric_text(k, v)] for k, v in report.metrics.items()]))
    figures = [_equity_figure(report), _drawdown_figure(report)]
    figures += [_price_figure(track) for track in report.prices]
    figures.append(_monthly_figure(report))
    if report.monte_carlo is not None and report.monte_carlo.trades > 0:
        figures.append(_monte_carlo_figure(report.monte_carlo))
    parts += [_figure_html(figure, first=index == 0) for index, figure in enumerate(figures)]
    parts.append(f"<h2>Trades ({len(report.trades)})</h2>")
    parts.append(_trades_table(report.trades))
    body = "\n".join(parts)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(report.title)}"
        f"</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )
