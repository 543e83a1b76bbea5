"""The CPU cost of each read endpoint of the dashboard, in process, one request at a time.

    uv run python -m benchmarks.api_reads [--rounds 150] [--symbols AAPL,MSFT]

Set-up (untimed): a temporary working directory holding a copy of the documented
``config.yaml`` (the server's ``--config``), with ``TRADEMIND__APP__DATA_DIR``, ``XDG_CONFIG_HOME``
and ``XDG_CACHE_HOME`` inside it; ``trademind trade --mode replay --strategy ma_crossover
--symbols ... --speed max`` replays the bundled sample into that data directory in a
subprocess, the circuit breaker off as in benchmarks/api_load.py (2013-2023 daily bars: 2,768
snapshots, about 100 fills and orders for two symbols), so the ledger has the size of a real
session's. Then the app of ``trademind server
start`` is built in this process (:func:`~trademind.bootstrap.build_runtime`,
:func:`~trademind.web.serve.build_context`, :func:`~trademind.web.app.create_app`) with a
trading loop reported on the replay's account (``/health`` then reads its trading state, as
under a running session), and driven by ``httpx`` over its ASGI transport (no socket: what is
measured is the app's own work per request, FastAPI's included).

Timed: the read endpoints of benchmarks/_api_load_clients.py ``ENDPOINTS`` (those the load
benchmark's dashboard clients go round), round-robin, one request at a time, ``--rounds``
requests each after one untimed warm-up round. Printed per endpoint: mean and p99 in ms and
the ratio of the mean to ``/health``'s, measured in the same rounds (the reference: a request
that does next to nothing). Each answer must be a 200. About 25 s in all on the development VM.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
import numpy as np

from benchmarks._api_load_clients import ENDPOINTS
from trademind.resources import resource_path

REFERENCE = "/health"
ACCOUNT = "replay"


def prepare(workdir: Path, symbols: str) -> Path:
    """The environment, the config file and the replayed ledger (module docstring); returns
    the ``--config`` path."""
    config = workdir / "config.yaml"
    shutil.copyfile(resource_path("config.yaml"), config)
    os.environ.update(
        TRADEMIND__APP__DATA_DIR=str(workdir / "data"),
        XDG_CONFIG_HOME=str(workdir / "xdg-config"),
        XDG_CACHE_HOME=str(workdir / "xdg-cache"),
    )
    command = [sys.executable, "-m", "trademind", "--config", str(config), "trade"]
    command += ["--mode", "replay", "--strategy", "ma_crossover", "--symbols", symbols]
    command += ["--speed", "max", "--account", ACCOUNT]
    # the session trades to its last bar, as in benchmarks/api_load.py
    replay_env = os.environ | {"TRADEMIND__SAFETY__CIRCUIT_BREAKER__ENABLED": "false"}
    # our own fixed command
    done = subprocess.run(command, cwd=workdir, env=replay_env, capture_output=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"the replay failed: {done.stderr.decode()[-2000:]}")
    return config


def build_app(config: Path) -> tuple[object, object]:
    """The server's app over the replayed ledger, and the runtime to close afterwards."""
    from trademind.bootstrap import build_runtime
    from trademind.web.app import create_app
    from trademind.web.context import LoopStatus
    from trademind.web.security import AccessPolicy, new_token
    from trademind.web.serve import build_context

    runtime = build_runtime(config_path=config)
    context = build_context(runtime, AccessPolicy(None, new_token()), None)
    loop = LoopStatus(
        account=ACCOUNT, mode="replay", broker_connected=True, last_bar_at=None, running=True
    )
    context.loop_status = lambda: loop
    return create_app(context), runtime


async def _round(client: httpx.AsyncClient, times: dict[str, list[float]] | None) -> None:
    for endpoint in ENDPOINTS:
        started = time.perf_counter()
        response = await client.get(endpoint)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{endpoint}: {response.status_code} {response.text[:300]}")
        if times is not None:
            times[endpoint].append(elapsed)


async def measure(app: object, rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {endpoint: [] for endpoint in ENDPOINTS}
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        await _round(client, None)
        for _ in range(rounds):
            await _round(client, times)
    return times


def report(times: dict[str, list[float]]) -> None:
    reference = float(np.mean(times[REFERENCE]))
    print(f"{'endpoint':34} {'mean ms':>8} {'p99 ms':>8} {'x /health':>10}")
    total = 0.0
    for endpoint, samples in times.items():
        mean = float(np.mean(samples))
        total += mean
        p99 = float(np.percentile(samples, 99))
        print(f"{endpoint:34} {mean * 1e3:8.2f} {p99 * 1e3:8.2f} {mean / reference:10.1f}")
    print(f"{'one round of all endpoints':34} {total * 1e3:8.2f}")
    print(f"(measured {datetime.now().astimezone():%Y-%m-%d %H:%M}, {len(times[REFERENCE])} each)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--symbols", default="AAPL,MSFT")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="api-reads-") as name:
        workdir = Path(name)
        config = prepare(workdir, args.symbols)
        previous = Path.cwd()
        os.chdir(workdir)
        try:
            app, runtime = build_app(config)
            try:
                times = asyncio.run(measure(app, args.rounds))
            finally:
                runtime.close()  # type: ignore[attr-defined]
        finally:
            os.chdir(previous)
    report(times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
