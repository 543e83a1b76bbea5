"""The tables of `trademind data show`: stored bars and indicator values in readable groups."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from trademind.cli.output import print_table

if TYPE_CHECKING:
    from trademind.services.data_report import BarsView


def _number(value: float) -> str:
    if math.isnan(value):
        return ""
    if abs(value) >= 100_000:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.4g}"


_GROUPS = (
    ("bars", ("open", "high", "low", "close", "volume", "adj_close")),
    ("moving averages", ("sma_", "ema_")),
    ("Bollinger Bands", ("bb_",)),
    ("momentum", ("rsi_", "macd_", "stoch_")),
    ("volatility and volume", ("atr_", "obv", "volume_trend_")),
)
_GROUP_WIDTH = 7


def _column_groups(columns: list[str]) -> list[tuple[str, list[str]]]:
    """Columns in readable tables of at most 7: bars, averages, bands, momentum, volume."""
    groups: list[tuple[str, list[str]]] = []
    left = list(columns)
    for name, prefixes in (*_GROUPS, ("other", ("",))):
        if name == "bars":
            chosen = [column for column in left if column in prefixes]
        else:
            chosen = [column for column in left if column.startswith(prefixes)]
        left = [column for column in left if column not in chosen]
        for begin in range(0, len(chosen), _GROUP_WIDTH):
            groups.append((name, chosen[begin : begin + _GROUP_WIDTH]))
    return groups


def print_bar_tables(view: BarsView, stamps: list[str]) -> None:
    """One table per column group (bars, averages, bands, momentum, volume), ``stamps`` being
    the bars' timestamps as shown."""
    frame = view.frame
    present = [str(c) for c in frame.columns if c != "ts" and not frame[c].isna().all()]
    prices = "adjusted" if view.adjusted else "raw"
    for group, columns in _column_groups(present):
        values = frame[columns].to_numpy(float).tolist()
        rows = [[stamp, *map(_number, row)] for stamp, row in zip(stamps, values, strict=True)]
        title = f"{view.symbol} {view.timeframe}: {group}"
        print_table(
            title + (f" ({prices} prices)" if group == "bars" else ""), ["ts", *columns], rows
        )
