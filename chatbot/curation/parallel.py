"""Run a curator tool's independent jobs on several cores: `check` on a large knowledge base.

Matching is pure Python, so threads would take turns; processes do not. The jobs' shared input
(a knowledge base, a built matcher) is handed to the workers by forking, so nothing big is
pickled: only each job's number goes in and its compact result comes out. Where processes
cannot be forked (Windows), or one worker is asked for, the jobs run here, one after another,
with the same results.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Result = TypeVar("Result")

# What the running jobs share: set in the parent just before the workers are forked.
_shared: Any = None
_task: Callable[[Any, int], Any] | None = None


def cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def run_jobs(
    task: Callable[[Any, int], Result],
    shared: Any,
    jobs: int,
    workers: int = 1,
    meanwhile: Callable[[], object] | None = None,
    on_result: Callable[[int, Result], object] | None = None,
) -> list[Result]:
    """`[task(shared, job) for job in range(jobs)]`, in up to `workers` forked processes.

    Args:
        task: a module-level function (workers find it by forking, not by pickling it).
        shared: what every job reads; never copied, never sent.
        jobs: how many jobs there are, numbered from 0; workers take them in order, so the
            longest first share out best.
        workers: processes to use; 1 (or a platform without fork) runs the jobs in turn here.
        meanwhile: work for this process while the workers run the jobs (the jobs must not
            need it; they do not see what it changes), or before them when they run here.
        on_result: called here with each job's number and result as it comes in, in job
            order (after `meanwhile`): to show progress.

    Returns:
        The results in job order.
    """
    workers = min(workers, jobs)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        results = []
        for job in range(jobs):
            results.append(task(shared, job))
            if on_result is not None:
                on_result(job, results[-1])
        return results
    global _shared, _task
    _shared, _task = shared, task
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        running = pool.imap(_run, range(jobs), chunksize=1)
        if meanwhile is not None:
            meanwhile()
        results = []
        for job, result in enumerate(running):
            results.append(result)
            if on_result is not None:
                on_result(job, result)
        # Workers that are done end on their own: SIGTERM (what `with Pool` sends) reaches
        # signal handlers they inherited through the fork, and one such handler (a test
        # runner's) kept a worker alive and the command waiting for it.
        pool.close()
        return results
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        _shared = _task = None


def _run(job: int) -> Any:
    assert _task is not None  # set before the fork
    return _task(_shared, job)


def chunks(items: Sequence[Any], count: int) -> list[Sequence[Any]]:
    """`items` cut into `count` runs of nearly equal length, in order."""
    size, extra = divmod(len(items), count)
    runs = []
    start = 0
    for number in range(count):
        end = start + size + (number < extra)
        runs.append(items[start:end])
        start = end
    return runs
