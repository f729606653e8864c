"""The float64 stage: values with a first-order rounding-error bound (:func:`_evaluate`), the
tolerance test of one step at one point (:func:`_compare`) and an independent float64 re-check
through ``sympy.lambdify`` (:func:`_independent_differs`)."""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import sympy as sp
from sympy.matrices.exceptions import ShapeError
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement

from . import derivatives
from ..lambdified import lambdified
from .shapes import _free, _int_size

#: Unit roundoff of float64/complex128.
EPS = np.finfo(np.float64).eps / 2
#: Safety factor on the first-order rounding bound: complex multiplication
#: rounds to within sqrt(5)·u (Brent et al. 2007) and libm functions to a few
#: ulps, both below this factor.
TOL_FACTOR = 16

#: Relative tolerance where no running error bound is available (nodes such as Inverse that
#: _evaluate does not model): rounding error grows with the condition number, and 1e-8 allows
#: condition numbers up to ~1e7 at unit roundoff 1.1e-16, while a false step is off by O(1).
FALLBACK_RTOL = 1e-8

#: Functions that are not analytic: with one of them, points are real.
_NON_ANALYTIC = (
    sp.Abs,
    sp.Max,
    sp.Min,
    sp.Heaviside,
    sp.sign,
    sp.re,
    sp.im,
    sp.conjugate,
    sp.floor,
    sp.ceiling,
    sp.Piecewise,
    sp.arg,
)


class _Unsupported(Exception):
    pass


#: lambdify's modules: SciPy first, so ``erf`` (in ``gelu``) is ``scipy.special.erf``, which takes the
#: complex points of an analytic step; with "numpy" alone it is ``math.erf``, a TypeError at complex input.
_NUMERIC = ["scipy", "numpy"]


@cache
def _function_and_partials(func, nargs: int):
    """Lambdified ``func(a1..an)`` and its partial derivatives (numpy)."""
    real = func in _NON_ANALYTIC or (isinstance(func, type) and issubclass(func, _NON_ANALYTIC))
    dummies = sp.symbols(f"a0:{nargs}", real=real)  # real: d|a|/da = sign(a), not a complex-variable form
    node = func(*dummies)
    f = sp.lambdify(dummies, node, _NUMERIC)
    partials = [sp.lambdify(dummies, sp.diff(node, a), _NUMERIC) for a in dummies]
    return f, partials


def _evaluate(expr: sp.Basic, env: dict) -> tuple[Any, Any]:
    """Value of ``expr`` at ``env`` and a first-order bound ``B`` on its rounding error, ``|err| <~ u·B``.

    Running error analysis (Higham, ch. 3): a sum of k terms adds
    ``(k-1)·Σ|v_i|``; a product adds ``Σ_i err_i·Π_{j≠i}|v_j| + |v|``; a matrix
    product ``A B`` adds ``errA|B| + |A|errB + inner·|A||B|``; a function
    ``f(a)`` adds ``Σ|∂f/∂a_i|·err_i + |f|``.  Inputs are exact (err 0).
    """
    if isinstance(expr, (sp.MatrixSymbol, sp.Symbol)):
        v = env[expr.name]
        return v, np.zeros_like(np.abs(v), dtype=float)
    if isinstance(expr, sp.Number) or expr in (sp.pi, sp.E):
        v = complex(expr) if not expr.is_real else float(expr)
        return v, abs(v)
    if isinstance(expr, sp.Identity):
        size = _int_size(expr.shape[0], env)
        return np.eye(size), np.zeros((size, size))
    if isinstance(expr, (sp.ZeroMatrix, sp.OneMatrix)):
        shape = tuple(_int_size(s, env) for s in expr.shape)
        return (np.zeros if isinstance(expr, sp.ZeroMatrix) else np.ones)(shape), np.zeros(shape)
    if isinstance(expr, (sp.MatAdd, sp.Add)):
        parts = [_evaluate(a, env) for a in expr.args]
        value = sum(p[0] for p in parts)
        bound = sum(p[1] for p in parts) + (len(parts) - 1) * sum(np.abs(p[0]) for p in parts)
        return value, bound
    if isinstance(expr, (sp.MatMul, sp.Mul, sp.HadamardProduct)):
        value, bound = _evaluate(expr.args[0], env)
        for a in expr.args[1:]:
            v, b = _evaluate(a, env)
            if np.ndim(value) == 2 and np.ndim(v) == 2 and not isinstance(expr, sp.HadamardProduct):
                value, bound = (
                    value @ v,
                    bound @ np.abs(v) + np.abs(value) @ b + value.shape[1] * (np.abs(value) @ np.abs(v)),
                )
            else:
                value, bound = value * v, bound * np.abs(v) + np.abs(value) * b + np.abs(value * v)
        return value, bound
    if isinstance(expr, sp.Transpose):
        v, b = _evaluate(expr.arg, env)
        return np.transpose(v), np.transpose(b)
    if isinstance(expr, sp.MatPow) and expr.exp.is_Integer and expr.exp > 0:
        return _evaluate(sp.MatMul(*([expr.base] * int(expr.exp)), evaluate=False), env)
    if isinstance(expr, sp.Trace):
        v, b = _evaluate(expr.arg, env)
        d = np.diag(v)
        return d.sum(), np.diag(b).sum() + (len(d) - 1) * np.abs(d).sum()
    special = _evaluate_unbounded(expr, env)
    if special is not None:
        return special
    if isinstance(expr, sp.Expr) and not isinstance(expr, sp.MatrixExpr) and expr.args:
        parts = [_evaluate(a, env) for a in expr.args]
        if any(np.ndim(p[0]) for p in parts):
            raise _Unsupported(type(expr).__name__)
        try:
            f, partials = _function_and_partials(expr.func, len(parts))
        except Exception as exc:  # noqa: BLE001 - an exotic node: the caller falls back
            raise _Unsupported(type(expr).__name__) from exc
        args = [p[0] for p in parts]
        with np.errstate(all="ignore"):  # non-finite results are detected and the point redrawn
            value = f(*args)
            bound = abs(value) + sum(np.abs(df(*args)) * p[1] for df, p in zip(partials, parts))
        return value, bound
    raise _Unsupported(type(expr).__name__)


