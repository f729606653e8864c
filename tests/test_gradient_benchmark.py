"""Every problem of tests/gradient_cases.py: the derived closed form equals the known answer numerically, has
the shape of wrt, and ``.verify()`` passes; every wrong claimed gradient is refuted with a counterexample."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations import gradient, verify_gradient
from derivations.calculus.gradient import evaluate_at
from derivations.calculus.parse import parse_scalar
from gradient_cases import CASES, WRONG

#: NumPy stand-ins for an undefined φ and its derivative (any analytic pair would do).
FUNCS = {"phi": lambda t: np.sin(t) + t * t / 3, "D0phi": lambda t: np.cos(t) + 2 * t / 3}
# Both sides evaluate the same function in float64 by different formulas (<= 5×5 products, one inverse of a
# N(0, 1) matrix, condition typically < 1e3): rounding ~ 1e3 · 5 · eps ≈ 1e-12; 1e-8 leaves a margin.
TOL = 1e-8


def _point(G, seed):
    rng = np.random.default_rng(seed)
    dims = sorted(
        {d for m in G.f.atoms(sp.MatrixSymbol) for s in m.shape for d in sp.sympify(s).free_symbols},
        key=lambda s: s.name,
    )
    sizes = {d: k + 2 for k, d in enumerate(dims)}  # distinct sizes 2, 3, ...: a transposition shows
    arrays = {
        m.name: rng.standard_normal(tuple(int(sp.sympify(s).xreplace(sizes)) for s in m.shape))
        for m in G.f.atoms(sp.MatrixSymbol)
    }
    arrays.update(
        {
            s.name: float(rng.standard_normal())
            for s in G.f.free_symbols
            if not isinstance(s, sp.MatrixSymbol) and s not in sizes
        }
    )
    return arrays


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_derived_gradient_equals_the_known_answer_and_verifies(case):
    _id, f, wrt, matrices, known = case
    G = gradient(f, wrt, matrices=matrices)
    K = parse_scalar(known, matrices, what="known")
    for seed in range(3):
        arrays = _point(G, seed)
        ours = G.function(FUNCS)(**arrays)
        ref = evaluate_at(K, G.f, arrays, FUNCS, shape_of=G.wrt)
        assert np.shape(ours) == np.shape(ref)
        assert np.max(np.abs(ours - ref)) <= TOL * max(1.0, np.max(np.abs(ref))), (ours, ref)
    result = G.verify()
    assert result.ok, str(result)


def test_the_benchmark_has_at_least_40_problems_and_10_wrong_claims():
    assert len(CASES) >= 40 and len(WRONG) >= 10


@pytest.mark.parametrize("case", WRONG, ids=[c[0] for c in WRONG])
def test_wrong_claimed_gradient_is_refuted_with_a_counterexample(case):
    _id, f, wrt, matrices, wrong = case
    result = verify_gradient(f, wrt, wrong, matrices=matrices)
    assert not result.ok
    assert result.verdicts[0] in ("refuted", "shape")
    if result.verdicts[0] == "refuted":
        assert result.counterexample is not None
        assert "differs: claimed" in result.steps[0].detail
