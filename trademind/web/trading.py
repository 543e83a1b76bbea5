"""The trading session the server runs beside the dashboard (``server.*`` settings), in a
process of its own (:mod:`trademind.web.trading_child`, docs/dashboard.md, "The trading
process").

When ``server.trading``, :meth:`ServerTrading.start` starts that process with the server's
environment and a socket pair; what it sends (:mod:`trademind.web.trading_channel`) is handed
on here: each event of the session's bus to the SSE stream (``on_message``), each bar close
to ``/health``'s last bar, its LLM breakers to the agents page. A session that ends (the replay
reached its last bar), fails, or whose process dies is reported by ``/health`` (``running:
false`` and, for a failure, its one-line error); the server keeps serving. :meth:`stop` sends
SIGTERM and, after ``stop_timeout`` seconds, SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from trademind.core.errors import TradeMindError
from trademind.web import trading_channel as channel
from trademind.web.context import LoopStatus
from trademind.web.priority import yield_cpu_to_trading
from trademind.web.stream import StreamMessage

if TYPE_CHECKING:
    from trademind.agents.llm.breaker import BreakerSnapshot
    from trademind.bootstrap import Runtime

logger = logging.getLogger(__name__)

CHILD_MODULE = "trademind.web.trading_child"
YIELD_EVERY = 32
"""Messages handed on before the loop serves others: ``readline`` does not wait while lines
are buffered, so a burst of thousands (a session's first bars) would otherwise hold the loop,
and every request, for as long as it takes to fan them out (300 ms was measured)."""


@dataclass
class _Progress:
    last_bar_at: datetime | None = None
    steps: int = 0
    running: bool = False
    error: str | None = None
    ended: bool = False


class ServerTrading:
    """The server's session in its own process (module docstring). ``module`` is the child's
    module (benchmarks/api_load.py runs one that times the session); ``on_spawned`` runs once
    it is started (the server's threads then yield the CPU to it:
    :func:`~trademind.web.priority.yield_cpu_to_trading`); ``on_message`` takes the session's
    events as the SSE stream sends them."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        module: str = CHILD_MODULE,
        stop_timeout: float = 10.0,
        on_spawned: Callable[[], object] = yield_cpu_to_trading,
    ) -> None:
        self._runtime = runtime
        self._module = module
        self._on_spawned = on_spawned
        self._stop_timeout = stop_timeout
        self._settings = runtime.settings.server
        self._progress = _Progress()
        self._breakers: tuple[BreakerSnapshot, ...] = ()
        self._process: subprocess.Popen[bytes] | None = None
        self._task: asyncio.Task[None] | None = None
        self.on_message: Callable[[StreamMessage], None] = lambda _: None

    @property
    def steps(self) -> int:
        return self._progress.steps

    def start(self) -> None:
        if self._settings.trading:
            self._progress.running = True
            self._task = asyncio.create_task(self._run(), name="server-trading")

    async def stop(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, self._stop_timeout)
            except subprocess.TimeoutExpired:
                logger.warning("the trading process did not stop in time: killing it")
                process.kill()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def status(self) -> LoopStatus | None:
        if not self._settings.trading:
            return None
        return LoopStatus(
            account=self._settings.account,
            mode=self._settings.mode,
            broker_connected=self._progress.running,
            last_bar_at=self._progress.last_bar_at,
            running=self._progress.running,
            error=self._progress.error,
        )

    def breakers(self) -> list[BreakerSnapshot]:
        """The session's LLM circuit breakers as its process last reported them."""
        return list(self._breakers)

    async def _run(self) -> None:
        ours, theirs = socket.socketpair()
        try:
            self._process = self._spawn(theirs)
            theirs.close()
            self._on_spawned()
            await self._read(ours)
            code = await asyncio.to_thread(self._process.wait)
            if not self._progress.ended:
                self._fail(f"the trading process exited with status {code}")
        except TradeMindError as exc:
            self._fail(str(exc))
        except OSError as exc:
            self._fail(f"cannot run the trading process: {exc}")
        finally:
            theirs.close()
            ours.close()
            self._progress.running = False

    async def _read(self, ours: socket.socket) -> None:
        """Hand on each message until the trading process closes its end."""
        reader, writer = await asyncio.open_unix_connection(sock=ours, limit=channel.LINE_LIMIT)
        try:
            taken = 0
            while line := await reader.readline():
                self._take(channel.decode(line))
                taken += 1
                if taken % YIELD_EVERY == 0:  # a burst must not hold the loop
                    await asyncio.sleep(0)
        finally:
            writer.close()

    def _fail(self, error: str) -> None:
        self._progress.error = error
        logger.error("server session %s: %s", self._settings.account, error)

    def _spawn(self, theirs: socket.socket) -> subprocess.Popen[bytes]:
        config = self._runtime.config_path
        command: Sequence[str] = [sys.executable, "-m", self._module, str(theirs.fileno())]
        if config is not None:
            command = [*command, str(config)]
        # our own module, the server's interpreter: no user text reaches the command
        return subprocess.Popen(command, pass_fds=(theirs.fileno(),))  # noqa: S603

    def _take(self, message: channel.ChannelMessage) -> None:
        if isinstance(message, StreamMessage):
            self.on_message(message)
        elif isinstance(message, channel.StepMessage):
            self._progress.last_bar_at = message.closed_at
            self._progress.steps = message.step
        elif isinstance(message, channel.BreakersMessage):
            self._breakers = message.items
        else:
            self._progress.ended = True
            self._progress.error = message.error
