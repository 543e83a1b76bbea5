"""The verdict says plainly who won, who lost and when the interval cannot tell."""

from __future__ import annotations

from trademind.backtest.analytics.sharpe_bootstrap import Interval
from trademind.services.strategy_selection_views import verdict

TIE = Interval(0.0, -0.2, 0.2)


def test_a_loss_whose_interval_lies_below_zero_is_called_a_loss() -> None:
    text = verdict("buy_and_hold", Interval(-0.35, -0.64, -0.05), TIE)
    assert text.startswith(
        "selector minus the best fixed strategy (buy_and_hold, picked in hindsight): "
        "Sharpe -0.35 [95% CI -0.64, -0.05]: the selector LOST, the interval lies below 0; "
    )
    assert text.endswith("selector minus equal weight: Sharpe +0.00 [95% CI -0.20, +0.20]: "
                         "equal to two decimals, and the interval includes 0")  # fmt: skip


def test_a_win_and_an_undecided_difference() -> None:
    text = verdict("ma_crossover", Interval(0.3, 0.1, 0.5), Interval(-0.1, -0.4, 0.2))
    assert "the selector won, the interval lies above 0" in text
    assert "lower, but the interval includes 0 (no evidence either way)" in text
    assert "undefined" in verdict("x", Interval(None, None, None), TIE)
