"""benchmarks/safety_math runs on a small portfolio and reports each figure (timing unasserted)."""

from __future__ import annotations

import pytest

from benchmarks.safety_math import main


def test_the_benchmark_reports_per_bar_per_order_and_no_op(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["--positions", "5", "--days", "30", "--orders", "300"])
    out = capsys.readouterr().out
    assert status in (0, 1)  # the verdict depends on the machine's speed
    assert "5 positions x 30 days, 300 orders" in out
    for line in ("per bar ", "per order ", "no-op "):
        assert line in out
    assert "target <= 500 us" in out
