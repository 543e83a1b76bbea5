"""Numba's on-disk cache is dropped when a callee in another module changes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

INNER = "from trademind.fills.jit import njit\n\n@njit\ndef value():\n    return {value}\n"
OUTER = """
from trademind.fills.jit import njit
import inner

@njit
def run():
    return inner.value()
"""
MAIN = """
import sys
import inner, outer
from trademind.fills.jit import invalidate_when_changed
if sys.argv[1] == "guarded":
    invalidate_when_changed(outer.run, [outer, inner])
print(outer.run())
"""


def _run(folder: Path, mode: str) -> str:
    result = subprocess.run(
        [sys.executable, str(folder / "main.py"), mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
    )
    return result.stdout.strip()


def test_a_changed_callee_is_recompiled_only_with_the_guard(tmp_path: Path) -> None:
    (tmp_path / "inner.py").write_text(INNER.format(value=1))
    (tmp_path / "outer.py").write_text(textwrap.dedent(OUTER))
    (tmp_path / "main.py").write_text(textwrap.dedent(MAIN))
    assert _run(tmp_path, "guarded") == "1"  # compiled and cached, stamp written
    (tmp_path / "inner.py").write_text(INNER.format(value=2))
    assert _run(tmp_path, "plain") == "1"  # numba alone runs the stale cached code
    assert _run(tmp_path, "guarded") == "2"  # the guard saw the change and dropped the cache
    assert _run(tmp_path, "guarded") == "2"
