"""The emergency stop against a real `trademind trade` process (issue 11, items 4 and 7).

A paced replay runs as a subprocess on a SQLite file; once it holds a position, this process
(another process, as `trademind safety emergency-stop` would be) applies an emergency stop
through its own SafetyStateStore on the same file. The test measures how long the session
takes to act on it (the handled stop's ``broker_state`` row, committed with the cancels, and
the first order row carrying the stop's reason), SIGKILLs the process, resumes the session to
its end and checks: the account is still HALTED, no entry order was placed after the stop
(every later order is a refusal naming the stop), nothing filled after it, no order is left
working, and the stop was handled once.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Final

import pytest

from trademind.core.clock import LiveClock
from trademind.core.trading_state import TradingState
from trademind.db.session import Database
from trademind.safety.state import StateEvent
from trademind.safety.state_store import SafetyStateStore

pytestmark = [pytest.mark.slow, pytest.mark.scenario]

ACCOUNT: Final = "estop"
DB_FILE: Final = "trademind.db"
RUN_TIMEOUT: Final = 240.0
POLL_SECONDS: Final = 0.002
REASON: Final = "trading state HALTED: emergency stop by cli:bob: kill test"
SESSION: Final = (
    "--mode", "replay",
    "--symbols", "AAPL,NVDA,TSLA",
    "--strategy", "ma_crossover",
    "--param", "fast=3",
    "--param", "slow=8",
    "--start", "2020-01-01",
    "--end", "2020-10-31",
    "--sizing", "fraction:30%",
    "--stop-loss", "4%",
    "--order", "limit:0.5%",
    "--speed", "2000000x",  # a daily bar every ~0.04 s: the session runs a few seconds
)  # fmt: skip


def _environment(data_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("TRADEMIND")}
    env["TRADEMIND__APP__DATA_DIR"] = str(data_dir)
    env["XDG_CONFIG_HOME"] = str(data_dir / "xdg-config")
    env["XDG_CACHE_HOME"] = str(data_dir / "xdg-cache")
    return env


def _start(data_dir: Path, *, resume: bool) -> subprocess.Popen[str]:
    session = ("--resume",) if resume else SESSION
    return subprocess.Popen(
        [sys.executable, "-m", "trademind", "--format", "json", "trade", *session,
         "--account", ACCOUNT],
        env=_environment(data_dir),
        cwd=data_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    if not db.exists():
        return []
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5.0)
    try:
        return connection.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        connection.close()


def _poll(process: subprocess.Popen[str], db: Path, sql: str) -> float | None:
    """The monotonic time at which ``sql`` answered a row (None when the process ended
    first)."""
    started = time.monotonic()
    while process.poll() is None and time.monotonic() - started < RUN_TIMEOUT:
        if _query(db, sql):
            return time.monotonic()
        time.sleep(POLL_SECONDS)
    return None


def test_an_emergency_stop_halts_a_running_process_and_a_killed_one_resumes_halted(
    tmp_path: Path,
) -> None:
    db = tmp_path / DB_FILE
    process = _start(tmp_path, resume=False)
    held = "SELECT 1 FROM holdings WHERE quantity > 0"
    try:
        assert _poll(process, db, held) is not None, process.communicate()[1][-3000:]
        database = Database(f"sqlite:///{db}")
        store = SafetyStateStore(database, LiveClock())
        account = int(_query(db, f"SELECT id FROM accounts WHERE name = '{ACCOUNT}'")[0][0])
        applied = time.monotonic()
        store.apply(
            account, StateEvent.EMERGENCY_STOP, actor="cli:bob", reason="kill test",
            details={"liquidate": False},
        )  # fmt: skip
        handled = _poll(process, db, "SELECT 1 FROM broker_state WHERE name = 'emergency_stop'")
        first = _poll(process, db, f"SELECT 1 FROM orders WHERE reject_reason LIKE '{REASON}%'")
        assert handled is not None, "the session ended before it handled the stop"
        print(f"\nemergency stop: handled (committed) {handled - applied:.3f}s after apply()")
        assert first is not None, "no order was cancelled or refused before the session ended"
        print(f"first order cancelled/refused by it: {first - applied:.3f}s after apply()")
        assert handled - applied < 1.0  # the gate's 0.5 s refresh, a step, its commit, a poll
        assert process.poll() is None, "the session ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=RUN_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    resumed = _start(tmp_path, resume=True)
    stdout, stderr = resumed.communicate(timeout=RUN_TIMEOUT)
    assert resumed.returncode == 0, stderr[-4000:]
    summary = json.loads(stdout)
    assert store.current(account).state is TradingState.HALTED
    database.dispose()
    _check_halted_ledger(db, summary)


def _check_halted_ledger(db: Path, summary: dict[str, Any]) -> None:
    (handled_at,) = _query(
        db,
        f"SELECT min(updated_at) FROM orders WHERE reject_reason LIKE '{REASON}%'",
    )[0]
    assert handled_at is not None, "no order was cancelled or refused by the stop"
    later = _query(
        db, f"SELECT side, status, reject_reason FROM orders WHERE submitted_at > '{handled_at}'"
    )
    assert all(status == "rejected" and reason.startswith(REASON) for _s, status, reason in later)
    assert not [row for row in later if row[0] == "buy" and row[1] != "rejected"]
    assert _query(db, f"SELECT 1 FROM trades WHERE executed_at > '{handled_at}'") == []
    assert {o["status"] for o in summary["orders"]}.isdisjoint(
        {"open", "pending", "partially_filled"}
    )
    rows = _query(db, "SELECT document FROM broker_state WHERE name = 'emergency_stop'")
    assert len(rows) == 1
    assert _query(db, "SELECT count(*) FROM safety_events WHERE event_type = 'emergency_stop'") == [
        (1,)
    ]
