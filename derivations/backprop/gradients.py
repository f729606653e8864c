"""Eqs. 5.3.8–5.3.14: every gradient of J derived by SymPy's matrix calculus, and the book's closed forms.

Both are cached (``import derivations`` stays cheap: nothing is derived
until first use).  The loss is generic, represented by its first-order term
``gᵀ o`` (:func:`~.graph.loss_term`), so ``∂J/∂o = g``.
"""

from __future__ import annotations

import functools

import sympy as sp
from sympy import Symbol
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from ..calculus.engine import matrix_gradient
from .graph import (
    W1,
    W2,
    L_node,
    dphi,
    g,
    h,
    h_var,
    lam,
    loss_term,
    o,
    o_var,
    phi,
    s,
    s_node,
    x,
    z,
    z_var,
)

__all__ = ["GRADIENT_NAMES", "WRT", "closed_forms", "derived", "for_display"]

#: The gradients of 5.3, each named after its equation's left-hand side.
GRADIENT_NAMES = ("dJ_dL", "dJ_ds", "dJ_do", "ds_dW1", "ds_dW2", "dJ_dW2", "dJ_dh", "dJ_dz", "dJ_dW1")

#: The variable each matrix gradient is taken with respect to.
WRT = {"dJ_do": o_var, "ds_dW1": W1, "ds_dW2": W2, "dJ_dW2": W2, "dJ_dh": h_var, "dJ_dz": z_var, "dJ_dW1": W1}


@functools.cache
def derived() -> dict[str, sp.Basic]:
    """Eqs. 5.3.8–5.3.14: every gradient of J in 5.3, by SymPy's matrix calculus (term by term; see SYMPY_DEFECTS)."""
    J = [loss_term(o), s]
    return {
        "dJ_dL": sp.diff(L_node + s_node, L_node),  # J = L + s
        "dJ_ds": sp.diff(L_node + s_node, s_node),
        "dJ_do": matrix_gradient([loss_term(o_var), s], o_var),
        "ds_dW1": matrix_gradient([s], W1),
        "ds_dW2": matrix_gradient([s], W2),
        "dJ_dW2": matrix_gradient(J, W2),
        "dJ_dh": matrix_gradient([loss_term(W2 * h_var), s], h_var),
        # Defect 'trace-elementwise': use the 1×1 matrix gᵀ W2 φ(z) rather than its trace.
        "dJ_dz": matrix_gradient([g.T * W2 * ElementwiseApplyFunction(phi, z_var)], z_var),
        "dJ_dW1": matrix_gradient(J, W1),
    }


@functools.cache
def closed_forms() -> dict[str, sp.Basic]:
    """The book's Eqs. 5.3.8–5.3.14, written with the same symbols (∂J/∂o = g)."""
    dz = sp.HadamardProduct(W2.T * g, dphi(z))  # 5.3.13 at z = W1 x
    return {
        "dJ_dL": sp.Integer(1),
        "dJ_ds": sp.Integer(1),
        "dJ_do": g,
        "ds_dW1": lam * W1,
        "ds_dW2": lam * W2,
        "dJ_dW2": g * h.T + lam * W2,
        "dJ_dh": W2.T * g,
        "dJ_dz": sp.HadamardProduct(W2.T * g, dphi(z_var)),
        "dJ_dW1": dz * x.T + lam * W1,
    }


def for_display(expr):
    """``expr`` with each ``Lambda``'s variable named t: SymPy's dummy for φ' is ``_d``, which LaTeX prints
    as d (``d ↦ d/dd φ(d)``), the same letter as the input dimension d."""
    if not isinstance(expr, sp.Basic):
        return expr
    t = Symbol("t")
    return expr.xreplace(
        {
            fn: sp.Lambda(t, fn.expr.xreplace({fn.variables[0]: t}))
            for fn in expr.atoms(sp.Lambda)
            if len(fn.variables) == 1
        }
    )
