"""What ``yfinance.download`` returns, for the hand-written Yahoo fakes of the tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def yahoo_frame(days: pd.DatetimeIndex) -> pd.DataFrame:
    """Bars whose prices depend on the date only (the same bar whatever the range asked), in
    ``yfinance.download``'s shape: Open/High/Low/Close/Adj Close/Volume on a ``Date`` index."""
    base = (days - pd.Timestamp("2024-01-01")).days.to_numpy(dtype=float) + 100.0
    return pd.DataFrame(
        {
            "Open": base,
            "High": base + 1,
            "Low": base - 1,
            "Close": base + 0.5,
            "Adj Close": base + 0.25,
            "Volume": np.full(len(days), 1e6),
        },
        index=pd.DatetimeIndex(days, name="Date"),
    )
