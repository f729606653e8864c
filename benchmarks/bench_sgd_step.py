"""One SGD step of an MLP on a float32 batch: numeric.mlp vs torch (CPU), side by side.

Run: ``python benchmarks/bench_sgd_step.py [--sizes 784,256,10] [--batch 256] [--repeats 200] [--threads N]``;
issue 18's two settings are the defaults (the book's 784-256-10, batch 256) and
``--sizes 784,1024,1024,10 --batch 512``.  Both sides use the same
thread count (numpy's BLAS via threadpoolctl when available, torch via ``torch.set_num_threads``), the
same float32 weights, batch and labels, and the same step: forward, mean softmax cross-entropy,
backward, ``p -= lr * g``.  Reports the median and quartiles of each and the ratio ours / torch.

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, if set, slow numpy's BLAS on this machine; to measure without
them unset both for this command only: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python ...``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from numeric.mlp import MLP

SIZES = [784, 256, 10]  # the book's model (5.2.params: 203,530 parameters)
BATCH = 256  # the book's batch size
LR = 0.1  # the book's learning rate


def _timeit(step, repeats: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return times


def _summary(times: list[float]) -> str:
    q1, med, q3 = statistics.quantiles(times, n=4)
    return f"median {med * 1e3:7.3f} ms  (quartiles {q1 * 1e3:.3f} .. {q3 * 1e3:.3f} ms)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1, help="BLAS / torch threads for both sides")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="layer widths, e.g. 784,1024,1024,10")
    parser.add_argument("--batch", type=int, default=BATCH, help=f"rows per batch (default {BATCH})")
    args = parser.parse_args()
    try:
        sizes = [int(w) for w in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes {args.sizes!r}: expected comma-separated positive integers, e.g. 784,256,10")
    if len(sizes) < 2 or min(sizes) < 1 or args.batch < 1:
        parser.error(f"--sizes {args.sizes!r} --batch {args.batch}: expected >= 2 positive widths and batch >= 1")

    import torch

    torch.set_num_threads(args.threads)
    try:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(limits=args.threads)
    except ImportError:  # numpy then uses its own default thread count
        limiter = None

    rng = np.random.default_rng(0)
    model = MLP(sizes, init="normal", rng=rng, dtype=np.float32)
    X = rng.standard_normal((args.batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], args.batch)

    def ours() -> None:
        _, grads = model.loss_and_grads(X, y)
        for p, g in zip(model.params, grads):
            p -= LR * g  # float32: LR * g stays float32 (NEP 50)

    layers: list = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers[:-1])  # no activation after the output layer
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():  # same starting weights (torch stores Linear weights transposed)
        for k, lin in enumerate(linears):
            lin.weight.copy_(torch.from_numpy(model.params[2 * k].T.copy()))
            lin.bias.copy_(torch.from_numpy(model.params[2 * k + 1]))
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)
    loss_fn = torch.nn.CrossEntropyLoss()

    def theirs() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss_fn(net(tX), ty).backward()
        optimizer.step()

    ours()
    assert all(p.dtype == np.float32 for p in model.params), "float32 must be kept end to end"
    # Interleave the two so that machine noise (other users of the 2 cores) hits both alike.
    t_ours, t_theirs = [], []
    for _ in range(4):  # 4 interleaved rounds
        t_ours += _timeit(ours, args.repeats // 4, args.warmup)
        t_theirs += _timeit(theirs, args.repeats // 4, args.warmup)
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(f"SGD step, MLP({sizes}), float32 batch {args.batch}, threads {args.threads}, env {env}")
    print(f"  numeric.mlp : {_summary(t_ours)}")
    print(f"  torch {torch.__version__}: {_summary(t_theirs)}")
    print(f"  ratio ours / torch (medians): {statistics.median(t_ours) / statistics.median(t_theirs):.3f}")
    if limiter is not None:
        limiter.restore_original_limits()


if __name__ == "__main__":
    main()
