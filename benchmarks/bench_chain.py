"""Time per step of derivations.chain.verify_chain; target: a typical step under 0.5 s.

Run on demand: ``/work/venv/bin/python benchmarks/bench_chain.py [--repeat R]``.
Each chain is checked R times in this process (the first run includes SymPy's
caches warming up, so best-of-R and the median are both printed, per step).
Chains: the collapse (proved + shape failure), the note's collapse, a
transpose/distributivity chain, the sigmoid derivative (scalar, simplify),
a numeric-only rerun (``prove=False``), a refuted step, and s4 at symbolic n.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

from derivations.chain import verify_chain

COLLAPSE_SHAPES = {"W1": ("h", "d"), "W2": ("q", "h"), "x": ("d", 1), "b1": ("h", 1), "b2": ("q", 1)}
ABC = {"A": ("n", "m"), "B": ("m", "k"), "C": ("m", "k")}
SIG = "1/(1 + exp(-x))"


def _s4() -> str:
    def parity(p):
        return -1 if sum(p[i] > p[j] for i in range(4) for j in range(i + 1, 4)) % 2 else 1

    return " ".join(f"{'-' if parity(p) < 0 else '+'} {'*'.join('ABCD'[i] for i in p)}"
                    for p in itertools.permutations(range(4)))


CASES = [
    ("collapse (proved, shape failure)",
     ["W2*(W1*x + b1) + b2", "(W2*W1)*x + (W2*b1 + b2)", "(W2*W1)*x + b1"], COLLAPSE_SHAPES, True),
    ("transpose/distributivity (3 proved)",
     ["(A*(B + C)).T", "(A*B + A*C).T", "B.T*A.T + C.T*A.T", "(B + C).T*A.T"], ABC, True),
    ("sigmoid derivative (scalar simplify)", ["exp(-x)/(1 + exp(-x))**2", f"{SIG}*(1 - {SIG})"], None, True),
    ("same chain, numeric only (prove=False)",
     ["(A*(B + C)).T", "(A*B + A*C).T", "B.T*A.T + C.T*A.T", "(B + C).T*A.T"], ABC, False),
    ("refuted step (numeric counterexample)", ["(A*B).T", "A.T*B.T"], {"A": ("n", "n"), "B": ("n", "n")}, True),
    ("s4 = 0 at symbolic n (24 terms, refuted)", [_s4(), "0"], {k: ("n", "n") for k in "ABCD"}, True),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per chain (default 5)")
    args = parser.parse_args()
    per_step_medians, firsts = [], []
    print(f"{'chain':44s} {'steps':>5s} {'first/step':>11s} {'best/step':>10s} {'median/step':>12s}  verdicts")
    for name, steps, matrices, prove in CASES:
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = verify_chain(steps, matrices=matrices, prove=prove)
            times.append((time.perf_counter() - t0) / len(result.steps))
        verdicts = " ".join("proved" if p else ("tested" if c.ok else f"FAIL({c.method})")
                            for c, p in zip(result.steps, result.proved))
        per_step_medians.append(statistics.median(times))
        firsts.append(times[0])
        print(f"{name:44s} {len(result.steps):5d} {times[0] * 1e3:9.1f}ms {min(times) * 1e3:8.1f}ms {statistics.median(times) * 1e3:10.1f}ms  {verdicts}")
    print(f"typical step (median over chains of the per-step median): {statistics.median(per_step_medians) * 1e3:.1f} ms; "
          f"slowest: {max(per_step_medians) * 1e3:.1f} ms; slowest first (cold-cache) run: {max(firsts) * 1e3:.1f} ms "
          f"(target 500 ms)")


if __name__ == "__main__":
    main()
