"""verdict "proved-randomized" (issue 13): polynomial steps proved for every size by exact evaluation
at random integer points (derivations/chain/randomized.py), and only those."""

import itertools

import pytest
import sympy as sp
from sympy.combinatorics import Permutation

from derivations.chain import randomized, verify_chain

SQ = {k: ("n", "n") for k in "ABCD"}


def _standard(names: str) -> str:
    """The standard polynomial s_k over the letters ``names`` as a string."""
    out = []
    for p in itertools.permutations(range(len(names))):
        sign = "-" if Permutation(list(p)).signature() < 0 else "+"
        out.append(sign + "*".join(names[k] for k in p))
    return "".join(out)


TRUE_POLYNOMIAL = [
    pytest.param(["trace(A*B*C)", "trace(C*A*B)"], SQ, id="trace-cyclic"),
    pytest.param(["trace(A*B)", "trace(B*A)"], {"A": ("n", "m"), "B": ("m", "n")}, id="trace-rectangular"),
    pytest.param(["x.T*A*x", "trace(A*x*x.T)"], {"A": ("n", "n"), "x": ("n", 1)}, id="quadratic-form"),
    pytest.param(["x.T*A*x", "x.T*A.T*x"], {"A": ("n", "n"), "x": ("n", 1)}, id="quadratic-form-transpose"),
    pytest.param(["(A+B)**2", "A**2 + A*B + B*A + B**2"], SQ, id="square-of-sum"),
    pytest.param(["trace(A*B*A.T)", "trace(B*A.T*A)"], {"A": ("m", "n"), "B": ("n", "n")}, id="trace-transpose"),
    pytest.param(
        ["trace(hadamard(A,B).T*C)", "trace(hadamard(A,C).T*B)"], {k: ("n", "m") for k in "ABC"}, id="hadamard-trace"
    ),
    pytest.param(["c*trace(A*B) + trace(c*B*A)", "2*c*trace(A*B)"], SQ, id="scalar-coefficient"),
    pytest.param(["A*A - trace(A)*A + det(A)*Identity(2)", "0"], {"A": (2, 2)}, id="cayley-hamilton-2x2"),
    pytest.param(["kron(A,B)*kron(C,D)", "kron(A*C,B*D)"], {k: (2, 2) for k in "ABCD"}, id="kron-mixed-2x2"),
    pytest.param([_standard("ABCD"), "0"], {k: (2, 2) for k in "ABCD"}, id="amitsur-levitzki-s4-2x2"),
]


@pytest.mark.parametrize("steps, matrices", TRUE_POLYNOMIAL)
def test_true_polynomial_identities_are_proved_for_every_size(steps, matrices):
    """Was 'tested on 4 points' (SymPy cannot reduce traces or Cayley-Hamilton)."""
    result = verify_chain(steps, matrices=matrices)
    assert result.verdicts == ["proved-randomized"], str(result)
    detail = result.steps[0].detail
    assert "Schwartz-Zippel" in detail and "< 1e-30" in detail and "random points" in detail
    fixed = all(isinstance(s, int) for shape in matrices.values() for s in shape)
    assert ("no size is free" in detail) == fixed and ("for every size" in detail) != fixed
    assert "proved-randomized" in result.lines()[0]


def test_the_standard_polynomial_s4_is_refuted_at_3x3_not_proved():
    """s_4 vanishes on 2×2 matrices (Amitsur-Levitzki) but not on 3×3: at the lemma's size (5, the
    index count of a word of 4 letters) it is nonzero, and the smallest counterexample has n = 3."""
    result = verify_chain([_standard("ABCD"), "0"], matrices=SQ)
    assert result.verdicts == ["refuted"] and result.counterexample["n"] == 3, str(result)


def test_too_small_a_size_would_prove_s4_falsely(monkeypatch):
    """The index count is what makes the every-size claim sound: evaluated at n = 2 instead of 5
    (below the count), s_4 = 0 would be 'proved' for every size."""
    from derivations.chain.parsing import parse

    n = sp.Symbol("n", integer=True, positive=True)
    assert randomized.vertices(parse(_standard("ABCD"), SQ, {}), [n]) == {"n": 5}
    monkeypatch.setattr(randomized, "vertices", lambda expr, dims: randomized.Counter({"n": 2}))
    assert verify_chain([_standard("ABCD"), "0"], matrices=SQ).verdicts == ["proved-randomized"]


@pytest.mark.parametrize(
    "steps, matrices, why",
    [
        pytest.param(["trace(Identity(n))", "trace(Identity(n))*1"], {}, "Identity", id="identity"),
        pytest.param(["det(A*B)", "det(B)*det(A)"], SQ, "Determinant", id="det-symbolic-size"),
        pytest.param(["kron(A,B).T", "kron(A.T,B.T)"], SQ, "KroneckerProduct", id="kron-symbolic-size"),
        pytest.param(["exp(trace(A))", "exp(trace(A.T))"], SQ, "not polynomial", id="exp"),
        pytest.param(["trace(inv(A))", "trace(inv(A).T)"], SQ, "power", id="inverse"),
    ],
)
def test_steps_outside_the_theorem_are_not_covered(steps, matrices, why):
    from derivations.chain.parsing import parse

    lhs, rhs = (parse(s, matrices, {}) for s in steps)
    mats = sorted(lhs.atoms(sp.MatrixSymbol) | rhs.atoms(sp.MatrixSymbol), key=str)
    dims = sorted(
        {
            s
            for m in sp.Tuple(lhs, rhs).atoms(sp.MatrixSymbol, sp.Identity)
            for s in m.shape
            if isinstance(s, sp.Symbol)
        },
        key=str,
    )
    with pytest.raises(randomized.NotCovered, match=why):
        randomized.prove(lhs, rhs, mats, [], dims, 0, 0, set())


def test_a_fixed_size_larger_than_its_index_count_is_not_proved_for_every_size():
    """x: n×2 (fixed size 2 beside a free n): x.T*x*x.T*x has 3 indices of size 2 in one term, more
    than 2 distinct values, so the lemma does not apply and the step stays tested."""
    result = verify_chain(["x.T*x*x.T*x", "(x.T*x)**2"], matrices={"x": ("n", 2)})
    assert result.verdicts in (["proved"], ["tested"]), str(result)
    if result.verdicts == ["tested"]:
        assert "indices of the fixed size 2" in result.steps[0].detail


def test_points_needed_meets_the_error_bound():
    for deg in (1, 2, 7, 40, 1000):
        t, bound = randomized.points_needed(deg)
        assert bound <= randomized.ERROR_BOUND < (deg / (2 * randomized.ENTRY_RANGE + 1)) ** (t - 1)
    assert randomized.points_needed(0) == (1, 0.0)


def test_a_false_polynomial_step_is_refuted_with_a_small_exact_counterexample():
    result = verify_chain(["trace(A*B*C)", "trace(B*A*C)"], matrices=SQ)
    assert result.verdicts == ["refuted"] and result.counterexample["n"] == 2
    assert all(abs(int(v)) <= 3 for v in result.counterexample["A"].ravel())
