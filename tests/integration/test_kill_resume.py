"""The kill -9 test (issue 10, item 11): a replay session killed with SIGKILL at several points
and resumed with ``--resume`` (killed again, sometimes) ends with exactly the ledger, orders
and fills of the same session run without interruption.

Each run is a real subprocess: the `trademind trade` command line (``python -m trademind``,
:data:`NEW_SESSION`, then ``trade --resume``) on a SQLite file database in its own data
directory, trading the bundled sample's bars. The kill points are chosen by polling the
database from this process: a run is killed as soon as the number of fills, orders or
snapshots passes a threshold (so the kill lands inside the step that wrote that row, or just
after it), or after a seeded random delay from the session's first snapshot. There is no
fault-injection hook in the production code.

What is compared with the uninterrupted run: every order (client id, symbol, side, type,
quantities, prices, status, reason, times), every fill (execution id, order, time, side,
quantity, price, commission, realised P&L), the holdings, every portfolio snapshot, the paper
venue's final state and the final summary (cash, equity, positions, orders, fills); and no
client order id, execution id or snapshot time appears twice.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest

# Real subprocesses killed and resumed: minutes of CPU. Left out of the default run, run by
# `.ci/run` and by `uv run pytest -m scenario`.
pytestmark = [pytest.mark.slow, pytest.mark.scenario]

ACCOUNT: Final = "crash"
DB_FILE: Final = "trademind.db"
RUN_TIMEOUT: Final = 240.0
POLL_SECONDS: Final = 0.002

NEW_SESSION: Final = (
    "--mode", "replay",
    "--symbols", "AAPL,NVDA,TSLA",
    "--strategy", "ma_crossover",
    "--param", "fast=3",
    "--param", "slow=8",
    "--start", "2020-01-01",
    "--end", "2020-10-31",
    "--sizing", "fraction:30%",
    "--stop-loss", "4%",
    "--speed", "max",
)  # fmt: skip
"""The session's `trademind trade` options (the bundled sample's bars: nothing is stored)."""

# The columns compared (everything but surrogate keys, foreign keys and wall-clock times).
ORDER_COLUMNS: Final = (
    "client_order_id, broker, mode, decision_ref, symbol, side, order_type, time_in_force, "
    "quantity, working_quantity, limit_price, stop_price, status, filled_quantity, "
    "avg_fill_price, commission, reject_reason, submitted_at, updated_at, closed_at"
)
FILL_COLUMNS: Final = (
    "broker_execution_id, client_order_id, mode, symbol, side, quantity, price, "
    "commission, fees, realized_pnl, executed_at"
)
HOLDING_COLUMNS: Final = (
    "mode, symbol, quantity, avg_cost, market_price, market_value, unrealized_pnl, realized_pnl"
)
SNAPSHOT_COLUMNS: Final = (
    "ts, cash, positions_value, equity, buying_power, unrealized_pnl, realized_pnl, daily_pnl, "
    "drawdown, positions"
)
COUNTED: Final = ("trades", "orders", "portfolio_snapshots")
SUMMARY_KEYS: Final = ("cash", "final_equity", "positions", "orders", "fills", "start", "end")


@dataclass(frozen=True)
class KillAt:
    """Kill a run as soon as ``table`` holds more than ``count`` rows of the account."""

    table: str
    count: int


@dataclass(frozen=True)
class KillAfter:
    """Kill a run ``seconds`` after its first new snapshot appears."""

    seconds: float


KillPoint = KillAt | KillAfter


SAFETY_LIMITS = {
    "TRADEMIND__SAFETY__MAX_POSITION_SIZE": "0.35",
    "TRADEMIND__SAFETY__MAX_SECTOR_CONCENTRATION": "1",
    "TRADEMIND__SAFETY__MAX_ORDER_VALUE": "1000000",
    "TRADEMIND__SAFETY__MAX_PORTFOLIO_HEAT": "0.2",
    "TRADEMIND__SAFETY__MAX_CORRELATION": "0.95",
    "TRADEMIND__SAFETY__DAILY_LOSS_LIMIT": "0.07",
    "TRADEMIND__SAFETY__CIRCUIT_BREAKER__REQUIRE_MANUAL_RESET": "false",
    "TRADEMIND__SAFETY__CIRCUIT_BREAKER__COOLDOWN_MINUTES": "1440",
    "TRADEMIND__SAFETY__CIRCUIT_BREAKER__MAX_DRAWDOWN": "0.3",
}
"""The safety layer stays on (its rules, sizing, breakers and their state are resumed too),
with limits loose enough for the session to trade often; a breaker trips and resets itself."""


def _environment(data_dir: Path) -> dict[str, str]:
    """This process's environment without any TradeMind setting (the module's reference run
    starts before the test's isolated environment does) and with the run's own data, config
    and cache directories."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TRADEMIND")}
    env["TRADEMIND__APP__DATA_DIR"] = str(data_dir)
    env["XDG_CONFIG_HOME"] = str(data_dir / "xdg-config")
    env["XDG_CACHE_HOME"] = str(data_dir / "xdg-cache")
    env["PYTHONHASHSEED"] = "0"
    env.update(SAFETY_LIMITS)
    return env


def _command(*, resume: bool) -> list[str]:
    """The `trademind trade` command line of a new session or of its resumption."""
    session = ("--resume", "--account", ACCOUNT) if resume else (*NEW_SESSION, "--account", ACCOUNT)
    return [sys.executable, "-m", "trademind", "--format", "json", "trade", *session]


def _start(data_dir: Path, *, resume: bool) -> subprocess.Popen[str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        _command(resume=resume),
        env=_environment(data_dir),
        cwd=data_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _count(db: Path, table: str) -> int:
    """Rows of ``table`` now (0 while the database or its tables do not exist yet)."""
    if not db.exists():
        return 0
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5.0)
    try:
        row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    except sqlite3.OperationalError:
        return 0
    finally:
        connection.close()
    return int(row[0])


