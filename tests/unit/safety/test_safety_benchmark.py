"""benchmarks/safety runs the whole chain on a small portfolio and reports each figure (timing
unasserted: the verdict depends on the machine)."""

from __future__ import annotations

import pytest

from benchmarks.safety import main


def test_the_benchmark_reports_the_whole_chain_against_no_ops(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["--positions", "5", "--days", "80", "--orders", "200"])
    out = capsys.readouterr().out
    assert status in (0, 1)
    assert "5 positions x 80 days, 200 orders, 16 rules + the state gate; 200 approved" in out
    for line in ("per bar ", "per order (whole chain)", "per order (no-op chain)"):
        assert line in out
    assert "target <= 1000 us" in out
