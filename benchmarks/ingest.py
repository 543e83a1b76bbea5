"""Ingest N bars into SQLite and PostgreSQL: TradeMind's BarStore against DataFrame.to_sql.

    uv run python -m benchmarks.ingest [--bars 1000000] [--skip-postgres]

Both write the same frame into an empty table of the same database kind in the same run; the
reference is pandas' ``to_sql`` (default insert method) into a table it creates. Target: the
store at least 5x faster than to_sql on both databases.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import pandas as pd
import sqlalchemy as sa

from benchmarks._databases import postgres_database, sqlite_database
from benchmarks.synthetic import synthetic_bars
from trademind.core.clock import LiveClock
from trademind.data.store import BarStore
from trademind.db.session import Database

TARGET = 5.0


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def compare(name: str, frame: pd.DataFrame, database: Database, reference: sa.Engine) -> bool:
    rows = len(frame)
    ours = timed(
        lambda: BarStore(database).upsert_bars(
            "BENCH", "1m", "benchmark", frame, now=LiveClock().now()
        )
    )
    again = timed(
        lambda: BarStore(database).upsert_bars(
            "BENCH", "1m", "benchmark", frame, now=LiveClock().now()
        )
    )
    theirs = timed(lambda: frame.to_sql("market_data_reference", reference, index=False))
    ratio = theirs / ours
    print(
        f"{name:10s} to_sql {theirs:7.2f} s ({rows / theirs:>9,.0f} rows/s) | "
        f"BarStore {ours:6.2f} s ({rows / ours:>9,.0f} rows/s) | ratio {ratio:5.1f}x "
        f"(target >= {TARGET:.0f}x: {'PASS' if ratio >= TARGET else 'FAIL'}) | "
        f"re-ingest unchanged {again:6.2f} s"
    )
    return ratio >= TARGET


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    frame = synthetic_bars(args.bars)
    print(f"ingest benchmark: {args.bars:,} one-minute bars")
    ok = True
    with sqlite_database() as (database, reference):
        ok &= compare("SQLite", frame, database, reference)
    if not args.skip_postgres:
        with postgres_database() as (database, reference):
            ok &= compare("PostgreSQL", frame, database, reference)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
