"""``data show``: stored bars with their stored indicator values, as a table or a Plotly chart."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from trademind.config import Settings
from trademind.core.errors import UsageError, ValidationError
from trademind.data.schema import check_timeframe, normalise_symbol
from trademind.data.store import BarStore
from trademind.db.session import Database
from trademind.indicators.store import read_indicators
from trademind.services.data_report import BarsView, NoBarsStoredError

_OVERLAY = re.compile(r"^(sma|ema)_\d+$|^bb_.*_(lower|middle|upper)$")
_RSI = re.compile(r"^rsi_\d+$")
_MACD = re.compile(r"^macd_\d+_\d+_\d+(_signal|_hist)?$")


def show_bars(
    database: Database, settings: Settings, symbol: str, *, days: int, timeframe: str
) -> BarsView:
    """The last ``days`` calendar days of stored bars (ending at the newest stored bar) with
    every stored indicator value; prices adjusted when ``settings.data.adjusted_prices``."""
    if days <= 0:
        raise UsageError(f"--days must be a positive number of days, got {days}")
    name, timeframe = normalise_symbol(symbol), check_timeframe(timeframe)
    store = BarStore(database)
    coverage = store.coverage(name, timeframe)
    if coverage is None:
        raise NoBarsStoredError([name], timeframe)
    start = coverage.last - timedelta(days=days)
    adjusted = settings.data.adjusted_prices
    bars = store.read_bars(name, timeframe, start, coverage.last, adjusted=adjusted)
    bars = bars.loc[bars["ts"] > pd.Timestamp(start)].reset_index(drop=True)
    indicators = read_indicators(database, name, timeframe, start, coverage.last)
    frame = bars.merge(indicators, on="ts", how="left") if len(indicators.columns) > 1 else bars
    return BarsView(symbol=name, timeframe=timeframe, adjusted=adjusted, frame=frame)


def _panels(columns: list[str]) -> list[str]:
    panels = ["price", "volume"]
    if any(_RSI.match(column) for column in columns):
        panels.append("rsi")
    if any(_MACD.match(column) for column in columns):
        panels.append("macd")
    return panels


def build_chart(view: BarsView) -> Any:
    """A Plotly figure: candlesticks with SMA/EMA/Bollinger overlays, volume, RSI and MACD
    panels (the last two when those indicators are stored)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    frame, columns = view.frame, view.indicator_columns
    panels = _panels(columns)
    heights = {"price": 0.55, "volume": 0.15, "rsi": 0.15, "macd": 0.15}
    figure = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.03,
        row_heights=[heights[panel] for panel in panels],
    )
    x = frame["ts"]
    figure.add_trace(
        go.Candlestick(
            x=x,
            open=frame["open"],
            high=frame["high"],
            low=frame["low"],
            close=frame["close"],
            name=view.symbol,
        ),
        row=1,
        col=1,
    )
    for column in filter(_OVERLAY.match, columns):
        figure.add_trace(go.Scatter(x=x, y=frame[column], name=column, mode="lines"), 1, 1)
    figure.add_trace(go.Bar(x=x, y=frame["volume"], name="volume"), row=2, col=1)
    if "rsi" in panels:
        row = panels.index("rsi") + 1
        for column in filter(_RSI.match, columns):
            figure.add_trace(go.Scatter(x=x, y=frame[column], name=column), row=row, col=1)
    if "macd" in panels:
        row = panels.index("macd") + 1
        for column in filter(_MACD.match, columns):
            trace = go.Bar if column.endswith("_hist") else go.Scatter
            figure.add_trace(trace(x=x, y=frame[column], name=column), row=row, col=1)
    prices = "adjusted" if view.adjusted else "raw"
    figure.update_layout(
        title=f"{view.symbol} {view.timeframe} ({prices} prices)",
        xaxis_rangeslider_visible=False,
        height=300 + 150 * len(panels),
    )
    return figure


def write_chart(view: BarsView, path: Path) -> Path:
    """Write the chart as a self-contained HTML file (plotly.js inline: works offline)."""
    if view.frame.empty:
        raise ValidationError(f"no bars of {view.symbol} to plot")
    from trademind.services.files import write_text

    html = build_chart(view).to_html(include_plotlyjs=True, full_html=True)
    return write_text(path, html)
