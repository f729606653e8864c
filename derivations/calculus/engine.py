"""The gradient of a sum of scalar terms with respect to a matrix symbol, by SymPy's matrix ``.diff``."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp
from sympy import MatrixSymbol

__all__ = ["matrix_gradient"]


def matrix_gradient(terms: Sequence[sp.Basic], wrt: MatrixSymbol) -> sp.MatrixExpr:
    """Σ_k ∂terms[k]/∂wrt by SymPy's matrix .diff, term by term (defect 'trace-sum'); the result must be wrt-shaped.

    A scalar term is expanded and each summand differentiated alone; a matrix
    term (a 1×1 product, see defect 'trace-elementwise') is differentiated
    whole.  A derivative that comes back with another type or shape raises
    ``ValueError`` naming the summand, rather than being summed.
    """
    parts = []
    for term in terms:
        pieces = sp.Add.make_args(sp.expand(term)) if not isinstance(term, sp.MatrixExpr) else (term,)
        for piece in pieces:
            r = piece.diff(wrt)
            if r == 0 or isinstance(r, sp.ZeroMatrix):
                continue
            if not isinstance(r, sp.MatrixExpr) or r.shape != wrt.shape:
                raise ValueError(
                    f"SymPy's d({piece})/d{wrt} came back as {type(r).__name__} of shape "
                    f"{getattr(r, 'shape', None)}; expected a matrix of shape {wrt.shape}"
                )
            parts.append(r)
    if not parts:
        return sp.ZeroMatrix(*wrt.shape)
    return sp.MatAdd(*parts).doit() if len(parts) > 1 else parts[0]
