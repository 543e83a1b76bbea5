"""The server's trading process: ``python -m trademind.web.trading_child FD [CONFIG]``.

Started by :class:`~trademind.web.trading.ServerTrading` (never by hand), with the server's
environment, so the same settings, database and data directory. It runs the session of the
``server.*`` settings: the account ``server.account`` is resumed when it holds a stored
session (what it was started with decides everything but the pace), else a new session is
started with ``server.mode``, ``server.strategy`` and ``server.symbols``. Every event of its
bus, every bar close handled, the LLM breakers' changes and the end go to the web process over
the socket ``FD`` (:mod:`trademind.web.trading_channel`).

A process of its own, not a task on the web server's loop: the trading loop then shares
neither the loop nor the GIL with the HTTP requests and the SSE streams, so a busy dashboard
does not delay a bar's orders (docs/api.md, "Load"). It stops on SIGTERM (the session is
cancelled between two awaits; what it stored stays, and the next start resumes it) and when the
socket reaches its end (the web process is gone, even killed with SIGKILL); it ignores SIGINT
(a Ctrl-C in the server's terminal reaches it too: the server then stops it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trademind.core.errors import TradeMindError
from trademind.core.events import Event
from trademind.web import trading_channel as channel
from trademind.web.stream import message_of

if TYPE_CHECKING:
    from trademind.agents.llm.breaker import BreakerSnapshot
    from trademind.bootstrap import Runtime
    from trademind.runtime.pacing import Sleeper
    from trademind.services.trade.types import StepView, TradeRequest

logger = logging.getLogger("trademind.web.trading_child")
"""Named, not ``__name__``: run with ``-m`` the module is ``__main__``, outside the
``trademind`` loggers, and its INFO lines were lost."""


@dataclass(frozen=True, slots=True)
class ChildHooks:
    """What benchmarks/api_load.py adds to the session: a ``sleeper`` noting when each bar is
    due, an ``on_event`` subscribed to the bus before anything else, ``on_end`` run once the
    session has ended (before the end is announced)."""

    sleeper: Sleeper | None = None
    on_event: Callable[[Event], None] | None = None
    on_end: Callable[[], None] | None = None


class _Forwarder:
    """The session's bus, steps and breakers onto the socket (module docstring). What one
    callback of the loop publishes (a bar close's events) goes out in one write, at the end of
    that callback: the web process then reads it at once and sends it to each subscriber of
    the stream in one chunk."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._pending: list[bytes] = []
        self._breakers: list[BreakerSnapshot] = []

    def _send(self, line: bytes) -> None:
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.append(line)

    def _flush(self) -> None:
        lines, self._pending = self._pending, []
        if not self._writer.is_closing():
            self._writer.write(b"".join(lines))

    def on_event(self, event: Event) -> None:
        self._send(channel.encode_stream(message_of(event)))

    def on_step(self, view: StepView) -> None:
        from trademind.agents.llm.breaker import live_breakers

        self._send(channel.encode_step(view.closed_at, view.step))
        breakers = live_breakers()
        if breakers != self._breakers:
            self._breakers = breakers
            self._send(channel.encode_breakers(breakers))

    async def end(self, error: str | None) -> None:
        self._send(channel.encode_ended(error))
        self._flush()
        with contextlib.suppress(ConnectionError):
            await self._writer.drain()


async def run_child(
    sock: socket.socket, config_path: Path | None, hooks: ChildHooks | None = None
) -> None:
    """Run the session, forwarding it over ``sock`` (module docstring)."""
    from trademind.bootstrap import build_runtime
    from trademind.runtime.heap import freeze_startup_heap

    hooks = hooks or ChildHooks()
    runtime = build_runtime(config_path=config_path)
    freeze_startup_heap()
    try:
        reader, writer = await asyncio.open_unix_connection(sock=sock)
        forwarder = _Forwarder(writer)
        if hooks.on_event is not None:
            runtime.bus.subscribe(Event, hooks.on_event)
        runtime.bus.subscribe(Event, forwarder.on_event)
        session = asyncio.create_task(_session(runtime, forwarder, hooks.sleeper))
        _stop_on(session, reader)
        error = await session
        if hooks.on_end is not None:
            hooks.on_end()
        await forwarder.end(error)
        writer.close()
    finally:
        runtime.close()


def _stop_on(session: asyncio.Task[str | None], reader: asyncio.StreamReader) -> None:
    """Cancel ``session`` on SIGTERM or when the web process closes the socket."""
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, session.cancel)

    async def watch() -> None:
        await reader.read()  # the web process sends nothing: this returns at its end
        session.cancel()

    watcher = loop.create_task(watch(), name="web process watch")
    session.add_done_callback(lambda _: watcher.cancel())


async def _session(runtime: Runtime, forwarder: _Forwarder, sleeper: Sleeper | None) -> str | None:
    """The session to its end: None, or the one-line error it failed with."""
    from trademind.services.trade.service import TradeOptions, trade

    settings = runtime.settings.server
    options = TradeOptions(
        clock=runtime.clock,
        data_dir=Path(runtime.settings.app.data_dir),
        on_step=forwarder.on_step,
        bus=runtime.bus,
        sleeper=sleeper,
    )
    try:
        summary = await trade(runtime.database, runtime.settings, request_of(runtime), options)
    except TradeMindError as exc:
        logger.error("server session %s stopped: %s", settings.account, exc)
        return str(exc)
    except asyncio.CancelledError:
        logger.info("server session %s stopped by the server", settings.account)
        return None
    except Exception as exc:
        logger.exception("server session %s failed", settings.account)
        return f"internal error: {type(exc).__name__}"
    logger.info("server session %s ended: equity %s", summary.account, summary.final_equity)
    return None


def request_of(runtime: Runtime) -> TradeRequest:
    """Resume the account's stored session, or start the ``server.*`` one."""
    from trademind.services.trade.types import TradeRequest

    settings = runtime.settings.server
    if _has_session(runtime):
        return TradeRequest(account=settings.account, resume=True, speed=settings.speed)
    return TradeRequest(
        mode=settings.mode,
        account=settings.account,
        strategy=settings.strategy,
        symbols=tuple(settings.symbols),
        speed=settings.speed,
    )


def _has_session(runtime: Runtime) -> bool:
    from trademind.portfolio.journal import SqlBrokerJournal
    from trademind.services.trade.session import SESSION_STATE

    account = runtime.settings.server.account
    journal = SqlBrokerJournal(runtime.database, runtime.clock)
    if not any(known.name == account for known in journal.store.accounts()):
        return False
    return journal.load_state(account, SESSION_STATE) is not None


def main(argv: list[str], hooks: ChildHooks | None = None) -> None:
    """``FD [CONFIG]`` (module docstring); the server's log takes what it logs (plain lines)."""
    import uvloop

    from trademind.log import use_plain_console

    if not sys.stderr.isatty():
        use_plain_console()
    # Ctrl-C in the terminal of `server start --foreground` reaches the whole process group:
    # the server stops this process itself (SIGTERM), after its own shutdown has begun
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket(fileno=int(argv[0]))
    config_path = Path(argv[1]) if len(argv) > 1 else None
    asyncio.run(run_child(sock, config_path, hooks), loop_factory=uvloop.new_event_loop)


if __name__ == "__main__":
    main(sys.argv[1:])
