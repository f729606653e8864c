"""Evaluate a matrix expression on explicit values: exactly (SymPy ``Matrix``) or in NumPy (real or complex).

One walk of the expression tree, node by node (``A B`` a matrix product, ``tr``, ``det``, ``A⁻¹``,
``⊙``, entrywise functions applied to each entry, scalar functions of scalars).  This replaces
``MatrixExpr.as_explicit()``, which builds and expands a symbolic ``Sum`` for every entry (22% of
the chapter's verify time before it went), and SymPy's ``lambdify``, which cannot print entrywise
applications (defect ``lambdify-elementwise``).  ``values`` maps matrix and scalar NAMES to values,
``sizes`` maps dimension symbols to ints; undefined functions (``phi``, ``D0phi``) are left symbolic
by the exact walk and looked up by name in ``funcs`` by the NumPy walk.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import reduce

import numpy as np
import sympy as sp
from sympy import Lambda
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement

__all__ = ["evaluate_exact", "evaluate_numpy"]


def _size(n, sizes) -> int:
    return int(sp.sympify(n).xreplace(dict(sizes)))


def evaluate_exact(expr: sp.Basic, values: Mapping[str, sp.Basic], sizes: Mapping[sp.Symbol, int]) -> sp.Basic:
    """``expr`` with every matrix symbol replaced by its explicit ``Matrix`` (by name): a Matrix or a scalar."""

    def ev(e):
        if isinstance(e, (sp.MatrixSymbol, sp.Symbol)) and e.name in values:
            return values[e.name]
        if isinstance(e, sp.Symbol):
            return sizes.get(e, e)
        if isinstance(e, sp.Identity):
            return sp.eye(_size(e.shape[0], sizes))
        if isinstance(e, sp.ZeroMatrix):
            return sp.zeros(_size(e.shape[0], sizes), _size(e.shape[1], sizes))
        if isinstance(e, sp.OneMatrix):
            return sp.ones(_size(e.shape[0], sizes), _size(e.shape[1], sizes))
        if isinstance(e, (sp.MatAdd, sp.Add)):
            return reduce(lambda a, b: a + b, [ev(a) for a in e.args])
        if isinstance(e, (sp.MatMul, sp.Mul)):
            return reduce(lambda a, b: a * b, [ev(a) for a in e.args])
        if isinstance(e, sp.Transpose):
            return ev(e.arg).T
        if isinstance(e, sp.Inverse):
            return ev(e.arg).inv()
        if isinstance(e, sp.MatPow):
            A, k = ev(e.args[0]), int(e.args[1])
            return A**k
        if isinstance(e, sp.Trace):
            M = ev(e.arg)
            return M.trace() if isinstance(M, sp.MatrixBase) else M
        if isinstance(e, sp.Determinant):
            return ev(e.arg).det()
        if isinstance(e, sp.HadamardProduct):
            return reduce(lambda a, b: a.multiply_elementwise(b), [ev(a) for a in e.args])
        if isinstance(e, sp.HadamardPower):
            return ev(e.args[0]).applyfunc(lambda t: t ** e.args[1])
        if isinstance(e, ElementwiseApplyFunction):
            fn = e.function
            return ev(e.expr).applyfunc(lambda t: fn(t))
        if isinstance(e, MatrixElement):
            return ev(e.parent)[int(ev(e.i)), int(ev(e.j))]
        if isinstance(e, sp.MatrixBase):
            return e
        if not e.args:
            return e
        args = [ev(a) for a in e.args]
        if any(isinstance(a, sp.MatrixBase) for a in args):  # a 1×1 matrix in a scalar function
            args = [a[0, 0] if isinstance(a, sp.MatrixBase) else a for a in args]
        return e.func(*args)

    return ev(expr)


def _numpy_function(func) -> Callable:
    """A NumPy version of a SymPy scalar function class, entrywise on arrays (complex where analytic)."""
    from scipy import special

    table = {
        sp.exp: np.exp,
        sp.log: np.log,
        sp.sqrt: np.sqrt,
        sp.sin: np.sin,
        sp.cos: np.cos,
        sp.tan: np.tan,
        sp.tanh: np.tanh,
        sp.sinh: np.sinh,
        sp.cosh: np.cosh,
        sp.erf: special.erf,
        sp.Abs: np.abs,
        sp.sign: np.sign,
        sp.Max: lambda *a: reduce(np.maximum, a),
        sp.Min: lambda *a: reduce(np.minimum, a),
        sp.Heaviside: lambda x, h0=0.5: np.heaviside(np.real(x), h0),
    }
    if func in table:
        return table[func]
    dummy = sp.Dummy("t")
    return sp.lambdify(dummy, func(dummy), ["scipy", "numpy"])


def evaluate_numpy(
    expr: sp.Basic,
    values: Mapping[str, object],
    sizes: Mapping[sp.Symbol, int],
    funcs: Mapping[str, Callable] | None = None,
) -> object:
    """``expr`` on NumPy arrays (matrices by name as 2-D arrays, scalars as numbers): an array or a number.

    An undefined function is looked up by name in ``funcs`` (``KeyError`` naming it otherwise).
    """
    funcs = dict(funcs or {})

    def ev(e, bound):
        if e in bound:
            return bound[e]
        if isinstance(e, (sp.MatrixSymbol, sp.Symbol)) and e.name in values:
            return values[e.name]
        if isinstance(e, sp.Symbol):
            if e in sizes:
                return sizes[e]
            raise KeyError(f"no value for {e.name!r}; expected it among the keyword arguments")
        if isinstance(e, (sp.Identity, sp.ZeroMatrix, sp.OneMatrix)):
            r, c = (_size(s, sizes) for s in e.shape)
            return np.eye(r) if isinstance(e, sp.Identity) else np.full((r, c), float(isinstance(e, sp.OneMatrix)))
        if e.is_Number or e in (sp.pi, sp.E):
            return complex(e) if not e.is_real else float(e)
        if isinstance(e, (sp.MatAdd, sp.Add)):
            return reduce(lambda a, b: a + b, [ev(a, bound) for a in e.args])
        if isinstance(e, sp.MatMul):
            out = 1.0
            for a in e.args:
                v = ev(a, bound)
                out = out @ v if (np.ndim(out) == 2 and np.ndim(v) == 2) else out * v
            return out
        if isinstance(e, sp.Mul):
            return reduce(lambda a, b: a * b, [ev(a, bound) for a in e.args])
        if isinstance(e, sp.Pow):
            return ev(e.args[0], bound) ** ev(e.args[1], bound)
        if isinstance(e, sp.Transpose):
            return ev(e.arg, bound).T
        if isinstance(e, sp.Inverse):
            return np.linalg.inv(ev(e.arg, bound))
        if isinstance(e, sp.MatPow):
            return np.linalg.matrix_power(ev(e.args[0], bound), int(e.args[1]))
        if isinstance(e, sp.Trace):
            return np.trace(np.atleast_2d(ev(e.arg, bound)))
        if isinstance(e, sp.Determinant):
            return np.linalg.det(ev(e.arg, bound))
        if isinstance(e, sp.HadamardProduct):
            return reduce(lambda a, b: a * b, [ev(a, bound) for a in e.args])
        if isinstance(e, sp.HadamardPower):
            return ev(e.args[0], bound) ** ev(e.args[1], bound)
        if isinstance(e, ElementwiseApplyFunction):
            fn = e.function if isinstance(e.function, Lambda) else Lambda(sp.Dummy("u"), e.function(sp.Dummy("u")))
            return ev(fn.expr, {**bound, fn.variables[0]: ev(e.expr, bound)})
        if isinstance(e, MatrixElement):
            return ev(e.parent, bound)[int(ev(e.i, bound)), int(ev(e.j, bound))]
        if isinstance(e, AppliedUndef):
            name = type(e).__name__
            if name not in funcs:
                raise KeyError(f"no NumPy function for the undefined function {name!r}; pass funcs={{{name!r}: ...}}")
            return funcs[name](*[ev(a, bound) for a in e.args])
        if isinstance(e, (sp.Function, sp.Max, sp.Min)):
            return _numpy_function(e.func)(*[ev(a, bound) for a in e.args])
        if isinstance(e, sp.Piecewise):
            conds = [(ev(c, bound), ev(v, bound)) for v, c in e.args]
            return np.select([np.asarray(c, bool) for c, _ in conds], [v for _, v in conds])
        if isinstance(e, sp.core.relational.Relational):
            a, b = (np.real(ev(x, bound)) for x in e.args)
            return {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}[e.rel_op](a, b)
        if e is sp.true or e is sp.false:
            return bool(e)
        raise ValueError(f"cannot evaluate {type(e).__name__} {sp.sstr(e)} in NumPy")

    with np.errstate(all="ignore"):  # a log of a negative number is a rejected point, not a warning
        return ev(expr, {})
