"""The server process on this machine: its lock, its state file, stopping it.

Files under ``<data dir>/server/``:

- ``server.lock``: held with ``fcntl.flock`` by the running server for its whole life. A second
  ``server start`` cannot take it and is refused naming the running one; the kernel drops the
  lock when the process dies (SIGKILL included), so a crashed server never blocks the next.
- ``state.json`` (mode 0600): pid, host, port, start time, log file and the **local token** the
  CLI on this machine sends as its Bearer token. Written once the server listens, removed when
  it stops. A state file whose process is gone (or whose lock is free) is **stale**: it is
  removed, and the caller says so.
- ``server.log``: what the server logs (``server logs``), rotated like the main log.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from trademind.core.errors import ServerError

STOP_TIMEOUT_SECONDS: Final = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerState:
    """What a running server wrote about itself."""

    pid: int
    host: str
    port: int
    started_at: str
    log_file: str
    local_token: str

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def server_dir(data_dir: Path) -> Path:
    return data_dir / "server"


def log_path(data_dir: Path) -> Path:
    return server_dir(data_dir) / "server.log"


class ServerLock:
    """The one-server-per-data-directory lock (module docstring)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = server_dir(data_dir) / "server.lock"
        self._fd: int | None = None

    def acquire(self, running: Callable[[], ServerState | None]) -> None:
        """Take the lock or raise :class:`ServerError` naming the server that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            state = running()
            where = f" (pid {state.pid}, {state.url})" if state else ""
            raise ServerError(f"a server is already running{where}") from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def is_free(self) -> bool:
        """True when no process holds the lock (checked without keeping it)."""
        if not self.path.exists():
            return True
        fd = os.open(self.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return True
        finally:
            os.close(fd)


def _state_file(data_dir: Path) -> Path:
    return server_dir(data_dir) / "state.json"


def write_state(data_dir: Path, state: ServerState) -> None:
    """Write the state file atomically, readable by this user only."""
    path = _state_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(state), handle)
    os.replace(temporary, path)


def remove_state(data_dir: Path) -> None:
    _state_file(data_dir).unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class Lookup:
    """The running server (None: none), and whether a stale state file was cleaned up."""

    state: ServerState | None
    cleaned_stale: bool = False


def find_server(data_dir: Path) -> Lookup:
    """The running server of ``data_dir`` from its state file; a stale file is removed."""
    path = _state_file(data_dir)
    if not path.exists():
        return Lookup(None)
    try:
        state = ServerState(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        remove_state(data_dir)
        return Lookup(None, cleaned_stale=True)
    if not process_alive(state.pid) or ServerLock(data_dir).is_free():
        remove_state(data_dir)
        return Lookup(None, cleaned_stale=True)
    return Lookup(state)


def process_alive(pid: int) -> bool:
    """Is there a process ``pid`` (one of another user's counts)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True, slots=True)
class Stopped:
    pid: int
    killed: bool
    seconds: float


def stop_server(
    data_dir: Path,
    timeout: float = STOP_TIMEOUT_SECONDS,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Stopped:
    """SIGTERM the running server, wait up to ``timeout`` seconds, then SIGKILL it."""
    state = find_server(data_dir).state
    if state is None:
        raise ServerError("no server is running")
    started = time.monotonic()
    _signal(state.pid, signal.SIGTERM)
    while time.monotonic() - started < timeout:
        if not process_alive(state.pid) or ServerLock(data_dir).is_free():
            remove_state(data_dir)
            return Stopped(state.pid, killed=False, seconds=time.monotonic() - started)
        sleep(0.1)
    _signal(state.pid, signal.SIGKILL)
    while process_alive(state.pid) and time.monotonic() - started < timeout + 5:
        sleep(0.05)
    remove_state(data_dir)
    return Stopped(state.pid, killed=True, seconds=time.monotonic() - started)


def _signal(pid: int, which: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, which)


def started_text(moment: datetime) -> str:
    return moment.isoformat()