def _finish(process: subprocess.Popen[str]) -> dict[str, Any]:
    stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
    assert process.returncode == 0, f"run failed ({process.returncode}):\n{stderr[-4000:]}"
    return _summary(stdout)


def _summary(stdout: str) -> dict[str, Any]:
    """The session's summary: the one JSON document `trade --format json` prints."""
    summary: dict[str, Any] = json.loads(stdout)
    return summary


def _kill_when(process: subprocess.Popen[str], db: Path, point: KillPoint) -> bool:
    """Kill ``process`` at ``point``; False when it finished first."""
    table, threshold = (
        (point.table, point.count) if isinstance(point, KillAt) else ("portfolio_snapshots", -1)
    )
    baseline = _count(db, table) if isinstance(point, KillAfter) else 0
    deadline = time.monotonic() + RUN_TIMEOUT
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        rows = _count(db, table)
        if isinstance(point, KillAt) and rows > threshold:
            break
        if isinstance(point, KillAfter) and rows > baseline:
            time.sleep(point.seconds)
            break
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=RUN_TIMEOUT)
    return True


def _run_killed(data_dir: Path, points: list[KillPoint]) -> tuple[dict[str, Any], int]:
    """A session killed at each of ``points`` in turn (one per run), then resumed to its end;
    its final summary and how many kills landed."""
    db = data_dir / DB_FILE
    kills = 0
    resume = False
    for point in points:
        process = _start(data_dir, resume=resume)
        if not _kill_when(process, db, point):
            stdout, stderr = process.communicate()
            assert process.returncode == 0, stderr[-4000:]
            return _summary(stdout), kills
        kills += 1
        resume = True
    return _finish(_start(data_dir, resume=resume)), kills


def _rows(db: Path, table: str, columns: str, order: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        found = connection.execute(f"SELECT {columns} FROM {table} ORDER BY {order}").fetchall()
    finally:
        connection.close()
    return found


def _ledger(db: Path) -> dict[str, Any]:
    state = _rows(db, "broker_state", "name, document", "name")
    return {
        "orders": _rows(db, "orders", ORDER_COLUMNS, "client_order_id"),
        "fills": _rows(db, "trades", FILL_COLUMNS, "broker_execution_id"),
        "holdings": _rows(db, "holdings", HOLDING_COLUMNS, "symbol"),
        "snapshots": _rows(db, "portfolio_snapshots", SNAPSHOT_COLUMNS, "ts"),
        "venue": [json.loads(doc) for name, doc in state if name == "paper_venue"],
    }


def _no_duplicates(db: Path) -> None:
    for table, key in (
        ("orders", "client_order_id"),
        ("trades", "broker_execution_id"),
        ("portfolio_snapshots", "ts"),
    ):
        twice = _rows(db, f"{table} GROUP BY {key}", f"{key}, count(*)", key)
        assert all(n == 1 for _key, n in twice), f"{table}: a {key} appears twice"


def _summary_part(summary: dict[str, Any]) -> dict[str, Any]:
    return {key: summary[key] for key in SUMMARY_KEYS}


def _differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    found = []
    for name, rows in expected.items():
        other = actual[name]
        if rows == other:
            continue
        if isinstance(rows, list) and isinstance(other, list):
            first = next(
                (i for i, (a, b) in enumerate(zip(rows, other, strict=False)) if a != b),
                min(len(rows), len(other)),
            )
            got = other[first] if first < len(other) else None
            want = rows[first] if first < len(rows) else None
            found.append(
                f"{name}: {len(rows)} expected, {len(other)} found; first difference at "
                f"{first}: expected {want!r:.600}, found {got!r:.600}"
            )
        else:
            found.append(f"{name}: expected {rows!r:.600}, found {other!r:.600}")
    return found


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """The uninterrupted session: its ledger and summary."""
    data_dir = tmp_path_factory.mktemp("reference")
    summary = _finish(_start(data_dir, resume=False))
    db = data_dir / DB_FILE
    _no_duplicates(db)
    ledger = _ledger(db)
    assert len(ledger["fills"]) >= 30, "the session must trade often to test much"
    return ledger, summary


def _random_points(seed: int) -> list[KillPoint]:
    chooser = random.Random(seed)
    return [KillAfter(chooser.uniform(0.0, 0.4)) for _ in range(3)]  # a session lasts ~1 s


SCENARIOS: Final[dict[str, list[KillPoint]]] = {
    # Several kills per session (each resume killed again) keep the subprocess count, and the
    # suite's time, down: the first fill, a fill mid-run, orders, snapshots, random moments.
    "fills 1, 11, 23": [KillAt("trades", 0), KillAt("trades", 10), KillAt("trades", 22)],
    "orders 2, 9 then snapshot 120": [
        KillAt("orders", 1),
        KillAt("orders", 8),
        KillAt("portfolio_snapshots", 119),
    ],
    "random delays (seed 11)": _random_points(11),
}


@pytest.mark.parametrize("points", list(SCENARIOS.values()), ids=list(SCENARIOS))
def test_killed_and_resumed_session_equals_uninterrupted_one(
    tmp_path: Path,
    points: list[KillPoint],
    reference: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    expected_ledger, expected_summary = reference
    summary, kills = _run_killed(tmp_path / "killed", points)
    assert kills >= 1, "no kill landed: the session ended before the first kill point"
    db = tmp_path / "killed" / DB_FILE
    _no_duplicates(db)
    problems = _differences(expected_ledger, _ledger(db))
    problems += _differences(_summary_part(expected_summary), _summary_part(summary))
    assert not problems, "\n".join(problems)
