"""Issue 9 defect 15: each command imports only what it needs, so the CLI starts at once.

Not timed (tests never assert on wall-clock time): each case runs a command line in a fresh
interpreter and lists the heavy libraries it imported. ``benchmarks/cli_startup.py`` measures
the times themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# The libraries that make start-up slow, by the commands that need them.
SHELL_ONLY = {"prompt_toolkit"}
BARS_ONLY = {"numpy", "pandas", "numba", "llvmlite"}
DATABASE_ONLY = {"sqlalchemy", "alembic", "psycopg"}
CONFIG_ONLY = {"pydantic", "ruamel"}
NEVER = {"pydantic_settings"}
TABLES_ONLY = {"rich"}

PROBE = """
import contextlib, io, json, sys
from trademind.cli.main import dispatch
LOOKED_FOR = ("sqlalchemy.orm", "sqlalchemy.dialects.postgresql")
with contextlib.redirect_stdout(io.StringIO()):
    code = dispatch(sys.argv[1:])
modules = {name.split(".")[0] for name in sys.modules}
modules |= {name for name in sys.modules if name in LOOKED_FOR}
print(json.dumps({"code": code, "modules": sorted(modules)}))
"""


def imported_by(tmp_path: Path, *argv: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after running ``trademind argv``
    in ``tmp_path`` (no config file there, data directory inside it)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TRADEMIND")}
    env |= {
        "TRADEMIND__APP__DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["code"] == 0, result.stderr
    return set(outcome["modules"])


@pytest.mark.parametrize("argv", [["--help"], ["data", "--help"], ["--version"]])
def test_help_imports_neither_settings_nor_libraries(tmp_path: Path, argv: list[str]) -> None:
    heavy = SHELL_ONLY | BARS_ONLY | DATABASE_ONLY | CONFIG_ONLY | NEVER | TABLES_ONLY
    assert imported_by(tmp_path, *argv) & heavy == set()


def test_config_get_loads_settings_without_database_bars_or_shell(tmp_path: Path) -> None:
    imported = imported_by(tmp_path, "config", "get", "app.data_dir")
    assert "pydantic" in imported  # the probe sees what the command does import
    assert imported & (SHELL_ONLY | BARS_ONLY | DATABASE_ONLY | NEVER | TABLES_ONLY) == set()


def test_config_get_from_a_current_snapshot_imports_no_pydantic(tmp_path: Path) -> None:
    """Issue 9 defect 15: the first `config get` validates in full and writes the settings
    snapshot; the next one answers from it, without pydantic or a YAML library, and says the
    same."""
    first = imported_by(tmp_path, "config", "get", "logging.level")
    assert "pydantic" in first
    second = imported_by(tmp_path, "config", "get", "logging.level")
    assert second & (CONFIG_ONLY | SHELL_ONLY | BARS_ONLY | DATABASE_ONLY | TABLES_ONLY) == set()


def test_the_probe_sees_what_a_command_imports(tmp_path: Path) -> None:
    """`examples` prints a Rich table: the probe must see Rich (and no more than that)."""
    imported = imported_by(tmp_path, "examples")
    assert "rich" in imported
    assert imported & (SHELL_ONLY | BARS_ONLY | DATABASE_ONLY | CONFIG_ONLY | NEVER) == set()


def _store_a_run(data_dir: Path) -> None:
    """One stored backtest run (written through the repository, as `backtest run` stores it),
    so `backtest list` formats a row."""
    from datetime import UTC, datetime

    from trademind.config.models import SQLITE_FILE_NAME
    from trademind.db.backtest_runs import BacktestRunRepository, RunRecord
    from trademind.db.session import Database

    database = Database(f"sqlite:///{data_dir / SQLITE_FILE_NAME}")
    record = RunRecord(
        strategy="ma_crossover",
        symbols=("AAPL",),
        timeframe="1d",
        period_start=datetime(2023, 1, 3, tzinfo=UTC),
        period_end=datetime(2023, 12, 29, tzinfo=UTC),
        initial_capital=100_000.0,
        final_equity=101_000.0,
        config={"engine": "native"},
        params={"fast": 20, "slow": 50},
        metrics={"total_return": 0.01, "sharpe": 0.5, "trade_count": 2},
        equity_curve=[],
        trades=[],
        started_at=datetime(2024, 1, 2, tzinfo=UTC),
        finished_at=datetime(2024, 1, 2, tzinfo=UTC),
    )
    try:
        with database.session() as session:
            BacktestRunRepository(session).add(record)
    finally:
        database.dispose()


@pytest.mark.parametrize("argv", [["data", "status"], ["backtest", "list"]])
def test_listing_stored_data_and_runs_touches_no_bars_migrations_or_shell(
    tmp_path: Path, argv: list[str]
) -> None:
    """Issue 9 defect 15: `data status` and `backtest list` on a database holding the sample
    (and one run) read it with SQLAlchemy Core alone: no ORM, no numpy, pandas or numba, and no
    Alembic (a database at the newest revision is recognised without it); the settings come
    from the snapshot (no pydantic)."""
    imported_by(tmp_path, "data", "ingest", "--source", "sample")  # migrates, stores the sample
    _store_a_run(tmp_path / "data")
    imported = imported_by(tmp_path, *argv)
    assert "sqlalchemy" in imported  # the probe sees the database being read
    assert imported & (SHELL_ONLY | BARS_ONLY | {"alembic", "mako", "pygments"} | NEVER) == set()
    assert "sqlalchemy.dialects.postgresql" not in imported  # only a PostgreSQL URL needs it
    assert "pydantic" not in imported  # the settings come from the snapshot `ingest` wrote
    assert "sqlalchemy.orm" not in imported  # Core tables only, no mapped classes
