"""Eqs. 5.3.8–5.3.14: every gradient of J derived by the public tool :func:`derivations.gradient`, and the book's
closed forms.

Both are cached (``import derivations`` stays cheap: nothing is derived
until first use).  The loss is generic, represented by its first-order term
``gᵀ o`` (:func:`~.graph.loss_term`), so ``∂J/∂o = g``.
"""

from __future__ import annotations

import functools

import sympy as sp
from sympy import Symbol
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from ..calculus.gradient import gradient
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

__all__ = ["GRADIENT_NAMES", "WRT", "closed_forms", "derive", "derived", "for_display"]

#: The gradients of 5.3, each named after its equation's left-hand side.
GRADIENT_NAMES = ("dJ_dL", "dJ_ds", "dJ_do", "ds_dW1", "ds_dW2", "dJ_dW2", "dJ_dh", "dJ_dz", "dJ_dW1")

#: The variable each matrix gradient is taken with respect to.
WRT = {"dJ_do": o_var, "ds_dW1": W1, "ds_dW2": W2, "dJ_dW2": W2, "dJ_dh": h_var, "dJ_dz": z_var, "dJ_dW1": W1}


def derive(f: sp.Basic, wrt: sp.Basic) -> sp.Basic:
    """∂f/∂wrt by the public tool :func:`derivations.gradient` (its reverse-mode rules, not SymPy's matrix
    ``.diff``, whose defects 'trace-sum' and 'trace-elementwise' it avoids; see SYMPY_DEFECTS)."""
    return gradient(f, wrt).expr


@functools.cache
def derived() -> dict[str, sp.Basic]:
    """Eqs. 5.3.8–5.3.14: every gradient of J in 5.3, by :func:`derivations.gradient` at symbolic sizes."""
    J = loss_term(o) + s
    return {
        "dJ_dL": sp.diff(L_node + s_node, L_node),  # J = L + s: scalar nodes
        "dJ_ds": sp.diff(L_node + s_node, s_node),
        "dJ_do": derive(loss_term(o_var) + s, o_var),
        "ds_dW1": derive(s, W1),
        "ds_dW2": derive(s, W2),
        "dJ_dW2": derive(J, W2),
        "dJ_dh": derive(loss_term(W2 * h_var) + s, h_var),
        "dJ_dz": derive(loss_term(W2 * ElementwiseApplyFunction(phi, z_var)) + s, z_var),
        "dJ_dW1": derive(J, W1),
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
    """``expr`` as a notebook shows it: each ``Lambda``'s variable named t (SymPy's dummy ``_d`` prints as d,
    ``d ↦ d/dd φ(d)``, the input dimension's letter), and the tool's named derivative ``D0phi`` written
    back as SymPy's ``t ↦ d/dt φ(t)``."""
    if not isinstance(expr, sp.Basic):
        return expr
    t = Symbol("t")

    def body(fn: sp.Lambda) -> sp.Basic:
        e = fn.expr.xreplace({fn.variables[0]: t})
        name = getattr(e, "func", None).__name__ if isinstance(e, sp.core.function.AppliedUndef) else ""
        if e.args == (t,) and name.startswith("D0") and len(name) > 2:
            return sp.Derivative(sp.Function(name[2:])(t), t)
        return e

    return expr.xreplace({fn: sp.Lambda(t, body(fn)) for fn in expr.atoms(sp.Lambda) if len(fn.variables) == 1})
