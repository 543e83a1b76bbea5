"""The server's threads yield the CPU to its trading process (trademind/web/priority.py). Run
in a child interpreter: a nice value cannot be lowered again without privilege, so the test
process keeps its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from trademind.web.priority import yield_cpu_to_trading

CHILD = """
import json, os, threading
from trademind.web.priority import yield_cpu_to_trading
started = threading.Event()
stop = threading.Event()
def work():
    started.set()
    stop.wait()
thread = threading.Thread(target=work)
thread.start()
started.wait()
before = os.getpriority(os.PRIO_PROCESS, thread.native_id)
changed = yield_cpu_to_trading(3)
after = os.getpriority(os.PRIO_PROCESS, thread.native_id)
main = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
late = {}
def later():
    late["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
newer = threading.Thread(target=later)
newer.start()
newer.join()
stop.set()
thread.join()
print(json.dumps({"changed": changed, "before": before, "after": after, "main": main,
                  "late": late["nice"]}))
"""


def test_every_thread_and_each_later_one_get_the_increment() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, timeout=60
    )
    seen = json.loads(result.stdout)
    assert seen["changed"] >= 2  # the main thread and the worker
    assert seen["after"] == min(seen["before"] + 3, 19)
    assert seen["main"] == seen["after"]
    assert seen["late"] == seen["main"]  # a thread started later inherits it


def test_without_a_thread_list_nothing_changes(tmp_path: Path) -> None:
    assert yield_cpu_to_trading(3, tasks=tmp_path / "missing") == 0
