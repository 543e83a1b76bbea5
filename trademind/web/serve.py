"""``trademind server start --foreground``: one process holding the web app (uvicorn), the
scheduler's jobs and the event bus, until SIGTERM or Ctrl-C.

In order: the runtime is built (settings, logging, database, cache, bus); a host beyond
loopback without ``web.auth_token`` is refused; the server lock is taken (a second server is
refused); the socket is bound (a port in use is a one-line error); the scheduler starts; the
state file is written with a new local token (the CLI's); uvicorn serves until asked to stop;
then the scheduler stops, the state file is removed and the lock released.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from uvloop import new_event_loop

from trademind.config.sections_platform import is_loopback_host
from trademind.core.errors import ServerError
from trademind.web.process import (
    ServerLock,
    ServerState,
    find_server,
    log_path,
    remove_state,
    write_state,
)
from trademind.web.security import MIN_TOKEN_LENGTH, AccessPolicy, new_token
from trademind.web.trading import ServerTrading

if TYPE_CHECKING:
    from trademind.agents.llm.breaker import BreakerSnapshot
    from trademind.bootstrap import Runtime
    from trademind.core.clock import Clock
    from trademind.web.context import WebContext

logger = logging.getLogger(__name__)

LOCAL_TOKEN_VARIABLE = "TRADEMIND_SERVER_LOCAL_TOKEN"  # noqa: S105 - a variable name
"""How the reloading parent hands its local token to the worker it restarts (``--reload``)."""
CONFIG_VARIABLE = "TRADEMIND_SERVER_CONFIG_PATH"


@dataclass(frozen=True, slots=True)
class ServeOptions:
    host: str
    port: int
    config_path: Path | None = None
    debug: bool = False
    reload: bool = False


def configured_token(runtime: Runtime) -> str | None:
    secret = runtime.settings.web.auth_token
    return secret.get_secret_value() if secret is not None else None


WORKER_THREADS: Final = 1
"""AnyIO's worker threads, which run the plain ``def`` routes and pages (40 by default). One:
threads of one process share its GIL, and each SQLite call hands it round (the call releases
it, and getting it back waits for the holder's switch interval), so requests in several
threads wait on each other far longer than they work. Measured at 100 requests/s
(benchmarks/api_load.py), read p50 / p99: 1 thread 8.7 / 57 ms, 2 threads 9.1 / 95 ms,
3 threads 137 / 270 ms, 8 threads 37 / 163 ms. Long work (backtests, ingests, verification)
runs as jobs in threads of their own; a slow page delays the requests behind it by its own
time."""
SWITCH_INTERVAL: Final = 0.001
"""The server's GIL switch interval (Python's default: 5 ms): the loop, the worker thread and
the jobs' threads take turns sooner (read p99 at 100 requests/s 57 -> 35 ms; at 250, 291 ->
147 ms; 0.2 ms was no better)."""


def tune_threads() -> None:
    """The running loop's worker threads (:data:`WORKER_THREADS`) and the process's GIL switch
    interval (:data:`SWITCH_INTERVAL`)."""
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    sys.setswitchinterval(SWITCH_INTERVAL)


def check_exposure(host: str, token: str | None) -> None:
    """Refuse a host beyond loopback without a long enough token (docs/api.md, "Security")."""
    if is_loopback_host(host):
        return
    if token is None:
        raise ServerError(
            f"refusing to listen on {host}: it is reachable from other machines and "
            "web.auth_token is not set (set TRADEMIND__WEB__AUTH_TOKEN, at least "
            f"{MIN_TOKEN_LENGTH} characters)"
        )
    if len(token) < MIN_TOKEN_LENGTH:
        raise ServerError(f"web.auth_token must be at least {MIN_TOKEN_LENGTH} characters")


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` or a one-line :class:`ServerError`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def build_context(
    runtime: Runtime,
    policy: AccessPolicy,
    scheduler: Any | None,
    trading: ServerTrading | None = None,
) -> WebContext:
    """The web app's parts from the runtime; without ``scheduler`` no job is listed, without
    ``trading`` no session."""
    from trademind.web.context import WebContext

    def jobs() -> list[tuple[str, Any]]:
        if scheduler is None:
            return []
        return [(job.id, job.next_run_time) for job in scheduler.get_jobs()]

    return WebContext(
        settings=lambda: runtime.settings,
        database=runtime.database,
        clock=runtime.clock,
        policy=policy,
        started_at=runtime.clock.now(),
        bus=runtime.bus,
        jobs=jobs,
        loop_status=trading.status if trading is not None else lambda: None,
        breakers=lambda: session_breakers(trading),
        config_path=runtime.config_path,
    )


def session_breakers(trading: ServerTrading | None) -> list[BreakerSnapshot]:
    """The LLM breakers of this process (a backtest job's) and of the trading process."""
    from trademind.agents.llm.breaker import live_breakers

    session = trading.breakers() if trading is not None else []
    return sorted([*live_breakers(), *session], key=lambda snapshot: snapshot.label)


def serve(options: ServeOptions) -> None:
    """Run the server in this process until it is asked to stop (module docstring)."""
    from trademind.bootstrap import build_runtime
    from trademind.log import use_plain_console

    if not sys.stderr.isatty():  # the background server: its stderr is the server log
        use_plain_console()
    runtime = build_runtime(config_path=options.config_path, debug=options.debug)
    try:
        token = configured_token(runtime)
        check_exposure(options.host, token)
        data_dir = Path(runtime.settings.app.data_dir)
        lock = ServerLock(data_dir)
        lock.acquire(lambda: find_server(data_dir).state)
        try:
            sock = bind(options.host, options.port)
            bound = replace(options, port=sock.getsockname()[1])  # --port 0: the port chosen
            policy = AccessPolicy(token, os.environ.get(LOCAL_TOKEN_VARIABLE) or new_token())
            if options.reload:
                _serve_reloading(sock, bound, policy, data_dir, runtime.clock)
            else:
                asyncio.run(_run(runtime, bound, sock, policy), loop_factory=new_event_loop)
        finally:
            remove_state(data_dir)
            lock.release()
    finally:
        runtime.close()


async def _run(
    runtime: Runtime, options: ServeOptions, sock: socket.socket, policy: AccessPolicy
) -> None:
    import uvicorn

    trading = ServerTrading(runtime)
    app, scheduler = assemble(runtime, policy, trading)
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    shut_down_after_uvicorn()
    data_dir = Path(runtime.settings.app.data_dir)
    announce = asyncio.create_task(
        _announce(server, runtime, options, policy, data_dir, on_listening=trading.start)
    )
    try:
        await server.serve(sockets=[sock])
    finally:
        announce.cancel()
        await trading.stop()
        scheduler.shutdown(wait=False)
        logger.info("server stopped")


def assemble(runtime: Runtime, policy: AccessPolicy, trading: ServerTrading) -> tuple[Any, Any]:
    """The server's parts, in the running loop: its threads tuned, the scheduler started, the
    app whose stream the trading process feeds, the start-up heap frozen. The app and the
    scheduler (benchmarks/api_load.py's server is built by the same call)."""
    from trademind.runtime.heap import freeze_startup_heap
    from trademind.runtime.jobs import build_scheduler
    from trademind.services.data_service import ScheduledRefresh
    from trademind.web.app import create_app

    tune_threads()
    refresher = ScheduledRefresh(runtime.database, lambda: runtime.settings, clock=runtime.clock)
    scheduler = build_scheduler(runtime, refresher)
    scheduler.start()
    app = create_app(build_context(runtime, policy, scheduler, trading))
    trading.on_message = app.state.broadcaster.publish_message
    freeze_startup_heap()
    return app, scheduler


def shut_down_after_uvicorn() -> None:
    """Once it has stopped on SIGTERM or SIGINT, uvicorn raises that signal again with the
    handler it found: Python's default would end the process there, before the server's own
    shutdown (the trading process, the scheduler, the state file, the lock, the log line
    ``server stopped``). This handler, installed before uvicorn runs, does nothing, so that
    shutdown runs; while it runs, a second signal is ignored (it ends in bounded time: the
    trading process is killed after its timeout)."""

    def after_uvicorn(signum: int, _frame: object) -> None:
        logger.info("server stopping (%s)", signal.Signals(signum).name)

    for stopping in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stopping, after_uvicorn)


