"""`trademind server` as a user runs it: a real background process on a free port, found
through its state file; changes made from the CLI go through it; a second start is refused; a
stale state file is cleaned; stop ends it (scenario: real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.scenario]


def _environment(home: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("TRADEMIND")}
    env["TRADEMIND__APP__DATA_DIR"] = str(home / "data")
    env["TRADEMIND__SERVER__TRADING"] = "false"
    env["XDG_CONFIG_HOME"] = str(home / "xdg-config")
    env["XDG_CACHE_HOME"] = str(home / "xdg-cache")
    return env


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trademind", *args],
        env=_environment(home),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _json(home: Path, *args: str) -> Any:
    result = _cli(home, *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    _cli(tmp_path, "server", "stop", "--timeout", "5")


def test_start_status_cli_through_the_api_and_stop(home: Path) -> None:
    started = _json(home, "server", "start", "--port", "0")
    url = started["url"]
    assert url.startswith("http://127.0.0.1:")
    again = _cli(home, "server", "start", "--port", "0")
    assert again.returncode == 1
    assert f"a server is already running (pid {started['pid']}, {url})" in again.stderr
    status = _json(home, "server", "status")
    assert (status["pid"], status["status"], status["loop"]) == (started["pid"], "ok", None)
    changed = _json(home, "strategies", "enable", "bollinger_reversion")
    assert changed["written"] is True
    assert changed["strategy"]["enabled"] is True
    shown = httpx.get(f"{url}/api/v1/strategies/bollinger_reversion").json()
    assert shown["enabled"] is True  # read back from the file the server wrote
    refused = _cli(home, "config", "set", "safety.daily_loss_limit", "-1")
    assert refused.returncode == 1
    assert "must be greater than 0" in refused.stderr
    assert "Traceback" not in refused.stderr
    stopped = _json(home, "server", "stop")
    assert (stopped["pid"], stopped["killed"]) == (started["pid"], False)
    assert _cli(home, "server", "status").returncode == 1


def test_a_stale_state_file_is_cleaned(home: Path) -> None:
    server_dir = home / "data" / "server"
    server_dir.mkdir(parents=True)
    stale = {"pid": 2**22 + 12345, "host": "127.0.0.1", "port": 1, "started_at": "x",
             "log_file": "x", "local_token": "x" * 43}  # fmt: skip
    (server_dir / "state.json").write_text(json.dumps(stale))
    status = _cli(home, "server", "status")
    assert status.returncode == 1
    assert "no server is running" in status.stderr
    assert not (server_dir / "state.json").exists()


def test_stop_shuts_the_server_and_its_trading_process_down(home: Path) -> None:
    env = {"TRADEMIND__SERVER__TRADING": "true", "TRADEMIND__SERVER__SYMBOLS": '["AAPL"]',
           "TRADEMIND__SERVER__SPEED": "2000000x"}  # fmt: skip
    started = _json_with(home, env, "server", "start", "--port", "0")
    deadline = time.monotonic() + 90
    while (_json_with(home, env, "server", "status")["loop"] or {}).get("last_bar_at") is None:
        assert time.monotonic() < deadline, "the session made no bar close"
        time.sleep(0.2)
    stopped = _json_with(home, env, "server", "stop")
    assert (stopped["pid"], stopped["killed"]) == (started["pid"], False)
    log = Path(started["log_file"]).read_text()
    assert "server session replay stopped by the server" in log  # the trading process's line
    assert log.rstrip().endswith("server stopped")  # the server's own shutdown ran to its end
    assert not (home / "data" / "server" / "state.json").exists()


def _json_with(home: Path, extra: dict[str, str], *args: str) -> Any:
    result = subprocess.run(
        [sys.executable, "-m", "trademind", *args, "--format", "json"],
        env=_environment(home) | extra,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
