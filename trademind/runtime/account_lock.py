"""One trading process per account: :class:`AccountLock`.

The lock is a file ``<data dir>/locks/account-<name>.lock`` held with ``fcntl.flock`` (an
exclusive, non-blocking lock) and holding the holder's pid. A second process asking for the
same account gets :class:`~trademind.core.errors.AccountBusyError` naming the holder's pid.
The kernel drops a flock when its process dies, however it dies (SIGKILL included), so the file
a dead process left behind is simply taken over: the new holder writes its pid over the old
one (and logs the takeover). The file is never deleted (deleting a lock file another process
has open lets two processes hold "the" lock), only emptied on release.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import re
from pathlib import Path
from types import TracebackType
from typing import Self

from trademind.core.errors import AccountBusyError, ValidationError

logger = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def lock_path(data_dir: Path, account: str) -> Path:
    """Where ``account``'s lock lives (unsafe characters replaced, a digest keeps names apart)."""
    if not account.strip():
        raise ValidationError("an account name must not be empty")
    safe = _UNSAFE.sub("_", account)[:64]
    digest = hashlib.sha256(account.encode()).hexdigest()[:8]
    return data_dir / "locks" / f"account-{safe}-{digest}.lock"


class AccountLock:
    """The exclusive right to trade ``account`` (module docstring); a context manager."""

    def __init__(self, data_dir: Path, account: str) -> None:
        self._account = account
        self._path = lock_path(data_dir, account)
        self._fd: int | None = None

    @property
    def path(self) -> Path:
        return self._path

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock or raise AccountBusyError naming the pid that holds it."""
        if self._fd is not None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"process {holder}" if holder is not None else "another process"
            raise AccountBusyError(
                f"account {self._account!r} is already being traded by {who} "
                f"(lock file {self._path}); stop it first"
            ) from None
        previous = _read_pid(fd)
        if previous is not None and previous != os.getpid():
            logger.info(
                "account %s: took over the lock of ended process %d", self._account, previous
            )
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        """Give the lock up (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None
