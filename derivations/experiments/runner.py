"""Running an experiment's jobs: in parallel over the cores, one BLAS thread per worker, each job's seed fixed by its key.

A job is a dict (picklable) given to a module-level function; its random
numbers come from :func:`job_rng` of the job's ``key`` (experiment, setting,
seed), never from a shared stream, so the results do not depend on which
worker runs which job or in what order.  Timing experiments do not come here:
they run serially in the calling process (parallel timing would measure the
neighbours).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np

__all__ = ["digits", "job_rng", "progress_bar", "run_jobs", "workers"]

#: Per-process state: the dataset (loaded once, or handed to a worker) and the BLAS thread limit.
_STATE: dict = {"data": None, "limits": None}


def digits():
    """The embedded digits (``numeric.data.load_digits``, split seed 0) in float32, the book's (PyTorch's) precision.

    Loaded once per process; workers receive the parent's copy instead of importing scikit-learn again.
    """
    if _STATE["data"] is None:
        from numeric.data import load_digits

        _STATE["data"] = load_digits(seed=0, dtype=np.float32)
    return _STATE["data"]


def job_rng(key: Sequence[int]) -> np.random.Generator:
    """A generator determined by ``key`` alone (``SeedSequence(key)``): e.g. ``(experiment, setting, seed)``."""
    return np.random.default_rng(np.random.SeedSequence([int(k) for k in key]))


def workers(jobs: int | None) -> int:
    """The number of worker processes: ``jobs``, or every core this process may use when ``None``."""
    if jobs is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # pragma: no cover - platforms without sched_getaffinity
            return max(1, os.cpu_count() or 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs={jobs!r} is not allowed; expected a positive integer or None (every core)")
    return jobs


def progress_bar(total: int, desc: str, enabled: bool):
    """A tqdm bar on stderr counting ``total`` units, or a no-op object when disabled or tqdm is missing."""
    if enabled:
        try:
            from tqdm import tqdm

            return tqdm(total=total, desc=desc, unit="run", file=sys.stderr, leave=False)
        except ImportError:  # the train extra is not installed: run without a bar
            pass

    class _Silent:
        def update(self, n: int = 1) -> None:
            pass

        def close(self) -> None:
            pass

    return _Silent()


def _init_worker(data) -> None:
    from threadpoolctl import threadpool_limits

    _STATE["data"] = data
    _STATE["limits"] = threadpool_limits(limits=1)  # kept alive: one BLAS thread for the worker's life


def run_jobs(fn: Callable[[dict], object], jobs: list[dict], *, jobs_at_once: int, desc: str, progress: bool) -> list:
    """``[fn(job) for job in jobs]``, computed by ``jobs_at_once`` worker processes (1: in this process).

    Jobs are started costliest first (``job["cost"]``, default 0) so the long
    ones do not finish last; the results come back in the order of ``jobs``.
    """
    order = sorted(range(len(jobs)), key=lambda i: -float(jobs[i].get("cost", 0)))
    results: list = [None] * len(jobs)
    if jobs_at_once == 1 or len(jobs) == 1:
        from threadpoolctl import threadpool_limits

        digits()
        bar = progress_bar(len(jobs), desc, progress)
        try:
            with threadpool_limits(limits=1):
                for i in order:
                    results[i] = fn(jobs[i])
                    bar.update(1)
        finally:
            bar.close()
        return results
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(
        max_workers=min(jobs_at_once, len(jobs)), mp_context=context, initializer=_init_worker, initargs=(digits(),)
    ) as pool:
        futures = {pool.submit(fn, jobs[i]): i for i in order}
        # the bar (and tqdm's monitor thread) only now: forking a process that has threads is unsafe
        bar = progress_bar(len(jobs), desc, progress)
        try:
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                bar.update(1)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        finally:
            bar.close()
    return results
