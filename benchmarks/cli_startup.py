"""Start-up time of the `trademind` command: whole processes, medians of N runs.

    uv run python -m benchmarks.cli_startup [--runs 21]

Each case is a fresh process of the venv's ``trademind`` script (not ``uv run``), run in a
temporary working directory holding a copy of the documented ``config.yaml``, with
``TRADEMIND__APP__DATA_DIR`` pointing at a temporary data directory into which the bundled sample
is ingested once before timing. ``PYTHONDONTWRITEBYTECODE`` is removed from the environment, so
the warm-up round writes the bytecode caches a user's first run writes (with it, every run
would compile every module again). The cases run round-robin (one of each per round, after one
warm-up round) so that load from other processes spreads over all of them; ``python -c pass``
, ``python -c "import typer"`` and ``python -c "import typer, sqlalchemy, rich.table"`` (the
import floor of a command that reads the database and prints a table) are measured in the same
rounds as references. Printed per case:
the median wall time (what the targets judge), the median CPU time (user + system, less
sensitive to a busy machine) and the target. Exit code 1 when a target fails.

Targets (issue 9, defect 15): ``--help`` and ``config get`` at most 0.25 s; ``data status`` and
``backtest list`` at most 0.6 s on a database holding the sample.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from trademind.resources import resource_path


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]
    target: float | None  # seconds (median wall time); None for a reference


def cases(python: str, trademind: str) -> list[Case]:
    return [
        Case("python -c pass", (python, "-c", "pass"), None),
        Case('python -c "import typer"', (python, "-c", "import typer"), None),
        Case(  # the floor of a command that reads the database: the CLI and SQLAlchemy Core
            'python -c "import typer, sqlalchemy, rich.table"',
            (python, "-c", "import typer, sqlalchemy, rich.table"),
            None,
        ),
        Case("trademind --help", (trademind, "--help"), 0.25),
        Case(
            "trademind config get app.data_dir", (trademind, "config", "get", "app.data_dir"), 0.25
        ),
        Case("trademind data status", (trademind, "data", "status"), 0.6),
        Case("trademind backtest list", (trademind, "backtest", "list"), 0.6),
    ]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one process; a failing command stops the benchmark."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603  (our own fixed commands)
        list(argv), env=dict(env), cwd=cwd, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {result.returncode}: {result.stderr.strip()}")
    return wall, _children_cpu() - cpu_before


def prepare(root: Path, trademind: str) -> tuple[dict[str, str], Path]:
    """The environment and working directory of every run; the sample ingested once."""
    data_dir, work_dir = root / "data", root / "work"
    work_dir.mkdir()
    shutil.copy(resource_path("config.yaml"), work_dir / "config.yaml")
    # Bytecode caches are written as for any user: with PYTHONDONTWRITEBYTECODE set (as in
    # some CI and sandbox shells) every run would compile every imported module again.
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.upper().startswith("TRADEMIND") and name != "PYTHONDONTWRITEBYTECODE"
    }
    env |= {"TRADEMIND__APP__DATA_DIR": str(data_dir), "XDG_CONFIG_HOME": str(root / "xdg")}
    run_once((trademind, "data", "ingest", "--source", "sample"), env, work_dir)
    return env, work_dir


def measure(
    cases_: Sequence[Case], runs: int, env: Mapping[str, str], cwd: Path
) -> dict[str, tuple[list[float], list[float]]]:
    timings: dict[str, tuple[list[float], list[float]]] = {case.name: ([], []) for case in cases_}
    for round_ in range(runs + 1):
        for case in cases_:
            wall, cpu = run_once(case.argv, env, cwd)
            if round_ > 0:  # round 0 warms the caches (bytecode, page cache)
                timings[case.name][0].append(wall)
                timings[case.name][1].append(cpu)
    return timings


def report(cases_: Sequence[Case], timings: Mapping[str, tuple[list[float], list[float]]]) -> bool:
    ok = True
    print(f"{'case':38s} {'wall median':>11s} {'cpu median':>10s}   target")
    for case in cases_:
        walls, cpus = timings[case.name]
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        verdict = "(reference)"
        if case.target is not None:
            passed = wall <= case.target
            ok &= passed
            verdict = f"<= {case.target:.2f} s: {'PASS' if passed else 'FAIL'}"
        print(f"{case.name:38s} {wall:9.3f} s {cpu:8.3f} s   {verdict}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21, help="Timed runs of each case.")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    python = sys.executable
    trademind = str(Path(python).parent / "trademind")
    if not Path(trademind).exists():
        raise SystemExit(f"no trademind script beside {python}; run `uv sync` first")
    all_cases = cases(python, trademind)
    with tempfile.TemporaryDirectory(prefix="trademind-startup-") as root:
        env, work_dir = prepare(Path(root), trademind)
        print(f"CLI start-up: median of {args.runs} runs per case ({os.cpu_count()} CPUs)")
        timings = measure(all_cases, args.runs, env, work_dir)
    return 0 if report(all_cases, timings) else 1


if __name__ == "__main__":
    raise SystemExit(main())
