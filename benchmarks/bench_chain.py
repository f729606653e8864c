"""Benchmark of derivations.chain.verify_chain: time per step (target: median < 0.2 s, worst < 5 s) and
the issue-13 identity table (tests/chain_cases.py) at 16 seeds, beside ``sympy.simplify(lhs - rhs) == 0``.

Run on demand from the repository root: ``python benchmarks/bench_chain.py [--seeds S] [--repeat R]
[--no-baseline] [--no-timing]``.

Part 1 (timing chains): each chain is checked R times in this process (the first run includes SymPy's
caches warming up, so best-of-R and the median are both printed, per step).  Chains: the collapse
(proved + shape failure), the note's collapse, a transpose/distributivity chain, the sigmoid derivative
(scalar, simplify), a numeric-only rerun (``prove=False``), a refuted step, and s4 at symbolic n.

Part 2 (the table): every case at seeds 0..S-1 (default 16), judged by the contract of DESIGN.md with
the helpers of tests/test_chain_benchmark.py: right verdicts; proved / proved-randomized / tested among
true steps; counterexamples real and within domains, exact, confirmed by an independent exact
re-evaluation; counterexamples at the smallest size that admits one (``min_size``); median and worst
time per step.  The baseline parses the same sides with SymPy (matrices as MatrixSymbol, scalars with
their domain's assumptions) and decides each step by ``simplify(lhs - rhs) == 0`` (a zero matrix counts
as 0): a case is "right" if the first step it does not reduce to 0 is the expected wrong one (or none),
"wrong" otherwise, "error" if SymPy raises first, "undecided" if simplify runs out of its time budget.
"""

from __future__ import annotations

import argparse
import itertools
import signal
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import sympy as sp
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations
from tqdm import tqdm

from derivations.chain import verify_chain

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import test_chain_benchmark as tb
from chain_cases import CASES

COLLAPSE_SHAPES = {"W1": ("h", "d"), "W2": ("q", "h"), "x": ("d", 1), "b1": ("h", 1), "b2": ("q", 1)}
ABC = {"A": ("n", "m"), "B": ("m", "k"), "C": ("m", "k")}
SIG = "1/(1 + exp(-x))"


def _s4() -> str:
    def parity(p):
        return -1 if sum(p[i] > p[j] for i in range(4) for j in range(i + 1, 4)) % 2 else 1

    return " ".join(
        f"{'-' if parity(p) < 0 else '+'} {'*'.join('ABCD'[i] for i in p)}" for p in itertools.permutations(range(4))
    )


TIMING_CHAINS = [
    (
        "collapse (proved, shape failure)",
        ["W2*(W1*x + b1) + b2", "(W2*W1)*x + (W2*b1 + b2)", "(W2*W1)*x + b1"],
        COLLAPSE_SHAPES,
        True,
    ),
    (
        "transpose/distributivity (3 proved)",
        ["(A*(B + C)).T", "(A*B + A*C).T", "B.T*A.T + C.T*A.T", "(B + C).T*A.T"],
        ABC,
        True,
    ),
    ("sigmoid derivative (scalar simplify)", ["exp(-x)/(1 + exp(-x))**2", f"{SIG}*(1 - {SIG})"], None, True),
    (
        "same chain, numeric only (prove=False)",
        ["(A*(B + C)).T", "(A*B + A*C).T", "B.T*A.T + C.T*A.T", "(B + C).T*A.T"],
        ABC,
        False,
    ),
    ("refuted step (numeric counterexample)", ["(A*B).T", "A.T*B.T"], {"A": ("n", "n"), "B": ("n", "n")}, True),
    ("s4 = 0 at symbolic n (24 terms, refuted)", [_s4(), "0"], {k: ("n", "n") for k in "ABCD"}, True),
]