#: Key set in the environment by a node evaluated without a rounding bound (det, inverse, Kronecker
#: products, entrywise functions): the comparison then uses FALLBACK_RTOL.
UNBOUNDED = "\0unbounded"


@cache
def _entrywise(function: sp.Lambda):
    return np.vectorize(sp.lambdify(function.variables, function.expr, _NUMERIC), otypes=[complex])


def _evaluate_unbounded(expr: sp.Basic, env: dict):
    """(value, zero bound) of the matrix nodes the running error bound does not model, else None;
    marks ``env`` (:data:`UNBOUNDED`) so that the fallback tolerance is used."""
    kinds = (sp.Determinant, sp.Inverse, sp.KroneckerProduct, MatrixElement, ElementwiseApplyFunction)
    if isinstance(expr, sp.Derivative) and derivatives.shape(expr) is not None:
        env[UNBOUNDED] = True  # entry by entry from SymPy's scalar diff at the point's sizes
        grad, inner = derivatives.entry_env(expr, env)
        value = np.array([[_evaluate(grad[i, j], inner)[0] for j in range(grad.cols)] for i in range(grad.rows)])
        return value, np.zeros(np.shape(value))
    if not isinstance(expr, kinds):
        return None
    env[UNBOUNDED] = True
    if isinstance(expr, MatrixElement):
        v = _evaluate(expr.parent, env)[0]
        value = v[_int_size(expr.i, env), _int_size(expr.j, env)]
    else:
        args = [
            _evaluate(a, env)[0] for a in (expr.args[1:] if isinstance(expr, ElementwiseApplyFunction) else expr.args)
        ]
        if isinstance(expr, sp.Determinant):
            value = np.linalg.det(args[0])
        elif isinstance(expr, sp.Inverse):
            value = np.linalg.inv(args[0])
        elif isinstance(expr, sp.KroneckerProduct):
            value = args[0]
            for a in args[1:]:
                value = np.kron(value, a)
        else:
            value = _entrywise(expr.function)(args[0])
            if not np.iscomplexobj(args[0]) and np.all(np.imag(value) == 0):
                value = np.real(value)
    return value, np.zeros(np.shape(value))


#: lambdify's NumPyPrinter has no printer for Trace: map it to numpy.trace by name.
_LAMBDIFY_MODULES = [{"Trace": np.trace}, *_NUMERIC]


def _lambdified(expr: sp.Basic, names: list[sp.Basic], sizes: dict) -> Any:
    """The independent evaluation path: substitute sizes, lambdify over ``names`` (numpy)."""
    concrete = expr.subs(sizes) if sizes else expr
    symbols = [n.subs(sizes) if sizes else n for n in names]
    return lambdified(symbols, concrete, _LAMBDIFY_MODULES)  # built once per expression and sizes


def _as_scalar(v):
    a = np.asarray(v)
    return a.reshape(()) if a.shape == (1, 1) else a


