"""NumPy functions of matrix expressions that contain elementwise applications (defect 'lambdify-elementwise')."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import sympy as sp
from sympy import Lambda, MatrixSymbol
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from .normalize import normalize

__all__ = ["function_name", "lambdify_matrix"]


def function_name(f) -> str:
    """The name of an elementwise function: ``phi`` for ``phi`` or ``Lambda(u, phi(u))``."""
    return f.expr.func.__name__ if isinstance(f, Lambda) else f.__name__


def lambdify_matrix(expr: sp.Basic, args: Sequence[sp.Basic], funcs: Mapping[str, Callable]) -> Callable:
    """lambdify a matrix expression whose elementwise applications (unprintable, SYMPY_DEFECTS) are evaluated aside.

    ``funcs`` maps each elementwise function's name (after
    :func:`~.normalize.normalize`: ``phi``, ``D0phi`` for φ') to a NumPy
    function; the result takes the values of ``args`` positionally and returns
    a float array.  A name missing from ``funcs`` raises ``KeyError``.
    """
    expr = normalize(expr)
    applications = sorted(expr.atoms(ElementwiseApplyFunction), key=sp.default_sort_key)
    holders = [MatrixSymbol(f"E{k}", *a.shape) for k, a in enumerate(applications)]
    outer = sp.lambdify(list(args) + holders, expr.xreplace(dict(zip(applications, holders))), "numpy")
    inner = [(funcs[function_name(a.function)], lambdify_matrix(a.expr, args, funcs)) for a in applications]

    def evaluate(*values):
        extra = [f(np.asarray(arg(*values), dtype=float)) for f, arg in inner]
        return np.asarray(outer(*values, *extra), dtype=float)

    return evaluate
