"""The HTML report: offline, escaped, complete, and thinned only in its charts."""

from __future__ import annotations

import numpy as np

from trademind.backtest.analytics.montecarlo import bootstrap_trades
from trademind.backtest.analytics.report import MAX_POINTS, PriceTrack, ReportInput, render_report

DAY_NS = 86_400_000_000_000


def _report(bars: int = 300, **changes: object) -> ReportInput:
    ts = np.arange(bars, dtype=np.int64) * DAY_NS + 1_704_153_600_000_000_000  # from 2024-01-02
    equity = 100_000.0 * np.cumprod(np.full(bars, 1.0005))
    track = PriceTrack(
        symbol="AAPL",
        ts_ns=ts,
        close=np.linspace(100.0, 130.0, bars),
        buy_ts=ts[[10]],
        buy_price=np.array([101.0]),
        sell_ts=ts[[40]],
        sell_price=np.array([104.0]),
    )
    values: dict[str, object] = {
        "title": "rsi_mean_reversion on AAPL",
        "facts": {"run": "7", "period": "2024-01-02 to 2024-10-27"},
        "metrics": {
            "total_return": 0.1618,
            "sharpe": 1.234567,
            "win_rate": None,
            "trades": 1,
            "expectancy_return": 0.0125,
            "average_loss": -120.5,
        },
        "ts_ns": ts,
        "equity": equity,
        "benchmark": equity * 0.99,
        "prices": [track],
        "trades": [{"symbol": "AAPL", "pnl": 29.5, "entry_reason": "<script>alert(1)</script>"}],
        "monte_carlo": bootstrap_trades(np.array([0.02, -0.01, 0.03]), 50, 7),
        "notices": ["no stored bars for AAPL: using the bundled sample"],
    }
    values.update(changes)
    return ReportInput(**values)  # type: ignore[arg-type]


def test_page_is_offline_and_shows_every_section() -> None:
    page = render_report(_report())
    assert 'src="http' not in page  # plotly.js is inlined (once): the file opens offline
    assert len(page) > 1_000_000
    assert page.count("Plotly.newPlot(") == 5  # equity, drawdown, price, monthly, Monte Carlo
    for title in ("Equity", "Drawdown", "AAPL: trades on the price", "Monthly returns"):
        assert title in page
    assert "Monte Carlo: 50 trade-order bootstraps (seed 7)" in page
    assert "16.18%" in page  # total_return as a percentage
    assert "1.2346" in page  # other metrics with four decimals
    assert "n/a" in page  # an undefined metric is shown as such, never as 0
    assert "1.25%" in page  # per-trade returns as percentages
    assert "-$120.50" in page  # per-trade amounts in dollars
    assert "using the bundled sample" in page


def test_text_from_trades_is_escaped() -> None:
    page = render_report(_report())
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_long_curves_are_thinned_and_the_page_says_so() -> None:
    short = render_report(_report(bars=300, monte_carlo=None))
    assert "Charts draw at most" not in short
    long = render_report(_report(bars=MAX_POINTS * 3, monte_carlo=None))
    assert f"Charts draw at most {MAX_POINTS:,} points" in long
    assert "Monte Carlo" not in long
