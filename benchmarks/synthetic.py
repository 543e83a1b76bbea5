"""Deterministic large bar sets derived from the real shared data (fixed seed).

Returns are bootstrapped from a real daily series (../shared/data), de-meaned and scaled from
daily to one-minute volatility (divided by sqrt(390)) so a million steps stay in a sane price
range; each synthetic bar takes the open/high/low/close shape (relative to its close, shrunk
by the same factor) and the volume of a randomly chosen real bar.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED_DAILY = ROOT.parent / "shared" / "data" / "ohlcv" / "daily"
SEED = 20261124
MINUTES_PER_SESSION = 390


def load_real(symbol: str = "AAPL") -> pd.DataFrame:
    path = SHARED_DAILY / f"{symbol}.csv"
    if not path.exists():
        raise SystemExit(f"benchmark data missing: {path} (the shared data directory)")
    return pd.read_csv(path)


def synthetic_bars(n: int, *, symbol: str = "AAPL", seed: int = SEED) -> pd.DataFrame:
    """``n`` one-minute bars (UTC, consecutive) in the bar schema, reproducible for a seed."""
    real = load_real(symbol)
    close = real["Close"].to_numpy(dtype="float64")
    log_returns = np.diff(np.log(close))
    log_returns = (log_returns - log_returns.mean()) / MINUTES_PER_SESSION**0.5
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(log_returns), size=n)
    closes = close[0] * np.exp(np.cumsum(log_returns[picks]))
    shape = rng.integers(0, len(real), size=n)
    ratio = {
        column: 1.0
        + ((real[column] / real["Close"]).to_numpy(dtype="float64")[shape] - 1.0)
        / MINUTES_PER_SESSION**0.5
        for column in ("Open", "High", "Low")
    }
    volume = real["Volume"].to_numpy(dtype="float64")[shape]
    start = pd.Timestamp("2000-01-03 14:30", tz="UTC")
    return pd.DataFrame(
        {
            "ts": pd.date_range(start, periods=n, freq="min"),
            "open": closes * ratio["Open"],
            "high": closes * ratio["High"],
            "low": closes * ratio["Low"],
            "close": closes,
            "volume": volume,
            "adj_close": np.nan,
        }
    )
