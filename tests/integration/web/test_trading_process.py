"""The server's trading session in a process of its own (trademind/web/trading.py and
trading_child.py): its events reach the web process, a stop ends it, a process that dies is
reported, and a trading process whose web process is gone stops."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from trademind.bootstrap import Runtime, build_runtime
from trademind.web import trading_channel as channel
from trademind.web.stream import StreamMessage
from trademind.web.trading import YIELD_EVERY, ServerTrading

pytestmark = pytest.mark.slow
WAIT = 60.0


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    for name in [name for name in os.environ if name.startswith("TRADEMIND")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TRADEMIND__APP__DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("TRADEMIND__SERVER__SYMBOLS", '["AAPL"]')
    monkeypatch.setenv("TRADEMIND__SERVER__SPEED", "2000000x")
    built = build_runtime()
    yield built
    built.close()


async def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"no {what} in {WAIT:.0f} s"
        await asyncio.sleep(0.05)


async def test_the_session_runs_in_its_own_process_and_its_events_reach_the_stream(
    runtime: Runtime,
) -> None:
    spawned: list[None] = []
    trading = ServerTrading(runtime, on_spawned=lambda: spawned.append(None))
    received: list[StreamMessage] = []
    trading.on_message = received.append
    trading.start()
    await _until(lambda: sum(m.event == "BarClosed" for m in received) >= 20, "20 bar closes")
    process = trading._process
    assert spawned == [None]  # the server's threads were told to yield once
    assert process is not None
    assert process.pid != os.getpid()
    status = trading.status()
    assert status is not None
    assert status.running
    assert status.error is None
    assert status.last_bar_at is not None
    assert trading.steps >= 19
    assert len({m.id for m in received}) == len(received)  # each event once
    assert {"BarClosed", "AccountUpdated"} <= {m.event for m in received}
    await trading.stop()
    assert process.poll() == 0  # SIGTERM: the session was cancelled, the process ended
    status = trading.status()
    assert status is not None
    assert not status.running
    assert status.error is None


async def test_a_trading_process_that_dies_is_reported(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dies_at_once.py").write_text("raise SystemExit(3)\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    trading = ServerTrading(runtime, module="dies_at_once", on_spawned=list)
    trading.start()
    await _until(
        lambda: not trading.steps and trading._task is not None and trading._task.done(), "end"
    )
    status = trading.status()
    assert status is not None
    assert status.error == "the trading process exited with status 3"


def test_the_trading_process_stops_when_the_web_process_is_gone(runtime: Runtime) -> None:
    ours, theirs = socket.socketpair()
    child = subprocess.Popen(
        [sys.executable, "-m", "trademind.web.trading_child", str(theirs.fileno())],
        pass_fds=(theirs.fileno(),),
    )
    theirs.close()
    try:
        reading = ours.makefile("rb")
        line = reading.readline()
        while line and not isinstance(channel.decode(line), channel.StepMessage):
            line = reading.readline()
        assert line, "the trading process ended before its first bar close"
        reading.close()
        ours.close()  # as when the web process dies, even by SIGKILL: the socket's end
        assert child.wait(WAIT) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


BURST = """
import json, socket, sys
sock = socket.socket(fileno=int(sys.argv[1]))
event = {"kind": "event", "event": "BarClosed", "id": "", "data": "{}"}
lines = [json.dumps(event | {"id": f"e{n:05d}"}) for n in range(5000)]
lines.append(json.dumps({"kind": "ended", "error": None}))
sock.sendall("\\n".join(lines).encode() + b"\\n")
sock.close()
"""


async def test_a_burst_of_messages_does_not_hold_the_loop(
    runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sends_a_burst.py").write_text(BURST)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    seen: list[tuple[str, int]] = []
    trading = ServerTrading(runtime, module="sends_a_burst", on_spawned=list)
    trading.on_message = lambda message: seen.append((message.id, ticks))
    ticking = asyncio.create_task(ticker())
    trading.start()
    await _until(lambda: not trading.status().running, "end")  # type: ignore[union-attr]
    ticking.cancel()
    assert [message_id for message_id, _ in seen] == [f"e{n:05d}" for n in range(5000)]
    longest = max(Counter(tick for _, tick in seen).values())
    assert longest <= YIELD_EVERY  # the other tasks ran at least every YIELD_EVERY messages
    status = trading.status()
    assert status is not None
    assert status.error is None
