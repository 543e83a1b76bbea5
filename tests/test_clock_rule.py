"""Every timestamp comes from the Clock (issue 10, item 4; DESIGN.md "Every timestamp comes
from the Clock"): no module of trademind reads the wall clock itself, except
trademind/core/clock.py, which is where :class:`~trademind.core.clock.LiveClock` reads it.

The check parses every module with :mod:`ast` and resolves import aliases, so
``from datetime import datetime as dt; dt.now()`` and ``from time import time; time()`` are
found as well as ``datetime.now(UTC)``. A reference without a call counts too
(``default=datetime.now``, ``default_factory=date.today``): it reads the wall clock later.
Monotonic timing (``time.monotonic``, ``time.perf_counter``) measures durations and is allowed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "trademind"
CLOCK_MODULE = PACKAGE / "core" / "clock.py"

WALL_CLOCK = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "time.time",
        "time.time_ns",
        "pandas.Timestamp.now",
        "pandas.Timestamp.utcnow",
        "pandas.Timestamp.today",
    }
)


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> the qualified name it was imported as (``dt`` -> ``datetime.datetime``)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None for anything that is not a plain name chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def _outermost_chains(tree: ast.Module) -> Iterator[ast.expr]:
    """Every name or attribute chain, outermost only (``a.b.c`` once, not ``a.b`` again)."""
    inner: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            inner.add(id(node.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Attribute) and id(node) not in inner:
            yield node


def wall_clock_reads(path: Path, root: Path) -> list[str]:
    """``"relative/path.py:LINE: name"`` for each wall-clock read in the module at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases = _aliases(tree)
    found: list[tuple[int, int, str]] = []
    for node in _outermost_chains(tree):
        parts = _dotted(node)
        if parts is None or parts[0] not in aliases:
            continue
        if ".".join([aliases[parts[0]], *parts[1:]]) in WALL_CLOCK:
            found.append((node.lineno, node.col_offset, ".".join(parts)))
    return [f"{path.relative_to(root)}:{line}: {name}" for line, _, name in sorted(found)]


def wall_clock_reads_under(package: Path, allowed: Path | None) -> list[str]:
    """The wall-clock reads of every module under ``package`` except ``allowed``."""
    return [
        line
        for path in sorted(package.rglob("*.py"))
        if path != allowed
        for line in wall_clock_reads(path, package.parent)
    ]


def test_no_module_reads_the_wall_clock_except_the_clock() -> None:
    reads = wall_clock_reads_under(PACKAGE, CLOCK_MODULE)
    assert reads == [], "read the time from the Clock instead:\n" + "\n".join(reads)


def test_the_clock_module_is_where_the_wall_clock_is_read() -> None:
    """The exemption is not vacuous: LiveClock does read the wall clock there."""
    assert [line.split(": ")[1] for line in wall_clock_reads(CLOCK_MODULE, ROOT)] == [
        "datetime.now"
    ]


PLANTED = """\
import datetime as d
import time
from datetime import UTC, date, datetime
from datetime import datetime as dt
from time import time as seconds

import pandas as pd

a = datetime.now(UTC)
b = datetime.utcnow()
c = date.today()
e = time.time()
f = dt.now()
g = d.datetime.now(UTC)
h = seconds()
i = pd.Timestamp.now(tz="UTC")
default = datetime.now
fine = (time.monotonic(), time.perf_counter(), datetime(2024, 1, 2, tzinfo=UTC), d.timedelta(1))
"""


def test_the_rule_names_file_and_line_of_each_planted_read(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "core").mkdir(parents=True)
    (package / "core" / "clock.py").write_text(
        "from datetime import datetime\nx = datetime.now()\n"
    )
    (package / "leaky.py").write_text(PLANTED)
    reads = wall_clock_reads_under(package, package / "core" / "clock.py")
    assert reads == [
        "pkg/leaky.py:9: datetime.now",
        "pkg/leaky.py:10: datetime.utcnow",
        "pkg/leaky.py:11: date.today",
        "pkg/leaky.py:12: time.time",
        "pkg/leaky.py:13: dt.now",
        "pkg/leaky.py:14: d.datetime.now",
        "pkg/leaky.py:15: seconds",
        "pkg/leaky.py:16: pd.Timestamp.now",
        "pkg/leaky.py:17: datetime.now",
    ]
    # without the exemption the clock module itself is reported too
    assert "pkg/core/clock.py:2: datetime.now" in wall_clock_reads_under(package, None)
