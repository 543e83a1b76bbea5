"""The load of benchmarks/api_load.py, each kind in its own process (so that neither measures the
other's scheduling delays):

    python -m benchmarks._api_load_clients readers URL RUN_DIR CLIENTS INTERVAL
    python -m benchmarks._api_load_clients sse URL RUN_DIR SUBSCRIBERS

``readers``: CLIENTS clients (one ``httpx.AsyncClient``, so one keep-alive connection, each)
go round the read endpoints (:data:`ENDPOINTS`, each client from its own place in the round),
one request at a time, a request every INTERVAL seconds (at once when the answer came later);
a first round, not timed, warms the endpoints up. Then ``RUN_DIR/readers-ready``; timed from
``RUN_DIR/go`` until ``RUN_DIR/stop``; ``RUN_DIR/readers.json``: per endpoint the latencies
(seconds, from sending the request to the whole answer read) and the errors (a status other
than 200, or an exception, by kind).

``sse``: SUBSCRIBERS connections to ``/api/v1/stream``, each noting the ``id`` of every event.
Once all are connected: ``RUN_DIR/sse-ready``. When the server has written
``RUN_DIR/result.json`` (the session's event ids), each subscriber is given up to
:data:`CATCH_UP_SECONDS` to receive the last of them; ``RUN_DIR/sse.json``: per subscriber
the events received, those of the session it missed, duplicates, out of order, and the
errors (a stream that ended or failed).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ENDPOINTS = (
    "/health",
    "/api/v1/portfolio",
    "/api/v1/portfolio/holdings",
    "/api/v1/portfolio/performance",
    "/api/v1/trades",
    "/api/v1/orders",
    "/api/v1/decisions",
    "/api/v1/safety/status",
    "/api/v1/agents/costs",
    "/api/v1/data/status",
    "/api/v1/strategies",
    "/api/v1/config",
)
CATCH_UP_SECONDS = 30.0
TIMEOUT = httpx.Timeout(30.0)


def write_atomically(path: Path, text: str) -> None:
    """``text`` to ``path`` so that a reader waiting for the file sees it whole."""
    partial = path.with_suffix(".partial")
    partial.write_text(text)
    partial.replace(path)


async def _wait_for(path: Path) -> None:
    while not path.exists():
        await asyncio.sleep(0.02)


@dataclass
class Reads:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {e: [] for e in ENDPOINTS})
    errors: Counter[str] = field(default_factory=Counter)
    answers: dict[str, str] = field(default_factory=dict)
    """The first answer of each kind of error (its start)."""
    timing: bool = False


async def _one(client: httpx.AsyncClient, endpoint: str, reads: Reads) -> None:
    timed = reads.timing  # a request counts when it was sent while timing
    started = time.perf_counter()
    try:
        response = await client.get(endpoint)
        elapsed = time.perf_counter() - started
        ok = response.status_code == 200
        kind, answer = f"{endpoint} HTTP {response.status_code}", response.text[:300]
    except httpx.HTTPError as exc:
        elapsed, ok = time.perf_counter() - started, False
        kind, answer = f"{endpoint} {type(exc).__name__}", str(exc)[:300]
    if timed:
        reads.latencies[endpoint].append(elapsed)
        if not ok:
            reads.errors[kind] += 1
            reads.answers.setdefault(kind, answer)


async def _reader(url: str, index: int, interval: float, reads: Reads, stop: Path) -> None:
    rotation = ENDPOINTS[index % len(ENDPOINTS) :] + ENDPOINTS[: index % len(ENDPOINTS)]
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT) as client:
        for endpoint in rotation:  # the warm-up round
            await _one(client, endpoint, reads)
        await asyncio.sleep(interval * index / 50)  # spread the clients over one interval
        slot = time.perf_counter()
        while not stop.exists():
            for endpoint in rotation:
                await _one(client, endpoint, reads)
                slot += interval
                await asyncio.sleep(max(0.0, slot - time.perf_counter()))
                slot = max(slot, time.perf_counter() - interval)


async def readers(url: str, run_dir: Path, clients: int, interval: float) -> None:
    reads = Reads()
    stop = run_dir / "stop"
    tasks = [asyncio.create_task(_reader(url, i, interval, reads, stop)) for i in range(clients)]
    await asyncio.sleep(0)
    await asyncio.sleep(2.0)  # the warm-up rounds
    (run_dir / "readers-ready").touch()
    await _wait_for(run_dir / "running")  # the session's first bar: its account exists
    reads.timing = True
    started = time.perf_counter()
    await _wait_for(stop)
    reads.timing = False
    seconds = time.perf_counter() - started
    await asyncio.gather(*tasks)
    document = {
        "latencies": reads.latencies,
        "errors": dict(reads.errors),
        "answers": reads.answers,
        "seconds": seconds,
    }
    write_atomically(run_dir / "readers.json", json.dumps(document))


@dataclass
class Subscriber:
    ids: list[str] = field(default_factory=list)
    connected: bool = False
    error: str | None = None


async def _subscribe(url: str, subscriber: Subscriber) -> None:
    try:
        async with (
            httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(30.0, read=None)) as client,
            client.stream("GET", "/api/v1/stream") as response,
        ):
            if response.status_code != 200:
                subscriber.error = f"HTTP {response.status_code}"
                return
            async for line in response.aiter_lines():
                if line.startswith("event: ready"):
                    subscriber.connected = True
                elif line.startswith("id:"):
                    subscriber.ids.append(line[3:].strip())
                elif line.startswith("event: overflow"):
                    subscriber.error = "overflow"
        subscriber.error = subscriber.error or "the stream ended"
    except httpx.HTTPError as exc:
        subscriber.error = type(exc).__name__


async def sse(url: str, run_dir: Path, count: int) -> None:
    subscribers = [Subscriber() for _ in range(count)]
    tasks = [asyncio.create_task(_subscribe(url, s)) for s in subscribers]
    while not all(s.connected or s.error for s in subscribers):
        await asyncio.sleep(0.02)
    (run_dir / "sse-ready").touch()
    await _wait_for(run_dir / "result.json")
    published: list[str] = json.loads((run_dir / "result.json").read_text())["event_ids"]
    caught_up = time.perf_counter()
    last = published[-1] if published else None
    deadline = caught_up + CATCH_UP_SECONDS
    while last and time.perf_counter() < deadline:
        if all(s.error or (s.ids and s.ids[-1] >= last) for s in subscribers):
            break
        await asyncio.sleep(0.02)
    catch_up = time.perf_counter() - caught_up
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    reports = [_report(s, published) for s in subscribers]
    document = {"published": len(published), "catch_up_seconds": catch_up, "subscribers": reports}
    write_atomically(run_dir / "sse.json", json.dumps(document))


def _report(subscriber: Subscriber, published: list[str]) -> dict[str, Any]:
    expected = set(published)
    received = [i for i in subscriber.ids if i in expected]
    return {
        "received": len(received),
        "missed": len(expected - set(received)),
        "duplicates": len(received) - len(set(received)),
        "out_of_order": sum(1 for a, b in itertools.pairwise(received) if b <= a),
        "error": subscriber.error,
    }


if __name__ == "__main__":
    kind, base, directory = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    if kind == "readers":
        asyncio.run(readers(base, directory, int(sys.argv[4]), float(sys.argv[5])))
    else:
        asyncio.run(sse(base, directory, int(sys.argv[4])))
