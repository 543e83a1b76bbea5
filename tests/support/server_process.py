"""A real `trademind server` in a temporary home, for the scenario and browser tests: started
and stopped through the CLI as a user would, on a free port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ServerHome:
    """A temporary home: its environment, the CLI in it, the server it started."""

    root: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    url: str | None = None

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEMIND")}
        env["TRADEMIND__APP__DATA_DIR"] = str(self.root / "data")
        env["XDG_CONFIG_HOME"] = str(self.root / "xdg-config")
        env["XDG_CACHE_HOME"] = str(self.root / "xdg-cache")
        env.update(self.extra_env)
        return env

    def cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "trademind", *args],
            env=self.environment(),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def json(self, *args: str) -> Any:
        result = self.cli(*args, "--format", "json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def start(self, *args: str) -> dict[str, Any]:
        started: dict[str, Any] = self.json("server", "start", "--port", "0", *args)
        self.url = started["url"]
        return started

    def stop(self) -> None:
        self.cli("server", "stop", "--timeout", "5")
