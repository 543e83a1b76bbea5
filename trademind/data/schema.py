"""The one bar schema every provider returns and the store and indicators read.

A *bar frame* is a ``pandas.DataFrame`` with exactly :data:`BAR_COLUMNS`:

* ``ts``: bar open time, ``datetime64[ns, UTC]``, strictly increasing, unique;
* ``open``, ``high``, ``low``, ``close``: float64, as the source gave them (raw for yfinance
  with ``auto_adjust=False``; split-adjusted for the shared CSVs);
* ``volume``: float64;
* ``adj_close``: float64, the source's split- and dividend-adjusted close, NaN when the source
  has none.

Symbol and timeframe travel beside the frame, never inside it.
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import pandas as pd

from trademind.core.errors import ValidationError

BAR_COLUMNS: Final = ("ts", "open", "high", "low", "close", "volume", "adj_close")
PRICE_COLUMNS: Final = ("open", "high", "low", "close")
TIMEFRAMES: Final = ("1m", "2m", "5m", "15m", "30m", "60m", "90m", "1h", "1d", "5d", "1wk", "1mo")
INTRADAY_TIMEFRAMES: Final = frozenset({"1m", "2m", "5m", "15m", "30m", "60m", "90m", "1h"})

_SYMBOL = re.compile(r"^[A-Z0-9^][A-Z0-9\-=^]{0,19}$")


def normalise_symbol(raw: str) -> str:
    """One spelling per instrument: ``brk.b``, ``BRK/B`` and ``BRK-B`` are all ``BRK-B``."""
    symbol = raw.strip().upper().replace(".", "-").replace("/", "-")
    if not _SYMBOL.match(symbol):
        raise ValidationError(
            f"invalid symbol {raw!r}: use letters, digits, '-', '.', '^' or '=' "
            "(at most 20 characters)"
        )
    return symbol


def normalise_symbols(raw: str | list[str]) -> list[str]:
    """``"AAPL, msft,brk.b"`` -> ``["AAPL", "MSFT", "BRK-B"]`` (order kept, duplicates once)."""
    parts = raw.split(",") if isinstance(raw, str) else raw
    symbols = [normalise_symbol(part) for part in parts if part.strip()]
    if not symbols:
        raise ValidationError("no symbols given")
    return list(dict.fromkeys(symbols))


def check_timeframe(timeframe: str) -> str:
    if timeframe not in TIMEFRAMES:
        raise ValidationError(f"unknown interval {timeframe!r}: use one of {', '.join(TIMEFRAMES)}")
    return timeframe


def empty_bar_frame() -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series(dtype="float64") for column in BAR_COLUMNS})
    frame["ts"] = pd.Series(dtype="datetime64[ns, UTC]")
    return frame


def _conforms(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` already has exactly the bar columns, dtypes and a 0..n-1 index."""
    index = frame.index
    return (
        tuple(frame.columns) == BAR_COLUMNS
        and frame["ts"].dtype == "datetime64[ns, UTC]"
        and all(frame[column].dtype == np.float64 for column in BAR_COLUMNS[1:])
        and isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
    )


def conform_bar_frame(frame: pd.DataFrame, *, copy: bool = True) -> pd.DataFrame:
    """Return ``frame`` with exactly the bar columns and dtypes (values untouched).

    Raises ValidationError naming missing columns or a non-UTC-convertible ``ts``; it does
    not judge the values (that is :mod:`trademind.data.quality`'s job). With ``copy=False``
    a frame that already conforms comes back as a shallow copy sharing its arrays (for
    read-only callers such as the store: it saves copying every column).
    """
    if not copy and _conforms(frame):
        return frame.copy(deep=False)
    missing = [column for column in BAR_COLUMNS if column not in frame.columns]
    if missing == ["adj_close"]:
        frame = frame.assign(adj_close=np.nan)
    elif missing:
        raise ValidationError(f"bar frame lacks column(s): {', '.join(missing)}")
    ts = frame["ts"]
    if not isinstance(ts.dtype, pd.DatetimeTZDtype):
        raise ValidationError("bar frame column 'ts' must be timezone-aware")
    columns: dict[str, object] = {
        "ts": ts.dt.tz_convert("UTC").astype("datetime64[ns, UTC]").array,
        **{
            column: pd.to_numeric(frame[column], errors="raise").astype("float64").to_numpy()
            for column in BAR_COLUMNS[1:]
        },
    }
    return pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
