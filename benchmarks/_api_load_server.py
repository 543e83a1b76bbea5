"""The server under test of benchmarks/api_load.py, in its own process.

    python -m benchmarks._api_load_server RUN_DIR SUBSCRIBERS

The parts of ``trademind server start --foreground`` (trademind/web/serve.py ``_run``): the
runtime from the environment (the caller sets ``TRADEMIND__APP__DATA_DIR`` and
``TRADEMIND__SERVER__*``), the scheduler, :class:`~trademind.web.trading.ServerTrading` and the
app of :func:`~trademind.web.app.create_app` served by uvicorn on a loopback socket of a free
port, all in one asyncio loop. Three additions, none on a request's path:

* the session is started only once ``SUBSCRIBERS`` SSE subscribers are connected and the
  file ``RUN_DIR/go`` exists (the load is running), so each subscriber can be held to every
  event of the session;
* the session's sleeper (``ServerTrading(sleeper=...)``) notes when each paced bar is due:
  ``perf_counter()`` at the start of the wait plus the wait;
* a bus subscriber, subscribed before anything else, notes every event id of the session and,
  with ``perf_counter()``, the first ``BarClosed`` of each bar close and the first
  ``OrderStatusChanged`` of each order placed at that close.

``RUN_DIR/port`` is written once uvicorn listens; ``RUN_DIR/result.json`` once the session
ends; the process serves until SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks._api_load_clients import write_atomically
from trademind.core.events import BarClosed, Event, OrderStatusChanged


@dataclass
class Recorder:
    """The session's timings and event ids (module docstring)."""

    run_dir: Path
    due: float | None = None
    recording: bool = False
    event_ids: list[str] = field(default_factory=list)
    bar: datetime | None = None
    bar_due: float | None = None
    bar_published: float = 0.0
    orders_seen: set[str] = field(default_factory=set)
    from_due: list[float] = field(default_factory=list)
    from_publish: list[float] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0

    async def sleep(self, seconds: float) -> None:
        self.due = time.perf_counter() + seconds
        await asyncio.sleep(seconds)

    def on_event(self, event: Event) -> None:
        if not self.recording:
            return
        now = time.perf_counter()
        if not self.started and isinstance(event, BarClosed):  # the account is open
            self.started = now
            (self.run_dir / "running").touch()
        self.event_ids.append(event.event_id)
        if isinstance(event, BarClosed) and event.occurred_at != self.bar:
            self.bar, self.bar_due, self.bar_published = event.occurred_at, self.due, now
            self.due = None  # the first bar close has no wait before it: no due time
        elif isinstance(event, OrderStatusChanged):
            self._order(event, now)

    def _order(self, event: OrderStatusChanged, now: float) -> None:
        order_id = event.state.client_order_id
        if order_id in self.orders_seen:
            return
        self.orders_seen.add(order_id)
        if event.occurred_at != self.bar:
            return
        self.from_publish.append(now - self.bar_published)
        if self.bar_due is not None:
            self.from_due.append(now - self.bar_due)

    def result(self) -> dict[str, Any]:
        return {
            "event_ids": self.event_ids,
            "from_due": self.from_due,
            "from_publish": self.from_publish,
            "replay_seconds": self.ended - self.started,
        }


async def _gate(run_dir: Path, subscribers: int, app: Any) -> None:
    while app.state.broadcaster.subscribers < subscribers or not (run_dir / "go").exists():
        await asyncio.sleep(0.02)


async def _session(run_dir: Path, subscribers: int, app: Any, trading: Any, rec: Recorder) -> None:
    await _gate(run_dir, subscribers, app)
    rec.recording = True
    trading.start()
    while trading.status().running:
        await asyncio.sleep(0.05)
    rec.recording, rec.ended = False, time.perf_counter()
    status = trading.status()
    outcome = rec.result() | {"error": status.error, "steps": trading._progress.steps}
    write_atomically(run_dir / "result.json", json.dumps(outcome))


async def _main(run_dir: Path, subscribers: int) -> None:
    import uvicorn

    from trademind.bootstrap import build_runtime
    from trademind.runtime.jobs import build_scheduler
    from trademind.services.data_service import ScheduledRefresh
    from trademind.web.app import create_app
    from trademind.web.security import AccessPolicy, new_token
    from trademind.web.serve import bind, build_context
    from trademind.web.trading import ServerTrading

    runtime = build_runtime()
    recorder = Recorder(run_dir)
    runtime.bus.subscribe(Event, recorder.on_event)
    sock = bind("127.0.0.1", 0)
    refresher = ScheduledRefresh(runtime.database, lambda: runtime.settings, clock=runtime.clock)
    scheduler = build_scheduler(runtime, refresher)
    scheduler.start()
    trading = ServerTrading(runtime, sleeper=recorder)
    app = create_app(build_context(runtime, AccessPolicy(None, new_token()), scheduler, trading))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
    session = asyncio.create_task(_session(run_dir, subscribers, app, trading, recorder))
    announce = asyncio.create_task(_announce(server, run_dir, sock.getsockname()[1]))
    try:
        await server.serve(sockets=[sock])
    finally:
        session.cancel()
        announce.cancel()
        await trading.stop()
        scheduler.shutdown(wait=False)
        runtime.close()


async def _announce(server: Any, run_dir: Path, port: int) -> None:
    while not server.started:
        await asyncio.sleep(0.02)
    (run_dir / "port").write_text(str(port))


if __name__ == "__main__":
    asyncio.run(_main(Path(sys.argv[1]), int(sys.argv[2])))