def _complexified(point: dict) -> dict:
    """``point`` with float values as complex128: real points of an analytic step are evaluated
    as SymPy means it (``log(-2) = log 2 + iπ``, ``sqrt(-1) = i``), not as NumPy's NaN."""
    return {
        k: (
            v.astype(complex)
            if isinstance(v, np.ndarray) and v.dtype.kind == "f"
            else complex(v)
            if isinstance(v, float)
            else v
        )
        for k, v in point.items()
    }


def _compare(lhs, rhs, point, dims):
    """(max |lhs - rhs| - tol, max |diff|, worst entry index, lhs, rhs values) at ``point``."""
    analytic = not any(lhs.has(f) or rhs.has(f) for f in _NON_ANALYTIC)
    env = _complexified(point) if analytic else dict(point)
    try:
        with np.errstate(all="ignore"):  # overflow to inf / NaN: non-finite values are detected by the caller
            lv, lb = _evaluate(lhs, env)
            rv, rb = _evaluate(rhs, env)
        bounded = not env.get(UNBOUNDED)
    except _Unsupported:  # e.g. an inverse: evaluate through lambdify, with the fallback tolerance
        mats, scalars, _ = _free(sp.Tuple(lhs, rhs))
        sizes = {d: sp.Integer(point[d.name]) for d in dims}
        args = [env[n.name] for n in mats + scalars]
        with np.errstate(all="ignore"):  # non-finite values are detected by the caller
            lv = _lambdified(lhs, mats + scalars, sizes)(*args)
            rv = _lambdified(rhs, mats + scalars, sizes)(*args)
        lb = rb = np.zeros(np.shape(lv))
        bounded = False
    lv, rv, lb, rb = (_as_scalar(a) for a in (lv, rv, lb, rb))
    if lv.shape != rv.shape:
        raise ShapeError(f"sides evaluate to shapes {lv.shape} and {rv.shape}")
    with np.errstate(all="ignore"):  # inf - inf where a side overflowed: the caller skips such points
        diff = np.abs(lv - rv)
        if bounded:
            tol = TOL_FACTOR * EPS * (lb + rb)  # both sides' first-order rounding bounds
        else:
            tol = FALLBACK_RTOL * np.maximum(np.maximum(np.abs(lv), np.abs(rv)), 1.0)
        # a NaN bound (a partial derivative such as d(-1)**n/dn = (-1)**n·log(-1.0) in real float64)
        # would make every difference pass (NaN > 0 is False): there, the fallback tolerance
        fallback = FALLBACK_RTOL * np.maximum(np.maximum(np.abs(lv), np.abs(rv)), 1.0)
        tol = np.where(np.isfinite(tol), tol, fallback)
        excess = diff - tol
    idx = np.unravel_index(int(np.argmax(excess)), np.shape(excess)) if np.ndim(excess) else ()
    return excess[idx], diff, tol, idx, lv, rv, bounded


def _independent_differs(lhs, rhs, point, dims, tol=None) -> tuple[bool | None, str]:
    """Re-evaluate at ``point`` in float64 through ``sympy.lambdify`` (not :func:`_evaluate`): do the
    sides differ by more than ``tol`` (default: a loose 1e-8 relative)?  ``None`` if lambdify
    cannot evaluate them; never raises.  (:func:`_exact_differs` is the exact path.)"""
    mats, scalars, _ = _free(sp.Tuple(lhs, rhs))
    names = mats + scalars
    sizes = {d: sp.Integer(point[d.name]) for d in dims}
    analytic = not any(lhs.has(f) or rhs.has(f) for f in _NON_ANALYTIC)
    env = _complexified(point) if analytic else point
    args = [env[n.name] for n in names]
    try:
        with np.errstate(all="ignore"):
            lv = _as_scalar(_lambdified(lhs, names, sizes)(*args))
            rv = _as_scalar(_lambdified(rhs, names, sizes)(*args))
    except (ValueError, ShapeError) as exc:
        return True, f"evaluation fails: {' '.join(str(exc).split())[:80]}"
    except Exception as exc:  # noqa: BLE001 - e.g. a node lambdify's printer does not know
        return None, f"lambdify cannot evaluate it ({type(exc).__name__})"
    if np.shape(lv) != np.shape(rv):
        return True, f"sides evaluate to shapes {np.shape(lv)} and {np.shape(rv)}"
    gap = np.abs(lv - rv)
    if tol is None:  # a loose 1e-8 relative (far above rounding, far below a real error)
        tol = 1e-8 * np.maximum(np.maximum(np.abs(lv), np.abs(rv)), 1.0)
    return bool(np.any(gap > tol)), f"max |lhs - rhs| = {float(np.max(gap)):.3g} (float64, lambdify)"
