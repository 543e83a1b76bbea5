"""mypy checks that a handler accepts the event type it subscribes to."""

from __future__ import annotations

from pathlib import Path

from mypy import api

SNIPPET = """
from trademind.core.bus import EventBus
from trademind.core.events import ConfigReloaded, EmergencyStopRequested, Event


def on_reload(event: ConfigReloaded) -> None: ...
async def on_any(event: Event) -> None: ...
def on_stop(event: EmergencyStopRequested) -> None: ...


bus = EventBus()
bus.subscribe(ConfigReloaded, on_reload)
bus.subscribe(ConfigReloaded, on_any)
bus.subscribe(ConfigReloaded, on_stop)  # line 14: wrong event type
bus.subscribe(Event, on_reload)  # line 15: handler too narrow for the base type
"""


def test_mypy_rejects_handlers_for_the_wrong_event(tmp_path: Path) -> None:
    module = tmp_path / "handlers.py"
    module.write_text(SNIPPET)
    stdout, stderr, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(module)]
    )
    assert status == 1, stdout + stderr
    error_lines = sorted(
        int(line.split(":")[1]) for line in stdout.splitlines() if ": error:" in line
    )
    assert error_lines == [14, 15], stdout
