"""The matrix grammar of chain steps (issue 13)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations.chain import verify_chain

SQUARE = {"A": ("n", "n"), "B": ("n", "n"), "C": ("m", "m")}
LAYER = {"W1": ("h", "d"), "x": ("d", 1), "b1": ("h", 1)}


@pytest.mark.parametrize(
    "steps, verdict",
    [
        (["det(A*B)", "det(A)*det(B)"], "proved"),
        (["det(A.T)", "det(A)"], "proved"),
        (["det(A*B)", "det(A) + det(B)"], "refuted"),
        (["inv(A*B)", "inv(B)*inv(A)"], "proved"),
        (["inv(A*B)", "inv(A)*inv(B)"], "refuted"),
        (["kron(A, B).T", "kron(A.T, B.T)"], "proved"),
        (["kron(A, B).T", "kron(B.T, A.T)"], "refuted"),
        (["trace(kron(A, C))", "trace(A)*trace(C)"], "proved"),
        (["hadamard(A, B)", "hadamard(B, A)"], "proved"),
        (["hadamard(A, B)", "A*B"], "refuted"),
        (["exp(A).T", "exp(A.T)"], "proved"),
    ],
)
def test_det_inv_kron_hadamard_in_strings(steps, verdict):
    for prove in (True, False):
        result = verify_chain(steps, matrices=SQUARE, prove=prove)
        expected = verdict if prove or verdict == "refuted" else result.verdicts[0]
        assert result.verdicts == [expected], str(result)
        assert result.verdicts[0] != "refuted" or result.counterexample["n"] <= 2
        assert prove or verdict == "refuted" or result.ok


@pytest.mark.parametrize(
    "steps, ok",
    [
        (["relu(W1*x + b1) - relu(-(W1*x + b1))", "W1*x + b1"], True),
        (["relu(W1*x + b1) + relu(-(W1*x + b1))", "W1*x + b1"], False),
        (["sigmoid(W1*x + b1)", "relu(W1*x + b1)"], False),
        (["tanh(-(W1*x))", "-tanh(W1*x)"], True),
    ],
)
def test_activations_act_entrywise_on_matrices(steps, ok):
    result = verify_chain(steps, matrices=LAYER, symbols=None)
    assert result.ok == ok, str(result)
    if not ok:
        assert result.verdicts == ["refuted"] and result.counterexample["h"] == 1


@pytest.mark.parametrize(
    "steps",
    [
        ["swish(t)", "t*sigmoid(t)"],
        ["gelu(t)", "t*(1 + erf(t/sqrt(2)))/2"],
        ["softplus(t)", "log(1 + exp(t))"],
        ["sigmoid(t)", "1/(1 + exp(-t))"],
        ["relu(t)", "Max(t, 0)"],
    ],
)
def test_the_chapters_activations_are_known_by_name(steps):
    assert verify_chain(steps).ok


def test_identity_of_another_size_is_a_shape_failure_naming_both():
    """Was 'proved': SymPy drops Identity(m) from Identity(m)*A while parsing."""
    result = verify_chain(["Identity(m)*A", "A"], matrices={"A": ("n", "n")})
    assert result.verdicts == ["shape"]
    assert "m" in result.steps[0].detail and "n" in result.steps[0].detail
    assert verify_chain(["Identity(n)*A", "A"], matrices={"A": ("n", "n")}).verdicts == ["proved"]


def test_sympy_matrix_nodes_are_evaluated():
    n = sp.Symbol("n", integer=True, positive=True)
    A, B, X = (sp.MatrixSymbol(k, n, n) for k in "ABX")
    assert verify_chain([sp.Determinant(A * B), sp.Determinant(B * A)]).ok
    assert verify_chain([sp.KroneckerProduct(A, B).T, sp.KroneckerProduct(A.T, B.T)]).ok
    assert not verify_chain([sp.HadamardProduct(A, B), A * B]).ok
    assert verify_chain([sp.Derivative(sp.Trace(A * X), X), A.T]).verdicts == ["proved"]
    assert verify_chain([sp.Derivative(sp.Trace(A * X), X), A]).verdicts == ["refuted"]
    A3 = sp.MatrixSymbol("A", 3, 3)
    assert verify_chain([A3[0, 1] + A3.T[0, 1], A3[0, 1] + A3[1, 0]]).ok
    wrong = verify_chain([A3[0, 1], A3[1, 0]])
    assert wrong.verdicts == ["refuted"] and np.asarray(wrong.counterexample["A"]).shape == (3, 3)


@pytest.mark.parametrize("n, complex_", [(1, False), (2, True), (3, False), (5, True), (7, False)])
def test_the_exact_determinant_equals_sympys_over_gaussian_rationals(n, complex_):
    """The fraction-free determinant of the exact re-check (chain/exact_eval.py) is SymPy's QQ_I det, exactly."""
    from sympy.polys.domains import QQ_I
    from sympy.polys.matrices import DomainMatrix

    from derivations.chain.exact_eval import _qq, _rational_det

    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n)) + (1j * rng.standard_normal((n, n)) if complex_ else 0)
    a[0, :] = a[-1, :] if n == 3 else a[0, :]  # one singular case: det exactly 0
    v = np.vectorize(_qq, otypes=[object])(a)
    assert _rational_det(v) == DomainMatrix(v.tolist(), v.shape, QQ_I).det()
