"""Time section 5.4: every claim's verify() (in chapter order, one process) and the numeric kernels.

Run on demand: ``python benchmarks/bench_section54.py [--examples N] [--repeat R]``.
Claims share cached SymPy derivations, so the first claim of a kind pays for them; the total is what
``mlp-derivations verify --section 5.4`` costs.  Also prints the study note's percentile (5.4.exploding).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=None, help="Hypothesis examples per check (default 25)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats for the kernels (best is reported)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    import derivations  # noqa: F401  (registers the claims; SymPy import included)

    print(f"import derivations: {time.perf_counter() - t0:.2f} s")
    total = 0.0
    for c in derivations.claims():
        if c.section != "5.4":
            continue
        r = c.verify(examples=args.examples)
        total += r.seconds
        print(f"{c.id:14s} {'ok' if r.ok else 'NOT OK':7s} {r.seconds:6.2f} s  ({len(r.checks)} checks)")
    print(f"section 5.4 total: {total:.2f} s")

    from derivations.stability import note_percentile
    from numeric import init, stability

    p, _ = note_percentile()
    print(f"note's largest entry 3.8092853e+21: percentile {100 * p:.2f}% of log10 max|entry| (20000 products)")
    rng = np.random.default_rng(0)
    kernels = {
        "matrix_product(4, 101)": lambda: stability.matrix_product(4, 101, rng=rng),
        "scaled_matrix_product(4, 101, size=20000)": lambda: stability.scaled_matrix_product(
            4, 101, size=20000, rng=rng
        ),
        "log_norm_increments(4, 200, chains=200)": lambda: stability.log_norm_increments(4, 200, chains=200, rng=rng),
        "depth_experiment('he_normal', 'relu')": lambda: stability.depth_experiment("he_normal", "relu", rng=rng),
        "xavier_uniform(784, 256)": lambda: init.xavier_uniform(784, 256, rng=rng),
    }
    for name, fn in kernels.items():
        print(f"{name:45s} {1e3 * _best(fn, args.repeat):8.2f} ms")


if __name__ == "__main__":
    main()
