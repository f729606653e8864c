"""BLAS threads: the digits training run (64-256-10, the CLI's defaults) and the 784-256-10 SGD step, 1 vs 2 threads.

Run: ``python benchmarks/bench_threads.py [--repeat R] [--steps N]``.  Same process, same data and
seed for every variant; the thread count is set with ``threadpoolctl`` around each run (``default`` =
OpenBLAS's own count, one per core).  Prints best and median wall time of each and the load average
(the machine is shared; under load, extra threads wait for a core).  Decides where
``numeric.threads`` limits BLAS to one thread: where one is not slower.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from numeric import data as datasets
from numeric.network import MLP
import numeric.training
from numeric.training import MLPScratch, train


def _train_digits(epochs: int) -> float:
    data = datasets.load_digits()
    rng = np.random.default_rng(0)
    model = MLPScratch(num_inputs=data.num_inputs, num_outputs=data.num_classes, rng=rng)
    t0 = time.perf_counter()
    history = train(model, data, epochs=epochs, rng=rng)
    seconds = time.perf_counter() - t0
    assert history[-1].val_acc > 0.5  # it learns (0.95 needs the CLI's 120 epochs)
    return seconds


def _sgd_steps(sizes: list[int], batch: int, steps: int) -> float:
    rng = np.random.default_rng(0)
    net = MLP(sizes, activation="relu", rng=rng, dtype=np.float32)
    X = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    for _ in range(3):
        net.loss_and_grads(X, y)
    t0 = time.perf_counter()
    for _ in range(steps):
        _, grads = net.loss_and_grads(X, y)
        for p, g in zip(net.params, grads):
            p -= np.float32(0.1) * g
    return (time.perf_counter() - t0) / steps


def _bench(label: str, run, repeat: int, unit: float, unit_name: str) -> None:
    rule = numeric.training.train_threads
    for threads in (1, 2, None, "rule") if "train" in label else (1, 2, None):
        times = []
        # the outer limit is the variant; train's own rule (numeric.threads) is off except for "rule"
        numeric.training.train_threads = rule if threads == "rule" else (lambda params, batch: None)
        try:
            for _ in range(repeat):
                with threadpool_limits(limits=None if threads == "rule" else threads, user_api="blas"):
                    times.append(run())
        finally:
            numeric.training.train_threads = rule
        name = {None: "default", "rule": "train()", 1: "1 thread"}.get(threads, f"{threads} threads")
        print(
            f"{label:34s} {name:9s} best {min(times) * unit:8.2f} {unit_name}  median "
            f"{statistics.median(times) * unit:8.2f} {unit_name}  load {os.getloadavg()[0]:.2f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=None, help="digits epochs (default: the CLI's)")
    args = parser.parse_args()
    from derivations.training import DEFAULT_EPOCHS

    epochs = args.epochs or DEFAULT_EPOCHS
    print(f"BLAS: {[(i['internal_api'], i['num_threads']) for i in threadpool_info()]}; {os.cpu_count()} cores")
    _bench(f"train digits 64-256-10, {epochs} epochs", lambda: _train_digits(epochs), args.repeat, 1.0, "s ")
    _bench("SGD step 784-256-10 b256 f32", lambda: _sgd_steps([784, 256, 10], 256, args.steps), args.repeat, 1e3, "ms")
    _bench(
        "SGD step 784-1024-1024-10 b512",
        lambda: _sgd_steps([784, 1024, 1024, 10], 512, max(5, args.steps // 5)),
        args.repeat,
        1e3,
        "ms",
    )
    print(f"loads (1, 5, 15 min): {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
