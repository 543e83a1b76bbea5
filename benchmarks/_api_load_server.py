"""The server under test of benchmarks/api_load.py, in its own process.

    python -m benchmarks._api_load_server RUN_DIR SUBSCRIBERS

The parts of ``trademind server start --foreground``, built by the same
:func:`trademind.web.serve.assemble` as ``_run``: the runtime from the environment (the caller
sets ``TRADEMIND__APP__DATA_DIR`` and ``TRADEMIND__SERVER__*``), the scheduler,
:class:`~trademind.web.trading.ServerTrading` and the app, served by uvicorn on a loopback
socket of a free port, on uvloop, as the server runs. The session runs in its trading
process, as the server's does; that process is benchmarks/_api_load_trading.py, which runs
:func:`trademind.web.trading_child.main` with a recorder. Two additions, none on a request's
path:

* the session is started only once ``SUBSCRIBERS`` SSE subscribers are connected and the
  file ``RUN_DIR/go`` exists (the load is running), so each subscriber can be held to every
  event of the session;
* the trading process records the session's timings and event ids
  (``RUN_DIR/timings.json``), which are written, with the session's error and steps, to
  ``RUN_DIR/result.json`` once the session has ended.

``RUN_DIR/port`` is written once uvicorn listens; the process serves until SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from benchmarks._api_load_clients import write_atomically


async def _gate(run_dir: Path, subscribers: int, app: Any) -> None:
    while app.state.broadcaster.subscribers < subscribers or not (run_dir / "go").exists():
        await asyncio.sleep(0.02)


async def _session(run_dir: Path, subscribers: int, app: Any, trading: Any) -> None:
    await _gate(run_dir, subscribers, app)
    trading.start()
    while trading.status().running:
        await asyncio.sleep(0.05)
    timings = run_dir / "timings.json"
    status = trading.status()
    outcome = json.loads(timings.read_text()) if timings.exists() else {}
    outcome |= {"error": status.error, "steps": trading.steps}
    write_atomically(run_dir / "result.json", json.dumps(outcome))


async def _main(run_dir: Path, subscribers: int) -> None:
    import uvicorn

    from trademind.bootstrap import build_runtime
    from trademind.web.security import AccessPolicy, new_token
    from trademind.web.serve import assemble, bind
    from trademind.web.trading import ServerTrading

    runtime = build_runtime()
    sock = bind("127.0.0.1", 0)
    trading = ServerTrading(runtime, module="benchmarks._api_load_trading")
    app, scheduler = assemble(runtime, AccessPolicy(None, new_token()), trading)
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
    session = asyncio.create_task(_session(run_dir, subscribers, app, trading))
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
    from uvloop import new_event_loop

    asyncio.run(_main(Path(sys.argv[1]), int(sys.argv[2])), loop_factory=new_event_loop)
