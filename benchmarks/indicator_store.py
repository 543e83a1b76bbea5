"""Store the indicators of N bars in SQLite and PostgreSQL: TradeMind's indicator store against
``DataFrame.to_sql`` of the same rows.

    uv run python -m benchmarks.indicator_store [--bars 1000000] [--skip-postgres]

The configured indicator set is computed once on N synthetic bars (not timed) and saved to a
temporary file. Each side then runs in a fresh child process (multiprocessing ``spawn``) that
loads those values; its peak RSS is reset (Linux ``/proc/self/clear_refs``) right before each
write, so the reported peak is that write's own (``VmHWM``, not ``ru_maxrss``: see
:func:`own_peak_kib`):

* TradeMind: ``store.write_values`` (what ``update-indicators`` calls) into the migrated, empty
  ``indicators`` table, then once more with the same values (changes nothing);
* reference: ``to_sql`` (default insert method) of the same long rows (symbol, timeframe, ts,
  name, value, computed_at; finite values only) into a table it creates in a second database
  of the same kind. The long frame is built and handed over ``REFERENCE_CHUNK_BARS`` bars at a
  time (``if_exists="append"``) so the reference stays bounded in memory; only the ``to_sql``
  calls are timed, building the long frames is not.

Target (issue 3): the store at least 5x faster than ``to_sql`` on both databases.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import sqlalchemy as sa

from benchmarks._databases import postgres_database, sqlite_database
from benchmarks.synthetic import synthetic_bars
from trademind.config.models import Settings
from trademind.core.clock import LiveClock
from trademind.db.session import Database
from trademind.indicators.compute import compute_full
from trademind.indicators.spec import IndicatorSpec
from trademind.indicators.state import FloatArray, IntArray, PriceArrays
from trademind.indicators.store import write_values

TARGET: Final = 5.0
SYMBOL: Final = "BENCH"
TIMEFRAME: Final = "1m"
REFERENCE_TABLE: Final = "indicators_reference"
REFERENCE_CHUNK_BARS: Final = 10_000
"""Bars per long frame handed to ``to_sql`` (about 190,000 rows with the default set)."""


@dataclass(frozen=True)
class Memory:
    """RSS in KiB around one write: before it, and the peak during it (reset just before)."""

    before: int
    peak: int

    @property
    def growth(self) -> int:
        return self.peak - self.before


@dataclass(frozen=True)
class Outcome:
    """One write measured in its own process; ``setup_kib`` is that process's peak RSS
    before the write (imports, loading the values)."""

    rows: int
    seconds: float
    stored: int
    memory: Memory
    setup_kib: int
    again_rows: int | None = None
    again_seconds: float | None = None
    again_memory: Memory | None = None


def status_kib(field: str) -> int:
    """A ``kB`` field of /proc/self/status (Linux): ``VmRSS`` now, ``VmHWM`` the peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def with_memory[T](work: Callable[[], T]) -> tuple[T, Memory]:
    """Run ``work`` with the peak RSS reset to the current RSS first (``clear_refs`` 5), so
    the peak is that of ``work``, not of loading its input."""
    Path("/proc/self/clear_refs").write_text("5")
    before = status_kib("VmRSS")
    result = work()
    return result, Memory(before, status_kib("VmHWM"))


def own_peak_kib() -> int:
    """This process's peak RSS. Not ``ru_maxrss`` in the children: spawn starts them by a
    vfork + exec of the parent, and Linux carries the parent's peak into their ``ru_maxrss``."""
    return status_kib("VmHWM")


def save_values(path: Path, ts: IntArray, columns: dict[str, FloatArray]) -> None:
    """One array per indicator, so loading them needs no second copy."""
    arrays = {f"c{index}": values for index, values in enumerate(columns.values())}
    np.savez(path, ts=ts, names=np.array(list(columns)), **arrays)  # type: ignore[arg-type]


def load_values(path: Path) -> tuple[IntArray, dict[str, FloatArray]]:
    with np.load(path) as data:
        names = [str(name) for name in data["names"]]
        return data["ts"], {name: data[f"c{index}"] for index, name in enumerate(names)}


def count_rows(engine: sa.Engine, table: str) -> int:
    with engine.connect() as connection:
        statement = sa.select(sa.func.count()).select_from(sa.table(table))
        return int(connection.execute(statement).scalar_one())


def store_ours(url: str, values: Path) -> Outcome:
    """Child process: TradeMind's store writes the values, then writes them again."""
    ts, columns = load_values(values)
    database = Database(url)

    def write() -> tuple[int, float]:
        started = time.perf_counter()
        written = database.run(
            lambda connection: write_values(
                connection, SYMBOL, TIMEFRAME, ts, columns, now=LiveClock().now()
            )
        )
        return written, time.perf_counter() - started

    try:
        setup = own_peak_kib()
        (rows, seconds), memory = with_memory(write)
        (again_rows, again_seconds), again_memory = with_memory(write)
        stored = count_rows(database.engine, "indicators")
    finally:
        database.dispose()
    return Outcome(rows, seconds, stored, memory, setup, again_rows, again_seconds, again_memory)


