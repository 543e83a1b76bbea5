"""The least memory any numba engine holding the benchmark's bars needs here: numpy and numba
imported, one trivial compiled function called (numba's first call loads its compiler
context and LLVM), and the bars loaded; nothing of TradeMind's.

    python -m benchmarks._numba_floor BARS.npz OUT.npz

OUT receives ``peak_rss_kb`` (the process's own ru_maxrss) and ``baseline_kb`` (before the
bars were loaded).
"""

from __future__ import annotations

import resource
import sys

import numba  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt


@numba.njit(cache=True)  # type: ignore[untyped-decorator]
def _total(values: npt.NDArray[np.float64]) -> float:
    total = 0.0
    for value in values:
        total += value
    return total


def peak_kb() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main() -> int:
    source, target = sys.argv[1], sys.argv[2]
    _total(np.ones(8))
    baseline_kb = peak_kb()
    with np.load(source) as loaded:
        columns = [loaded[name] for name in ("ts", "open", "high", "low", "close", "volume")]
    checksum = sum(_total(np.asarray(column, dtype=np.float64)) for column in columns[1:])
    np.savez(target, peak_rss_kb=peak_kb(), baseline_kb=baseline_kb, checksum=checksum)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
