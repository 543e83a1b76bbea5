"""A missing ../shared/data skips locally but fails in CI (issue 9, defect 14).

Before, ~145 tests (backtrader parity among them) skipped when the data set was missing and
the suite still passed, in CI too. Every test now finds the data set through
``support.shared_data``, which fails when ``TRADEMIND_REQUIRE_SERVICES`` is set.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import shared_data

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the helper at a data set that is not there."""
    nowhere = tmp_path / "no-shared" / "data"
    monkeypatch.setattr(shared_data, "SHARED_DATA", nowhere)
    return nowhere


def test_missing_data_set_skips_on_a_developer_machine(
    missing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRADEMIND_REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="shared market data not found at"):
        shared_data.daily_csv("AAPL")


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_missing_data_set_fails_when_ci_requires_it(
    missing: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("TRADEMIND_REQUIRE_SERVICES", value)
    with pytest.raises(pytest.fail.Exception, match="TRADEMIND_REQUIRE_SERVICES is set"):
        shared_data.daily_dir()


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_requirement_off_values_skip(
    missing: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("TRADEMIND_REQUIRE_SERVICES", value)
    with pytest.raises(pytest.skip.Exception):
        shared_data.shared_data("ohlcv")


def test_present_data_set_is_returned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    daily = tmp_path / "data" / "ohlcv" / "daily"
    daily.mkdir(parents=True)
    (daily / "AAPL.csv").write_text("Date,Open\n", encoding="utf-8")
    monkeypatch.setattr(shared_data, "SHARED_DATA", tmp_path / "data")
    monkeypatch.setenv("TRADEMIND_REQUIRE_SERVICES", "1")
    assert shared_data.daily_csv("AAPL") == daily / "AAPL.csv"
    assert shared_data.daily_dir() == daily


def test_no_test_finds_the_data_set_on_its_own() -> None:
    """A test that builds the ../shared/data path itself would skip in CI again: all go
    through support.shared_data."""
    helper = TESTS / "support" / "shared_data.py"
    pattern = re.compile(r"""["']shared["']\s*\)?\s*/\s*["']data["']|shared/data["']""")
    offenders = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.rglob("*.py"))
        if path != helper and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
