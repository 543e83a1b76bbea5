"""Monte Carlo trade-sequence bootstrap: determinism, ordering, hand cases, a replica in Python."""

from __future__ import annotations

import json

import numpy as np
import pytest

from trademind.backtest.analytics.montecarlo import bootstrap_trades
from trademind.core.errors import ValidationError

TRADES = np.random.default_rng(17).normal(0.004, 0.03, 120)


def test_the_same_seed_gives_the_same_result_and_another_seed_does_not() -> None:
    first = bootstrap_trades(TRADES, 2000, seed=42)
    again = bootstrap_trades(TRADES.copy(), 2000, seed=42)
    other = bootstrap_trades(TRADES, 2000, seed=43)
    assert first.total_return == again.total_return
    assert first.max_drawdown == again.max_drawdown
    np.testing.assert_array_equal(first.fan, again.fan)
    assert first.total_return != other.total_return


def test_percentiles_are_ordered_and_the_fan_starts_at_one() -> None:
    result = bootstrap_trades(TRADES, 3000, seed=1)
    assert result.percentiles == (5.0, 25.0, 50.0, 75.0, 95.0)
    assert list(result.total_return) == sorted(result.total_return)
    assert list(result.max_drawdown) == sorted(result.max_drawdown)
    assert result.total_return[0] < result.total_return[-1]
    assert all(d <= 0.0 for d in result.max_drawdown)
    assert result.fan.shape == (5, 101)  # 101 fan points between trade 0 and trade 120
    assert result.fan_trade_numbers[-1] == 120
    np.testing.assert_array_equal(result.fan[:, 0], 1.0)
    assert bool(np.all(np.diff(result.fan, axis=0) >= 0.0))
    np.testing.assert_allclose(result.fan[:, -1] - 1.0, result.total_return, rtol=1e-12)


def test_identical_trades_give_one_deterministic_path() -> None:
    result = bootstrap_trades([0.1, 0.1, 0.1, 0.1, 0.1], 50, seed=0)
    assert result.total_return == pytest.approx((1.1**5 - 1,) * 5, rel=1e-12)
    assert result.max_drawdown == (0.0,) * 5
    assert result.probability_of_loss == 0.0
    np.testing.assert_array_equal(result.fan_trade_numbers, [0, 1, 2, 3, 4, 5])
    np.testing.assert_allclose(result.fan, np.tile(1.1 ** np.arange(6), (5, 1)), rtol=1e-12)


def test_two_trade_outcomes_are_the_four_hand_computed_sequences() -> None:
    # (-50%, -50%): -75% and drawdown -75%; (-50%, +100%) either order: 0% and drawdown -50%;
    # (+100%, +100%): +300%, no drawdown. Each order has probability 1/4.
    result = bootstrap_trades([-0.5, 1.0], 20_000, seed=5, percentiles=(1.0, 50.0, 99.0))
    assert result.total_return == pytest.approx((-0.75, 0.0, 3.0))
    assert result.max_drawdown == pytest.approx((-0.75, -0.5, 0.0))
    assert result.probability_of_loss == pytest.approx(0.25, abs=0.015)


def replica(returns: np.ndarray, runs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The bootstrap written out with whole-array numpy on the same random draws."""
    picks = np.random.default_rng(seed).integers(0, returns.size, size=(runs, returns.size))
    paths = np.cumprod(1.0 + returns[picks], axis=1)
    peaks = np.maximum(np.maximum.accumulate(paths, axis=1), 1.0)
    drawdowns = np.minimum((paths / peaks - 1.0).min(axis=1), 0.0)
    return paths[:, -1] - 1.0, drawdowns


def test_percentiles_agree_with_a_numpy_replica_across_blocks() -> None:
    returns = np.random.default_rng(2).normal(0.001, 0.02, 1500)
    runs = 1600  # more than one block of random draws (2**20 // 1500 = 699 runs a block)
    result = bootstrap_trades(returns, runs, seed=9, percentiles=(0.0, 10.0, 50.0, 100.0))
    totals, drawdowns = replica(returns, runs, seed=9)
    levels = [0.0, 10.0, 50.0, 100.0]
    np.testing.assert_allclose(result.total_return, np.percentile(totals, levels), rtol=1e-9)
    np.testing.assert_allclose(result.max_drawdown, np.percentile(drawdowns, levels), rtol=1e-9)
    assert result.probability_of_loss == np.count_nonzero(totals < 0) / runs


def test_the_fan_samples_evenly_spaced_trade_numbers() -> None:
    result = bootstrap_trades(np.full(1000, 0.001), 10, seed=3, fan_points=101)
    np.testing.assert_array_equal(result.fan_trade_numbers, np.arange(0, 1001, 10))
    np.testing.assert_allclose(result.fan[2], 1.001**result.fan_trade_numbers, rtol=1e-12)


def test_the_result_serialises_to_plain_json() -> None:
    data = bootstrap_trades(TRADES[:10], 100, seed=4).to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["total_return"]["p50"] == data["total_return"]["p50"]  # type: ignore[index]
    assert data["fan"]["trade_numbers"][-1] == 10  # type: ignore[index]


@pytest.mark.parametrize(
    ("returns", "runs", "message"),
    [
        ([], 100, "at least one closed trade"),
        ([0.1, float("nan")], 100, "NaN"),
        ([0.1], 0, "runs"),
        ([0.1], 10**6, "runs"),
    ],
)
def test_bad_inputs_are_rejected(returns: list[float], runs: int, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        bootstrap_trades(returns, runs, seed=0)


def test_a_block_as_long_as_the_series_only_rotates_it() -> None:
    """Blocks of ``n`` returns (circular): every run is a rotation of the series, so every run
    ends at the same total return, and the drawdowns differ with where the rotation starts (the
    two losing days together: -19%; split by the wrap: -10%)."""
    returns = np.array([0.30, -0.10, -0.10, 0.30, 0.05])
    result = bootstrap_trades(
        returns, 200, 3, percentiles=(0.0, 100.0), fan_points=2, block_length=5
    )
    expected = float(np.prod(1.0 + returns) - 1.0)
    assert result.total_return == pytest.approx((expected, expected))
    assert result.max_drawdown == pytest.approx((-0.19, -0.10))


def test_blocks_keep_runs_of_losses_together() -> None:
    """Ten losing days in a row among gains: blocks of ten reach a deeper 5th-percentile
    drawdown than single-day draws, which scatter the losses."""
    returns = np.concatenate([np.full(10, -0.02), np.full(90, 0.002)])
    plain = bootstrap_trades(returns, 2000, 1, percentiles=(5.0,), fan_points=2)
    blocks = bootstrap_trades(returns, 2000, 1, percentiles=(5.0,), fan_points=2, block_length=10)
    assert blocks.max_drawdown[0] < plain.max_drawdown[0]


def test_a_block_length_below_one_is_refused() -> None:
    with pytest.raises(ValidationError, match="block_length must be at least 1"):
        bootstrap_trades(np.array([0.01, 0.02]), 10, 0, block_length=0)
