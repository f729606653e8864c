"""Benchmark of derivations.gradient on tests/gradient_cases.py, beside SymPy's own matrix ``diff``.

Run: ``python benchmarks/bench_gradient.py`` from the repository root.  For every problem: ours
(derived closed form right against the known answer at 3 random points, ``.verify()`` ok) and SymPy's
``f.diff(wrt)`` on the same expression (right, wrong, or error), and the time per problem (gradient
+ verify); then the wrong claimed gradients, each of which must be refuted.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from gradient_cases import CASES, WRONG  # noqa: E402
from test_gradient_benchmark import FUNCS, TOL, _point  # noqa: E402

from derivations import gradient, verify_gradient  # noqa: E402
from derivations.calculus.gradient import evaluate_at  # noqa: E402
from derivations.calculus.parse import parse_scalar  # noqa: E402


def _right(expr, G, K) -> bool:
    for seed in range(3):
        arrays = _point(G, seed)
        ours = evaluate_at(expr, G.f, arrays, FUNCS, shape_of=G.wrt)
        ref = evaluate_at(K, G.f, arrays, FUNCS, shape_of=G.wrt)
        if np.shape(ours) != np.shape(ref) or np.max(np.abs(ours - ref)) > TOL * max(1.0, np.max(np.abs(ref))):
            return False
    return True


def _sympy_diff(G, K) -> str:
    try:
        d = G.f.diff(G.wrt)
        return "right" if _right(d, G, K) else "wrong"
    except Exception as exc:  # noqa: BLE001 - any failure of SymPy's diff or of evaluating it is an 'error'
        return f"error ({type(exc).__name__})"


def main() -> int:
    rows, times, bad = [], [], 0
    for case_id, f, wrt, matrices, known in CASES:
        t0 = time.perf_counter()
        G = gradient(f, wrt, matrices=matrices)
        verified = G.verify().ok
        times.append(time.perf_counter() - t0)
        K = parse_scalar(known, matrices, what="known")
        ours = "right" if _right(G.expr, G, K) and verified else "WRONG"
        bad += ours != "right"
        rows.append((case_id, ours, _sympy_diff(G, K), times[-1]))
    width = max(len(r[0]) for r in rows)
    print(f"{'problem':<{width}}  ours   sympy diff          seconds")
    for case_id, ours, theirs, t in rows:
        print(f"{case_id:<{width}}  {ours:<5}  {theirs:<18}  {t:6.2f}")
    tally = {k: sum(r[2].startswith(k) for r in rows) for k in ("right", "wrong", "error")}
    print(
        f"\n{len(rows)} problems: ours right and verified {len(rows) - bad}; SymPy diff right {tally['right']}, "
        f"wrong {tally['wrong']}, error {tally['error']}"
    )
    print(f"time per problem (gradient + verify): median {statistics.median(times):.2f}s, worst {max(times):.2f}s")
    refuted = sum(not verify_gradient(f, w, c, matrices=m).ok for _, f, w, m, c in WRONG)
    print(f"wrong claimed gradients refuted: {refuted} of {len(WRONG)}")
    return 0 if bad == 0 and refuted == len(WRONG) else 1


if __name__ == "__main__":
    sys.exit(main())