def timing_chains(repeat: int) -> None:
    per_step_medians, firsts = [], []
    print(f"{'chain':44s} {'steps':>5s} {'first/step':>11s} {'best/step':>10s} {'median/step':>12s}  verdicts")
    for name, steps, matrices, prove in TIMING_CHAINS:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = verify_chain(steps, matrices=matrices, prove=prove)
            times.append((time.perf_counter() - t0) / len(result.steps))
        verdicts = " ".join(
            "proved" if p else ("tested" if c.ok else f"FAIL({c.method})") for c, p in zip(result.steps, result.proved)
        )
        per_step_medians.append(statistics.median(times))
        firsts.append(times[0])
        print(
            f"{name:44s} {len(result.steps):5d} {times[0] * 1e3:9.1f}ms {min(times) * 1e3:8.1f}ms "
            f"{statistics.median(times) * 1e3:10.1f}ms  {verdicts}"
        )
    print(
        f"typical step (median over chains of the per-step median): {statistics.median(per_step_medians) * 1e3:.1f} ms; "
        f"slowest: {max(per_step_medians) * 1e3:.1f} ms; slowest first (cold-cache) run: {max(firsts) * 1e3:.1f} ms"
    )


def _pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.0f}%)" if n else "0/0"


def table(seeds: range) -> None:
    runs = [(c, s) for c in CASES for s in seeds]
    right, crashes, refusals, wrong, refused = 0, Counter(), 0, [], []
    true_steps, poly_all_proved, poly_runs = Counter(), 0, 0
    cex = Counter()
    per_step, slow = [], []
    for case, seed in tqdm(runs, desc="verify_chain", unit="run", mininterval=2):
        out = tb.run(case.id, seed)
        per_step.append(out.seconds / (len(case.steps) - 1))
        slow.append((per_step[-1], f"{case.id}@{seed}"))
        if out.error is not None:
            if isinstance(out.error, ValueError):
                refusals += 1
            else:
                crashes[type(out.error).__name__] += 1
            refused.append(f"{case.id}@{seed}: {type(out.error).__name__}")
            continue
        r, v = out.result, tb.verdicts(out.result)
        if (r.ok, r.first_failure) == (case.expect is None, case.expect):
            right += 1
        else:
            wrong.append(f"{case.id}@{seed}: first failure {r.first_failure}, expected {case.expect}")
        for i, verdict in enumerate(v):
            if i != case.expect:
                true_steps[verdict] += 1
        if case in tb.POLY_TRUE:
            poly_runs += 1
            poly_all_proved += tb.all_proved(case, seed)
        if case.expect is not None and r.first_failure == case.expect and not tb.shape_case(case):
            problems = tb.counterexample_problems(case, r.counterexamples[case.expect])
            cex["value steps"] += 1
            cex["given"] += "no counterexample" not in problems
            cex["real, in domains"] += not any("complex" in p or "outside" in p or "missing" in p for p in problems)
            cex["exact"] += not any("not exact" in p or "not a positive" in p for p in problems)
            cex["confirmed"] += not any("do not differ" in p or "no counterexample" in p for p in problems)
            cex["all four"] += not problems
            if case.min_size is not None:
                cex["with min_size"] += 1
                cex["at min_size"] += tb.at_min_size(case, seed)
    n = len(runs)
    print(f"\n{len(CASES)} cases x {len(seeds)} seeds = {n} runs")
    print(
        f"right verdicts:                {_pct(right, n)}; refused (ValueError): {refusals}; "
        f"crashed: {sum(crashes.values())} {dict(crashes) or ''}"
    )
    t = sum(true_steps.values())
    print(
        f"true steps ({t}):               proved {_pct(true_steps['proved'], t)}, proved-randomized "
        f"{_pct(true_steps['proved-randomized'], t)}, tested {_pct(true_steps['tested'], t)}, "
        f"judged false {t - sum(true_steps[k] for k in ('proved', 'proved-randomized', 'tested'))}"
    )
    print(
        f"true polynomial matrix identities proved or proved-randomized: {_pct(poly_all_proved, poly_runs)} "
        f"(target >= 75%)"
    )
    k = cex["value steps"]
    print(
        f"counterexamples of wrong value steps found at the right step ({k}): given {_pct(cex['given'], k)}, "
        f"real and within domains {_pct(cex['real, in domains'], k)}, exact {_pct(cex['exact'], k)}, "
        f"confirmed {_pct(cex['confirmed'], k)}, all four {_pct(cex['all four'], k)}"
    )
    print(
        f"matrix counterexamples at the smallest size: {_pct(cex['at min_size'], cex['with min_size'])} (target >= 90%)"
    )
    print(
        f"time per step: median {statistics.median(per_step) * 1e3:.0f} ms (target < 200 ms), "
        f"worst {max(per_step):.2f} s (target < 5 s); slowest runs: "
        + ", ".join(f"{name} {t:.2f} s" for t, name in sorted(slow, reverse=True)[:5])
    )
    print("wrong verdicts (not counting refusals and crashes): " + ("; ".join(wrong) or "none"))
    cases = sorted({r.split("@")[0] for r in refused})
    print(
        f"refused or crashed: {len(refused)} runs of {len(cases)} cases"
        + (f": {sorted(refused)[:5]}" if refused else "")
    )


