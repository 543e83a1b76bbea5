"""Fixtures of the trading-session tests: the settings of the isolated environment and the
database they name (what `trademind trade` opens), migrated. They replace the root conftest's
parametrised ``database`` here: a session reads its database from the settings.

Paper sessions here trade strategies nobody validated: ``safety.require_validation`` is off
(tests/integration/trading/test_validation_gate.py tests the gate itself)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from trademind.bootstrap import build_database
from trademind.config import Settings, load_config
from trademind.db.session import Database


@pytest.fixture
def settings(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("TRADEMIND__SAFETY__REQUIRE_VALIDATION", "false")
    return load_config(None).settings


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    made = build_database(settings)
    yield made
    made.dispose()
