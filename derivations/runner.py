"""Verify many claims, in worker processes when that helps: :func:`verify_all`.

``verify_all(claims, jobs=N)`` yields ``(claim, result)`` in the order of
``claims`` as soon as each result and all before it are in, so a table can be
printed row by row while later claims still run.  ``jobs=1`` (or a single
claim) runs in this process, exactly as ``claim.verify`` does.  With
``jobs > 1`` the claims run in a ``ProcessPoolExecutor`` of at most ``jobs``
workers; each worker imports :mod:`derivations` once (inherited through
``fork`` where that is the platform's way, else imported by its initializer),
ignores SIGINT (the parent handles Ctrl-C) and runs with one BLAS thread (as
``Claim.verify`` does).  Ctrl-C or any error in the parent terminates the
workers before the exception propagates, so nothing is left running.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from . import cache
from .claims import CLAIMS, Claim, Result

__all__ = ["default_jobs", "verify_all"]


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _worker_init(use_cache: bool | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: no worker traceback
    cache.set_enabled(use_cache)
    import derivations  # noqa: F401 - registers every claim (a no-op when inherited through fork)


def _verify_one(claim_id: str, examples: int | None, seed: int) -> Result:
    import derivations

    return derivations.claim(claim_id).verify(examples=examples, seed=seed)


def _jobs(jobs: int | None) -> int:
    if jobs is None:
        return default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs={jobs!r} is not allowed; expected a positive integer or None (the number of cores)")
    return jobs


def _context():
    # fork shares the parent's imported, registered claims at no cost and is Linux's default up to
    # Python 3.13; from 3.12 forking a multi-threaded parent warns (BLAS threads), so forkserver is used
    # there; elsewhere the platform's default (spawn), where the initializer imports derivations.
    methods = multiprocessing.get_all_start_methods()
    if sys.version_info >= (3, 12) and "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context()


def verify_all(
    claims: Iterable[Claim], *, jobs: int | None = None, examples: int | None = None, seed: int = 0
) -> Iterator[tuple[Claim, Result]]:
    """Yield ``(claim, claim.verify(examples=examples, seed=seed))`` for every claim, in the given order.

    ``jobs``: worker processes (default: :func:`default_jobs`); 1 runs in
    this process.  A claim that is not the registered one of its id (built
    outside the registry) runs in this process, in its turn.
    """
    claims = list(claims)
    jobs = min(_jobs(jobs), len(claims))
    if jobs <= 1:
        for c in claims:
            yield c, c.verify(examples=examples, seed=seed)
        return
    from .claims import _validate_examples, _validate_seed

    _validate_examples(examples), _validate_seed(seed)  # bad arguments fail here, not in a worker
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=_context(), initializer=_worker_init, initargs=(cache._override,)
    )
    try:
        futures = [pool.submit(_verify_one, c.id, examples, seed) if CLAIMS.get(c.id) is c else None for c in claims]
        for c, future in zip(claims, futures):
            yield c, (future.result() if future is not None else c.verify(examples=examples, seed=seed))
    except BaseException:
        _terminate(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop every worker now (ProcessPoolExecutor has no public way before Python 3.14)."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=5)
