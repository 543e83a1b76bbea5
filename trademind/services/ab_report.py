"""`ab report ID --output FILE.html`: a stored A/B test as one self-contained HTML page (plotly.js
inlined, no CDN: it opens offline): the verdict, the differences with their 95% intervals,
each variant's figures, the two daily equity curves on the common days and the method."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import plotly.graph_objects as go

if TYPE_CHECKING:
    from trademind.backtest.analytics.paired_bootstrap import Interval
    from trademind.services.ab_figures import VariantFigures
    from trademind.services.ab_views import AbTestView

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}"
    ".verdict{font-size:1.15em;font-weight:600}"
)


def _pct(value: float) -> str:
    return f"{value:+.2%}"


def _interval_row(label: str, interval: Interval, percent: bool) -> str:
    shown = _pct if percent else (lambda value: f"{value:+.3f}")
    verdict = "yes" if interval.excludes_zero else "no"
    cells = (label, shown(interval.estimate), shown(interval.low), shown(interval.high), verdict)
    return "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"


def _variant_row(role: str, figures: VariantFigures) -> str:
    decisions = figures.decisions
    cells = (
        f"{role}: {figures.name}",
        f"{figures.final_equity:,.2f}",
        _pct(figures.total_return),
        f"{figures.sharpe:.3f}",
        _pct(figures.max_drawdown),
        str(figures.fills),
        str(figures.round_trips),
        f"{sum(decisions.get(k, 0) for k in ('buy', 'sell', 'hold'))} "
        f"({decisions.get('vetoed', 0)} vetoed)",
        f"{figures.llm_calls} / ${figures.llm_cost_usd:.4f}",
    )
    return "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"


def _chart(view: AbTestView) -> str:
    figure = go.Figure()
    days = [day.isoformat() for day in view.curve_days]
    for name, values in ((view.variant_a, view.equity_a), (view.variant_b, view.equity_b)):
        figure.add_trace(go.Scatter(x=days, y=list(values), mode="lines", name=name))
    figure.update_layout(
        title="Daily equity (last snapshot of each common day)",
        template="plotly_white",
        height=420,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
    )
    return str(figure.to_html(full_html=False, include_plotlyjs=True))


def render_ab_report(view: AbTestView) -> str:
    """The page (module docstring)."""
    setup = view.setup
    params = ", ".join(f"{k}={v}" for k, v in setup.params.items()) or "defaults"
    title = f"A/B test {view.id}: {view.variant_b} vs {view.variant_a}"
    intervals = "".join(
        (
            _interval_row("Sharpe (annualised)", view.sharpe, percent=False),
            _interval_row("total return", view.total_return, percent=True),
            _interval_row("max drawdown", view.max_drawdown, percent=True),
        )
    )
    variants = _variant_row("A", view.a) + _variant_row("B", view.b)
    notices = "".join(f"<li>{escape(note)}</li>" for note in view.notices)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{_STYLE}</style></head><body>
<h1>{escape(title)}</h1>
<p>{escape(setup.strategy)} ({escape(params)}) on {escape(", ".join(setup.symbols))},
{setup.timeframe} bars, {view.window_start:%Y-%m-%d} to {view.window_end:%Y-%m-%d} (exclusive),
replayed from {setup.replay_start:%Y-%m-%d} for the warm-up, starting cash
{setup.initial_cash:,.2f}; {view.days} common trading days.</p>
<p class="verdict">{escape(view.verdict)}</p>
<h2>Differences (B - A) with 95% intervals</h2>
<table><tr><th>figure</th><th>B - A</th><th>2.5%</th><th>97.5%</th>
<th>interval excludes 0</th></tr>{intervals}</table>
<h2>Variants</h2>
<table><tr><th>variant</th><th>final equity</th><th>return</th><th>Sharpe</th>
<th>max drawdown</th><th>fills</th><th>round trips</th><th>decisions</th>
<th>LLM calls / cost</th></tr>{variants}</table>
{_chart(view)}
<h2>Method</h2>
<p>Both variants replay the same stored bars, news and costs in a sandbox database. Daily
returns come from each variant's last equity snapshot of each UTC day; only the days both have
are used. A paired circular block bootstrap ({view.resamples} resamples, blocks of
{view.block_days} days, seed {view.seed}) draws the same days from both series; the intervals
are the 2.5th and 97.5th percentiles of the resampled differences. Sharpe is
mean / standard deviation of the daily returns times &radic;252 (risk-free rate 0). A
difference is significant only when its interval excludes 0.</p>
{f"<h2>Notices</h2><ul>{notices}</ul>" if notices else ""}
</body></html>
"""
