"""How many BLAS threads numeric's products get: :func:`blas_threads`, and the rule :func:`train_threads`.

OpenBLAS starts a thread per core for every product.  For small products
(the digits model, 64-256-10) the start-up costs more than the work it
shares, 10-20x more when the other core is busy; for large ones (784-256-10
at batch 256 and up) the threads pay on an idle machine.  threadpoolctl is
imported only when a limit is set (``import numeric`` stays fast) and, when
it is not installed, the limit is skipped: it changes speed, never results.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["SMALL_PRODUCT", "blas_threads", "train_threads"]

#: Multiply-adds of a layer's product (batch rows x weight entries) up to which one thread is used.
#: Measured on 2 busy cores (benchmarks/bench_threads.py, load 12-15): digits 64-256-10, 30 epochs,
#: 3.2 s at 1 thread vs 66-69 s at 2/default; the 784-256-10 step at batch 256 (5.1e7) 57 ms vs
#: 373-438 ms; 784-1024-1024-10 at batch 512 (5.4e8) 614 ms vs 672-864 ms, close enough that on an
#: idle machine the threads may pay, so the limit stops between the two: 2^26 = 6.7e7.
SMALL_PRODUCT = 1 << 26


@contextlib.contextmanager
def blas_threads(limit: int | None) -> Iterator[None]:
    """Inside the block, BLAS uses at most ``limit`` threads (None: no limit, the library's default)."""
    if limit is None:
        yield
        return
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit={limit!r} is not allowed; expected a positive integer or None")
    try:
        from threadpoolctl import threadpool_limits  # lazy: ~0.1 s to import
    except ImportError:  # speed only: without threadpoolctl the products run as they are
        yield
        return
    with threadpool_limits(limits=limit, user_api="blas"):
        yield


def train_threads(params, batch_size: int) -> int | None:
    """1 if every product of a step with these parameters and batch is small (:data:`SMALL_PRODUCT`), else None."""
    largest = max((p.size for p in params if getattr(p, "ndim", 0) == 2), default=0)
    return 1 if largest * batch_size <= SMALL_PRODUCT else None
