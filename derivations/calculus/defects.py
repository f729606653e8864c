"""SymPy 1.14 matrix-calculus defects met while deriving section 5.3, and a reproducer for each.

Each is worked around in this package (see the entry) and would be caught by
the entrywise confirmation (:mod:`.explicit`) if a work-around failed.
``reproduces(name)`` runs the defect's minimal example on the installed SymPy:
True while the defect is there, so a fixed SymPy shows which work-around
could go.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Function, Lambda, MatrixSymbol, Symbol, Trace
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

__all__ = ["SYMPY_DEFECTS", "reproduces"]

#: SymPy 1.14 matrix-calculus defects met while deriving (each worked around and caught by the entrywise check).
SYMPY_DEFECTS = {
    "trace-sum": "(Trace(W.T*W) + Trace(W)).diff(W) returns 0 for W = MatrixSymbol('W', n, n) (also for 3×3); each "
    "term alone is right (2*W and I). Hence s = λ/2 (tr W1ᵀW1 + tr W2ᵀW2) has .diff(W1) == 0. Workaround: "
    "derivations.gradient's own reverse-mode rules (calculus.derive) never call the matrix .diff.",
    "trace-elementwise": "Trace(g.T*ElementwiseApplyFunction(phi, z)).diff(z) (g, z: n×1) returns an ArrayContraction of "
    "shape (n,), not n×1, which convert_array_to_matrix rejects (AssertionError); (g.T*EAF(phi, z)).diff(z) returns an "
    "ArrayDiagonal of shape (n,). With a matrix in between, (g.T*W2*EAF(phi, z)).diff(z) = DiagMatrix(W2.T*g)*phi'(z), "
    "correct. Same for .diff(b1) through phi(W1*x + b1) in a trace. Workaround: calculus.derive's rule "
    "for an entrywise application, G ⊙ φ'(A).",
    "lambdify-elementwise": "lambdify prints ElementwiseApplyFunction as 'Lambda(_d, ...).(M)', a SyntaxError; worked around "
    "by evaluating each elementwise application separately (calculus.lambdify.lambdify_matrix).",
}

_n = Symbol("n", integer=True, positive=True)


def _trace_sum() -> bool:
    W = MatrixSymbol("W", _n, _n)
    result = (Trace(W.T * W) + Trace(W)).diff(W)
    return result == 0 or isinstance(result, sp.ZeroMatrix)


def _trace_elementwise() -> bool:
    g, z = MatrixSymbol("g", _n, 1), MatrixSymbol("z", _n, 1)
    result = (g.T * ElementwiseApplyFunction(Function("phi"), z)).diff(z)
    return getattr(result, "shape", None) != z.shape


def _lambdify_elementwise() -> bool:
    u, z = Symbol("u"), MatrixSymbol("z", 3, 1)
    try:
        sp.lambdify([z], ElementwiseApplyFunction(Lambda(u, sp.exp(u)), z), "numpy")
    except SyntaxError:
        return True
    return False


_REPRODUCERS: dict[str, Callable[[], bool]] = {
    "trace-sum": _trace_sum,
    "trace-elementwise": _trace_elementwise,
    "lambdify-elementwise": _lambdify_elementwise,
}


def reproduces(name: str) -> bool:
    """True iff the defect ``name`` (a key of :data:`SYMPY_DEFECTS`) shows on the installed SymPy."""
    if name not in _REPRODUCERS:
        raise KeyError(f"no SymPy defect {name!r}; known: {', '.join(sorted(_REPRODUCERS))}")
    return _REPRODUCERS[name]()
