"""Unevaluated derivatives ``Derivative(f, X)`` of a scalar ``f`` with respect to a matrix ``X``
(issue 13): SymPy's closed form where it is trusted (:func:`_derivatives_done`), otherwise evaluated
numerically at the point's sizes, entry by entry, from SymPy's SCALAR ``diff`` of the explicit
entries (:func:`explicit`), independently of SymPy's matrix-derivative code."""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.matexpr import _matrix_derivative


#: Nodes over which SymPy's matrix derivative (``_matrix_derivative``) is used.
_MATRIX_LINES = (sp.MatrixSymbol, sp.MatMul, sp.MatAdd, sp.Transpose, sp.Trace, sp.Number, sp.Mul, sp.Add,
                 sp.Identity, sp.ZeroMatrix, sp.Symbol, sp.Tuple, sp.core.symbol.Str)


def _derivatives_done(expr):
    """``expr`` with each unevaluated ``Derivative`` (e.g. d Trace(A X)/dX) replaced by SymPy's closed
    form where ``doit`` finds one; every stage, the exact re-check included, then sees that form."""
    if not isinstance(expr, sp.Basic) or not expr.has(sp.Derivative):
        return expr
    swap = {}
    for node in expr.atoms(sp.Derivative):
        try:
            done = node.doit()
        except Exception:  # noqa: BLE001 - e.g. Trace's _eval_derivative raises NotImplementedError
            done = node
        inner, wrt = node.expr, [v for v, _ in node.variable_count]
        if (done.has(sp.Derivative) and len(wrt) == 1 and isinstance(wrt[0], sp.MatrixSymbol)
                and all(isinstance(a, _MATRIX_LINES) for a in sp.preorder_traversal(inner))):
            # SymPy's matrix-lines derivative, only over products, sums, transposes and traces (it
            # returns 0 for d det(X)/dX, so nothing else is trusted to it)
            try:
                done = _matrix_derivative(inner, wrt[0])
            except Exception:  # noqa: BLE001 - left unevaluated: the numeric stage reports it
                continue
        if not done.has(sp.Derivative):
            swap[node] = done
    return expr.xreplace(swap) if swap else expr
