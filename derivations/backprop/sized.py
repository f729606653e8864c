"""5.3 at explicit sizes: fully symbolic matrices at d=3, h=4, q=5 and each gradient of J entry by entry.

The entrywise reference differentiates J, written out with symbolic entries,
a generic φ and a generic loss ``l(o_1, …, o_q)``, one entry at a time with
SymPy's scalar ``diff`` (no matrix calculus), so it confirms the derivation
of :mod:`.gradients` independently.
"""

from __future__ import annotations

import functools

import sympy as sp
from sympy import Function, Matrix, Symbol

from ..calculus.explicit import entrywise, substitute_explicit
from ..calculus.normalize import named_derivative
from .graph import W1, W2, b1, b2, d, g, h_dim, h_var, lam, o_var, phi, q, x, z_var

__all__ = ["SIZES", "entrywise_reference", "explicit_matrices", "explicit_of"]

#: The explicit sizes of the entrywise confirmation: distinct and >= 3, so a transposed or mis-shaped result shows.
SIZES = {"d": 3, "h": 4, "q": 5}


@functools.cache
def explicit_matrices() -> dict[str, object]:
    """Eqs. 5.3.1–5.3.5 with fully symbolic explicit matrices at SIZES, generic φ and generic loss l(o_1, …, o_q)."""
    D, H, Q = SIZES["d"], SIZES["h"], SIZES["q"]
    xe = Matrix(D, 1, lambda i, _: Symbol(f"x_{i + 1}"))
    W1e = Matrix(H, D, lambda i, j: Symbol(f"w1_{i + 1}{j + 1}"))
    W2e = Matrix(Q, H, lambda i, j: Symbol(f"w2_{i + 1}{j + 1}"))
    b1e = Matrix(H, 1, lambda i, _: Symbol(f"b1_{i + 1}"))
    b2e = Matrix(Q, 1, lambda i, _: Symbol(f"b2_{i + 1}"))
    ze = W1e * xe
    he_ = ze.applyfunc(phi)
    oe = W2e * he_
    l = Function("l")  # the generic loss of q arguments
    se = lam / 2 * (sum(w**2 for w in W1e) + sum(w**2 for w in W2e))
    ge = Matrix(Q, 1, lambda k, _: named_derivative(l, k)(*oe))  # ∂l/∂o_k at o
    return dict(x=xe, W1=W1e, W2=W2e, b1=b1e, b2=b2e, z=ze, h=he_, o=oe, l=l, s=se, g=ge)


def explicit_of(expr: sp.Basic, extra: dict | None = None) -> Matrix:
    """A symbolic-size result evaluated at SIZES: MatrixSymbols replaced by the explicit matrices (``extra``
    adds to or overrides the substitution)."""
    e = explicit_matrices()
    sub = {x: e["x"], W1: e["W1"], W2: e["W2"], g: e["g"], z_var: e["z"], h_var: e["h"], o_var: e["o"],
           b1: e["b1"], b2: e["b2"], d: SIZES["d"], h_dim: SIZES["h"], q: SIZES["q"]}  # fmt: skip
    sub.update(extra or {})
    return substitute_explicit(expr, sub)


@functools.cache
def entrywise_reference() -> dict[str, Matrix]:
    """Eqs. 5.3.9–5.3.14: each gradient of J differentiated entry by entry at SIZES, J a function of that quantity."""
    e = explicit_matrices()
    l, se, W1e, W2e, xe = e["l"], e["s"], e["W1"], e["W2"], e["x"]

    def s_of(A, B):
        return lam / 2 * (sum(w**2 for w in A) + sum(w**2 for w in B))

    return {
        "dJ_do": entrywise(lambda v: l(*v) + se, e["o"], "o"),
        "dJ_dh": entrywise(lambda v: l(*(W2e * v)) + se, e["h"], "h"),
        "dJ_dz": entrywise(lambda v: l(*(W2e * v.applyfunc(phi))) + se, e["z"], "z"),
        "dJ_dW2": entrywise(lambda v: l(*(v * (W1e * xe).applyfunc(phi))) + s_of(W1e, v), W2e, "W2"),
        "dJ_dW1": entrywise(lambda v: l(*(W2e * (v * xe).applyfunc(phi))) + s_of(v, W2e), W1e, "W1"),
        "ds_dW1": entrywise(lambda v: s_of(v, W2e), W1e, "sW1"),
        "ds_dW2": entrywise(lambda v: s_of(W1e, v), W2e, "sW2"),
    }
