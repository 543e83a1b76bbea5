"""AccountLock: one process per account, proven with real processes."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from trademind.core.errors import AccountBusyError
from trademind.runtime.account_lock import AccountLock, lock_path

HOLDER = """
import sys
from pathlib import Path
from trademind.runtime.account_lock import AccountLock
lock = AccountLock(Path(sys.argv[1]), sys.argv[2])
lock.acquire()
print("locked", flush=True)
sys.stdin.readline()
lock.release()
print("released", flush=True)
"""


def _holder(data_dir: Path, account: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir), account],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "locked"
    return process


def _close_pipes(process: subprocess.Popen[str]) -> None:
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()


def test_a_second_process_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    holder = _holder(tmp_path, "main")
    try:
        with pytest.raises(
            AccountBusyError, match=rf"already being traded by process {holder.pid}\b"
        ):
            AccountLock(tmp_path, "main").acquire()
        with AccountLock(tmp_path, "other") as other:  # another account is free
            assert other.held
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
        _close_pipes(holder)
    with AccountLock(tmp_path, "main") as lock:  # released: free again
        assert lock.held
        assert lock.path.read_text().strip() == str(os.getpid())


def test_the_lock_of_a_killed_process_is_taken_over(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    holder = _holder(tmp_path, "main")
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    _close_pipes(holder)
    assert lock_path(tmp_path, "main").read_text().strip() == str(holder.pid)  # left behind
    with caplog.at_level(logging.INFO, logger="trademind.runtime.account_lock"):
        lock = AccountLock(tmp_path, "main")
        lock.acquire()
    try:
        assert lock.path.read_text().strip() == str(os.getpid())
        assert f"ended process {holder.pid}" in caplog.text
    finally:
        lock.release()
    assert not lock.held


def test_account_names_map_to_distinct_safe_files(tmp_path: Path) -> None:
    first, second = lock_path(tmp_path, "a/b"), lock_path(tmp_path, "a_b")
    assert first != second
    assert first.parent == second.parent == tmp_path / "locks"
    assert "/" not in first.name