def _sympy_side(text: str, case) -> sp.Basic:
    dims = {d: sp.Symbol(d, integer=True, positive=True) for d in tb.names(case)[1]}
    local = {m: sp.MatrixSymbol(m, *(dims.get(x, x) for x in case.matrices[m])) for m in case.matrices}
    local.update(dims)
    for s in tb.names(case)[2]:
        dom = case.symbols.get(s, "real")
        local[s] = sp.Symbol(s) if dom == "complex" else sp.Symbol(s, **{dom: True})

    def sig(x):
        return 1 / (1 + sp.exp(-x))

    local.update(
        trace=sp.Trace,
        Trace=sp.Trace,
        det=sp.det,
        inv=sp.Inverse,
        kron=sp.kronecker_product,
        hadamard=sp.hadamard_product,
        transpose=sp.transpose,
        Identity=sp.Identity,
        abs=sp.Abs,
        relu=lambda x: sp.Max(x, 0),
        sigmoid=sig,
        softplus=lambda x: sp.log(1 + sp.exp(x)),
        swish=lambda x: x * sig(x),
        gelu=lambda x: x * (1 + sp.erf(x / sp.sqrt(2))) / 2,
    )
    return parse_expr(text, local_dict=local, transformations=standard_transformations + (convert_xor,))


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def sympy_step(case, i: int, budget: int) -> str:
    """'zero', 'nonzero', 'error' or 'timeout' for ``simplify(lhs - rhs) == 0`` on step i."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(budget)
    try:
        lhs, rhs = (_sympy_side(case.steps[j], case) for j in (i, i + 1))
        if rhs == 0 and isinstance(lhs, sp.MatrixExpr):
            rhs = sp.ZeroMatrix(*lhs.shape)
        d = sp.simplify(lhs - rhs)
        return "zero" if d == 0 or getattr(d, "is_ZeroMatrix", False) else "nonzero"
    except _Timeout:
        return "timeout"
    except Exception:  # noqa: BLE001 - whatever SymPy raises is the baseline's "error"
        return "error"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def baseline(budget: int) -> None:
    tally, times = Counter(), []
    for case in tqdm(CASES, desc="sympy.simplify", unit="case", mininterval=2):
        t0 = time.perf_counter()
        status = [sympy_step(case, i, budget) for i in range(len(case.steps) - 1)]
        times.append((time.perf_counter() - t0) / len(status))
        first = next((i for i, s in enumerate(status) if s != "zero"), None)
        if first is not None and status[first] == "error":
            tally["error"] += 1
        elif first is not None and status[first] == "timeout":
            tally["undecided"] += 1
        else:
            tally["right" if first == case.expect else "wrong"] += 1
    n = len(CASES)
    print(
        f"\nbaseline sympy.simplify(lhs - rhs) == 0 on the same {n} cases (seed-independent; {budget} s budget per step):"
    )
    print(
        f"right {_pct(tally['right'], n)}, wrong {_pct(tally['wrong'], n)}, error {_pct(tally['error'], n)}, "
        f"undecided {_pct(tally['undecided'], n)}; time per step median {statistics.median(times) * 1e3:.0f} ms, "
        f"worst {max(times):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing chain (default 5)")
    parser.add_argument("--seeds", type=int, default=16, help="seeds per table case (default 16)")
    parser.add_argument("--budget", type=int, default=10, help="seconds per step for the SymPy baseline (default 10)")
    parser.add_argument("--no-timing", action="store_true", help="skip part 1 (the timing chains)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the sympy.simplify baseline")
    args = parser.parse_args()
    if not args.no_timing:
        timing_chains(args.repeat)
    table(range(args.seeds))
    if not args.no_baseline:
        baseline(args.budget)


if __name__ == "__main__":
    main()
