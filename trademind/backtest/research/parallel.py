"""Run many independent backtest jobs across processes.

Every job is a picklable call of a module-level function (for example
:func:`trademind.backtest.research.runner.evaluate` with a data reference and a run spec), so the
same jobs could go to a Dask or Ray cluster unchanged. Workers are *spawned* (a fork of a process
that runs numba or database threads is unsafe); each loads its bars once (the runner caches
them) and numba loads its compiled kernels from the on-disk cache.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from multiprocessing import get_context

from trademind.core.errors import ValidationError

Progress = Callable[[int, int], None]
"""Called with (jobs done, jobs in all) as results arrive."""


def default_workers() -> int:
    """One worker per CPU the process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def _worker_count(workers: int | None) -> int:
    count = default_workers() if workers is None else workers
    if count < 1:
        raise ValidationError(f"workers must be at least 1, got {count}")
    return count


@contextmanager
def job_pool(workers: int | None) -> Iterator[Executor | None]:
    """Worker processes kept for several batches of jobs (each spawn costs seconds):
    ``None`` when one process is asked for (the jobs then run in this one)."""
    count = _worker_count(workers)
    if count == 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn")) as pool:
        yield pool


def run_jobs[J, R](
    work: Callable[[J], R],
    jobs: Sequence[J],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    pool: Executor | None = None,
) -> list[R]:
    """``[work(job) for job in jobs]``, in order, on ``pool`` when given, else on ``workers``
    processes (1: in this one).

    A job that raises stops the run with that error (the other jobs are cancelled).
    """
    if pool is not None:
        return _run_on(pool, work, jobs, progress)
    count = _worker_count(workers)
    if count == 1 or len(jobs) <= 1:
        results = []
        for done, job in enumerate(jobs, start=1):
            results.append(work(job))
            if progress is not None:
                progress(done, len(jobs))
        return results
    with job_pool(min(count, len(jobs))) as spawned:
        assert spawned is not None
        return _run_on(spawned, work, jobs, progress)


def _run_on[J, R](
    pool: Executor, work: Callable[[J], R], jobs: Sequence[J], progress: Progress | None
) -> list[R]:
    slots: dict[int, R] = {}
    futures = {pool.submit(work, job): index for index, job in enumerate(jobs)}
    try:
        for done, future in enumerate(as_completed(futures), start=1):
            slots[futures[future]] = future.result()
            if progress is not None:
                progress(done, len(jobs))
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return [slots[index] for index in range(len(jobs))]
