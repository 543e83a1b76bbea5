"""Latency in bars and seconds."""

from __future__ import annotations

import pytest

from trademind.core.errors import ValidationError
from trademind.fills.latency import Latency, activation_bar


@pytest.mark.parametrize(
    ("latency", "interval", "bars"),
    [
        (Latency(), 60.0, 0),
        (Latency(bars=2), 60.0, 2),
        (Latency(seconds=0.1), 86_400.0, 1),  # arrives during the bar: waits a bar
        (Latency(seconds=60.0), 60.0, 1),
        (Latency(seconds=90.0), 60.0, 2),
        (Latency(bars=1, seconds=30.0), 60.0, 2),
    ],
)
def test_seconds_become_whole_bars_rounded_up(latency: Latency, interval: float, bars: int) -> None:
    assert latency.to_bars(interval) == bars


def test_activation_bar() -> None:
    assert activation_bar(10, 0, False) == 11  # next open
    assert activation_bar(10, 2, False) == 13
    assert activation_bar(10, 0, True) == 10  # at the signal bar's close
    assert activation_bar(10, 1, True) == 11


def test_bad_latency() -> None:
    with pytest.raises(ValidationError):
        Latency(bars=-1)
    with pytest.raises(ValidationError):
        Latency(seconds=-2.0)
    with pytest.raises(ValidationError):
        Latency(seconds=5.0).to_bars(0.0)
