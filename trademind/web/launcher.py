"""``server start`` without ``--foreground``: the server as a detached child process.

The child is ``python -m trademind server start --foreground ...`` in its own session, its
output appended to ``<data dir>/server/server.log``. The launcher waits until the child has
written its state file (it listens) and answers, or until it exits: then the error is the
last lines of the log, so a port in use or a bad configuration is said at once.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from trademind.core.errors import ServerError
from trademind.web.process import ServerState, find_server, log_path, process_alive

START_TIMEOUT_SECONDS: Final = 60.0


def tail(path: Path, lines: int) -> list[str]:
    """The last ``lines`` lines of ``path`` (none when it does not exist)."""
    if not path.exists():
        return []
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 256 * 1024))
        text = handle.read().decode("utf-8", errors="replace")
    return text.splitlines()[-lines:] if lines > 0 else []


def launch(
    data_dir: Path, arguments: Sequence[str], timeout: float = START_TIMEOUT_SECONDS
) -> ServerState:
    """Start the server in the background and return its state once it listens.

    A ``/bin/sh`` in a new session starts the server with ``&`` and prints its pid, then exits:
    the server is no child of this process (nothing to reap, no zombie, init adopts it)."""
    log = log_path(data_dir)
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "trademind", "server", "start", "--foreground", *arguments]
    script = f"{shlex.join(command)} </dev/null >>{shlex.quote(str(log))} 2>&1 & echo $!"
    started = subprocess.run(  # noqa: S603 - our own interpreter and module, quoted
        ["/bin/sh", "-c", script],
        capture_output=True,
        text=True,
        start_new_session=True,
        check=False,
        timeout=30,
    )
    if started.returncode != 0 or not started.stdout.strip().isdigit():
        raise ServerError(f"could not start the server: {started.stderr.strip() or 'no pid'}")
    pid = int(started.stdout.strip())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = find_server(data_dir).state
        if state is not None and state.pid == pid:
            return state
        if not process_alive(pid):
            last = " | ".join(line.strip() for line in tail(log, 3) if line.strip())
            raise ServerError(f"the server did not start: {last}")
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    raise ServerError(f"the server did not answer within {timeout:.0f} s; see {log}")


def follow_log(path: Path, emit: Callable[[str], None], *, poll: float = 0.5) -> None:
    """Print what is appended to ``path`` until Ctrl-C (a rotated file is reopened)."""
    handle = path.open("r", encoding="utf-8", errors="replace")
    handle.seek(0, 2)
    try:
        while True:
            line = handle.readline()
            if line:
                emit(line.rstrip("\n"))
                continue
            if path.exists() and path.stat().st_size < handle.tell():
                handle.close()
                handle = path.open("r", encoding="utf-8", errors="replace")
            time.sleep(poll)
    except KeyboardInterrupt:
        return
    finally:
        handle.close()