async def _announce(
    server: Any,
    runtime: Runtime,
    options: ServeOptions,
    policy: AccessPolicy,
    data_dir: Path,
    *,
    on_listening: Callable[[], None],
) -> None:
    """Write the state file once uvicorn has started, then start the trading session (so the
    dashboard answers while the session prepares its bars)."""
    while not server.started:
        await asyncio.sleep(0.02)
    state = ServerState(
        pid=os.getpid(),
        host=options.host,
        port=options.port,
        started_at=runtime.clock.now().isoformat(),
        log_file=str(log_path(data_dir)),
        local_token=policy.local,
    )
    write_state(data_dir, state)
    logger.info("server listening on %s (pid %d)", state.url, state.pid)
    on_listening()


def _serve_reloading(
    sock: socket.socket, options: ServeOptions, policy: AccessPolicy, data_dir: Path, clock: Clock
) -> None:
    """``--reload`` (development): uvicorn's reloader restarts a worker on code changes; this
    process keeps the lock and the state file, the workers share its socket and local token."""
    import uvicorn

    os.environ[LOCAL_TOKEN_VARIABLE] = policy.local
    if options.config_path is not None:
        os.environ[CONFIG_VARIABLE] = str(options.config_path)
    write_state(
        data_dir,
        ServerState(
            pid=os.getpid(),
            host=options.host,
            port=options.port,
            started_at=clock.now().isoformat(),
            log_file=str(log_path(data_dir)),
            local_token=policy.local,
        ),
    )
    config = uvicorn.Config(
        "trademind.web.serve:reload_app",
        factory=True,
        reload=True,
        reload_dirs=[str(Path(__file__).resolve().parents[1])],
        log_config=None,
    )
    from uvicorn.supervisors import ChangeReload

    ChangeReload(config, target=uvicorn.Server(config).run, sockets=[sock]).run()


def reload_app() -> Any:
    """The app of a ``--reload`` worker (built from the environment its parent set). A
    development server: the pages and the API only, no scheduled jobs and no trading session
    (each code change would restart them)."""
    from trademind.bootstrap import build_runtime
    from trademind.web.app import create_app

    config = os.environ.get(CONFIG_VARIABLE)
    runtime = build_runtime(config_path=Path(config) if config else None)
    policy = AccessPolicy(configured_token(runtime), os.environ[LOCAL_TOKEN_VARIABLE])
    return create_app(build_context(runtime, policy, scheduler=None))
