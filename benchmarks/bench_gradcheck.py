"""Cost and accuracy of numeric.gradcheck: each method on 40 elements, the directional check on 203,530.

Run on demand: ``python benchmarks/bench_gradcheck.py [--repeat R]``.
The test function is f(x) = Σ exp(x)(2 + sin x) at a seeded point in [-1, 1] (gradient
e^x(2 + sin x + cos x), known exactly), so every figure comes with its maximum relative error.
203,530 = 784·256 + 256 + 256·10 + 10, the parameter count of the chapter's MLP([784, 256, 10]).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from numeric.gradcheck import METHODS, check_directional, numerical_gradient

N_SMALL = 40  # the "one element out of 40"
N_MLP = 784 * 256 + 256 + 256 * 10 + 10  # parameters of MLP([784, 256, 10]) = 203,530


def f(x):
    return np.sum(np.exp(x) * (2.0 + np.sin(x)))


def grad(x):
    return np.exp(x) * (2.0 + np.sin(x) + np.cos(x))


def _best(fn, repeat):
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="repeats per figure (best reported)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)  # seed: any fixed point
    x = rng.uniform(-1.0, 1.0, N_SMALL)
    exact = grad(x)
    for method in METHODS:
        seconds, g = _best(lambda method=method: numerical_gradient(f, x, method=method), args.repeat)
        rel = np.max(np.abs(g - exact) / np.abs(exact))
        print(f"numerical_gradient {method:<10} n={N_SMALL}: {seconds * 1e3:7.2f} ms, max rel error {rel:.2e}")
    x = rng.uniform(-1.0, 1.0, N_MLP)
    exact = grad(x)
    for method in METHODS:
        seconds, r = _best(lambda method=method: check_directional(f, exact, x, method=method), args.repeat)
        rel = np.max(np.abs(r.analytic - r.numeric) / np.abs(r.analytic))
        print(
            f"check_directional  {method:<10} n={N_MLP}, 3 directions: {seconds * 1e3:7.1f} ms, "
            f"ok={r.ok}, max rel error of the slope {rel:.2e}"
        )


if __name__ == "__main__":
    main()