def long_frames(ts: IntArray, columns: dict[str, FloatArray]) -> Iterator[pd.DataFrame]:
    """The rows the store writes (finite values only), bar by bar, in bounded frames."""
    names = np.array(list(columns), dtype=object)
    width = len(names)
    computed_at = pd.Timestamp.now(tz="UTC")
    for first in range(0, len(ts), REFERENCE_CHUNK_BARS):
        last = min(first + REFERENCE_CHUNK_BARS, len(ts))
        flat = np.column_stack([values[first:last] for values in columns.values()]).ravel()
        positions = np.flatnonzero(np.isfinite(flat))
        yield pd.DataFrame(
            {
                "symbol": SYMBOL,
                "timeframe": TIMEFRAME,
                "ts": pd.to_datetime(ts[first:last][positions // width], utc=True),
                "name": names[positions % width],
                "value": flat[positions],
                "computed_at": computed_at,
            }
        )


def store_reference(url: str, values: Path) -> Outcome:
    """Child process: ``to_sql`` of the long rows, chunk by chunk (only to_sql is timed)."""
    ts, columns = load_values(values)
    engine = sa.create_engine(url)

    def write() -> tuple[int, float]:
        rows, seconds = 0, 0.0
        for frame in long_frames(ts, columns):
            started = time.perf_counter()
            frame.to_sql(REFERENCE_TABLE, engine, index=False, if_exists="append")
            seconds += time.perf_counter() - started
            rows += len(frame)
        return rows, seconds

    try:
        setup = own_peak_kib()
        (rows, seconds), memory = with_memory(write)
        stored = count_rows(engine, REFERENCE_TABLE)
    finally:
        engine.dispose()
    return Outcome(rows, seconds, stored, memory, setup)


def in_child(work: Callable[[str, Path], Outcome], url: str, values: Path) -> Outcome:
    """Run ``work`` in a fresh spawned process (nothing inherited, its own peak RSS)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(work, url, values).result()


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def growth(memory: Memory | None) -> str:
    if memory is None:
        return "n/a"
    return f"+{mib(memory.growth)} ({mib(memory.before)} -> {mib(memory.peak)})"


def report(name: str, expected: int, ours: Outcome, theirs: Outcome) -> bool:
    ratio = theirs.seconds / ours.seconds
    passed = ratio >= TARGET
    print(
        f"{name:10s} to_sql {theirs.seconds:7.2f} s ({theirs.rows / theirs.seconds:>10,.0f} rows/s)"
        f" | store {ours.seconds:6.2f} s ({ours.rows / ours.seconds:>10,.0f} rows/s)"
        f" | ratio {ratio:5.1f}x (target >= {TARGET:.0f}x: {'PASS' if passed else 'FAIL'})"
    )
    print(
        f"{'':10s} re-write of the same values {ours.again_seconds or 0.0:6.2f} s, "
        f"{ours.again_rows} rows changed"
    )
    print(
        f"{'':10s} peak RSS during: store write {growth(ours.memory)}, re-write "
        f"{growth(ours.again_memory)} | to_sql {growth(theirs.memory)}"
    )
    print(
        f"{'':10s} peak RSS of the child processes before writing (imports, loading the "
        f"values): store {mib(ours.setup_kib)} | to_sql {mib(theirs.setup_kib)}"
    )
    counts = {expected, ours.rows, ours.stored, theirs.rows, theirs.stored}
    if len(counts) != 1:
        print(
            f"{'':10s} ROW COUNT MISMATCH: finite values {expected:,}, store wrote {ours.rows:,} "
            f"(table holds {ours.stored:,}), to_sql wrote {theirs.rows:,} "
            f"(table holds {theirs.stored:,})"
        )
    return passed and len(counts) == 1 and ours.again_rows == 0


def compare(
    name: str, expected: int, values: Path, database: Database, reference: sa.Engine
) -> bool:
    ours_url = database.engine.url.render_as_string(hide_password=False)
    theirs_url = reference.url.render_as_string(hide_password=False)
    ours = in_child(store_ours, ours_url, values)
    theirs = in_child(store_reference, theirs_url, values)
    return report(name, expected, ours, theirs)


def prepare(bars: int, path: Path) -> int:
    """Compute the configured set on ``bars`` synthetic bars, save it; the finite value count."""
    spec = IndicatorSpec.from_settings(Settings().indicators)
    result = compute_full(spec, PriceArrays.from_frame(synthetic_bars(bars)))
    save_values(path, result.ts, result.columns)
    finite = sum(int(np.isfinite(values).sum()) for values in result.columns.values())
    print(
        f"indicator store benchmark: {bars:,} one-minute bars, {len(result.columns)} indicators, "
        f"{finite:,} finite values (rows)"
    )
    return finite


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        values = Path(folder) / "indicators.npz"
        expected = prepare(args.bars, values)
        with sqlite_database() as (database, reference):
            ok &= compare("SQLite", expected, values, database, reference)
        if not args.skip_postgres:
            with postgres_database() as (database, reference):
                ok &= compare("PostgreSQL", expected, values, database, reference)
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS of this (parent) process, which computed the values: {mib(parent)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
