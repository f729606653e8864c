"""The confirmation path: both sides re-evaluated exactly (dyadic or Gaussian rationals) or at
:data:`HP_BITS` bits with mpmath (:func:`_exact_differs`)."""

from __future__ import annotations

import math

from functools import cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from sympy.polys.domains import QQ, QQ_I, ZZ, ZZ_I
from sympy.polys.matrices import DomainMatrix
from sympy.matrices.exceptions import NonSquareMatrixError, ShapeError
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement

from . import derivatives
from .float_eval import _as_scalar, _Unsupported
from .dyadic import _Dyadic, _Inexact
from .shapes import _free, _int_size

#: Working precision (bits) of the high-precision path, used where a step leaves rational
#: arithmetic (exp, sqrt, pi, ...).  Its rounding unit 2**-320 ~ 5e-97 is ~1e81 times below
#: float64's, so it resolves every difference the float stage can see.
HP_BITS = 320
#: Agreement of the high-precision path with itself: the sides differ iff |lhs − rhs| is nonzero at
#: 2·HP_BITS bits and equals its value at HP_BITS bits to a relative HP_RTOL. A real difference D
#: does (both evaluations are accurate to 2**-320 times the intermediate values, far below any D the
#: float stage can flag, >= 16·u ~ 2e-15 times its rounding bound); rounding noise does not (it
#: shrinks by ~2**-320 from one precision to the next).
HP_RTOL = 2.0**-160


def _qq(z) -> Any:
    """A float or complex as an exact Gaussian rational (every binary float is a rational)."""
    z = complex(z)
    return QQ_I(QQ(*z.real.as_integer_ratio()), QQ(*z.imag.as_integer_ratio()))


def _rational_det(v: np.ndarray) -> Any:
    """det of a square array of Gaussian rationals (``QQ_I``), exactly and fast: scaled by the common
    denominator D to Gaussian integers, whose determinant fraction-free Bareiss elimination computes
    with no gcd per operation (``ZZ`` / ``ZZ_I`` DomainMatrix), then divided by D^n.  Over ``QQ_I``
    directly, the 64×64 Kronecker products of float points in ``det(kron(A, B))`` took 15 s a step."""
    n = v.shape[0]
    if n == 0:
        return QQ_I(1)
    D = math.lcm(*(int(QQ.denom(part)) for z in v.flat for part in (z.x, z.y)))
    complex_ = any(z.y for z in v.flat)
    rows = [[ZZ_I(int(z.x * D), int(z.y * D)) if complex_ else ZZ(int(z.x * D)) for z in row] for row in v.tolist()]
    det = DomainMatrix(rows, v.shape, ZZ_I if complex_ else ZZ).det()
    re_, im_ = (det.x, det.y) if complex_ else (det, 0)
    return QQ_I(QQ(int(re_), D**n), QQ(int(im_), D**n))


def _mp_det(v: np.ndarray) -> Any:
    """``mpmath.det``, or 0 at an exactly singular matrix, where mpmath's LU pivoting fails (a TypeError)."""
    try:
        return mpmath.det(mpmath.matrix(v.tolist()))
    except (TypeError, ZeroDivisionError):
        return mpmath.mpf(0)


def _mp(z) -> Any:
    z = complex(z)
    return mpmath.mpf(z.real) if z.imag == 0 else mpmath.mpc(z.real, z.imag)


def _hp_number(expr: sp.Basic, kind: str) -> Any:
    if kind != "mp":
        if isinstance(expr, (sp.Rational, sp.Float)) or expr is sp.I:
            re_, im_ = (sp.Rational(p) for p in expr.as_real_imag())  # a Float is an exact binary rational
            if kind == "rational":
                return QQ_I(QQ(int(re_.p), int(re_.q)), QQ(int(im_.p), int(im_.q)))
            if re_.q & (re_.q - 1) or im_.q & (im_.q - 1):
                raise _Inexact(f"the non-dyadic constant {expr}")
            return _Dyadic(int(re_.p), 0, 1 - int(re_.q).bit_length()) + _Dyadic(
                0, int(im_.p), 1 - int(im_.q).bit_length()
            )
        raise _Inexact(type(expr).__name__)
    re_, im_ = (mpmath.mpf(sp.Float(p, mpmath.mp.dps + 10)) for p in expr.as_real_imag())
    return re_ if im_ == 0 else mpmath.mpc(re_, im_)


@cache
def _mp_function(func, nargs: int):
    if isinstance(func, sp.Lambda):  # an entrywise function
        return sp.lambdify(func.variables, func.expr, "mpmath")
    dummies = sp.symbols(f"a0:{nargs}")
    return sp.lambdify(dummies, func(*dummies), "mpmath")


def _square(v, what: str):
    if np.ndim(v) != 2 or v.shape[0] != v.shape[1]:
        raise ShapeError(f"{what} of a {np.shape(v)} array")
    return v


def _hp_eval(expr: sp.Basic, env: dict, kind: str) -> Any:
    """Value of ``expr`` at ``env`` in exact arithmetic (``kind`` "dyadic": :class:`_Dyadic`;
    "rational": Gaussian rationals ``QQ_I``) or at :data:`HP_BITS` bits ("mp": mpmath),
    matrices as NumPy object arrays.  Independent of :func:`_evaluate` (no rounding bound:
    the arithmetic is exact or far more precise)."""
    ev = lambda e: _hp_eval(e, env, kind)  # noqa: E731
    one, zero = {
        "dyadic": (_Dyadic(1, 0, 0), _Dyadic(0, 0, 0)),
        "rational": (QQ_I.one, QQ_I.zero),
        "mp": (mpmath.mpf(1), mpmath.mpf(0)),
    }[kind]
    if isinstance(expr, (sp.MatrixSymbol, sp.Symbol)):
        v = env[expr.name]
        return _hp_number(sp.Integer(v), kind) if isinstance(v, int) else v  # a dimension used as a scalar
    if isinstance(expr, sp.MatrixBase):
        return np.array([[ev(expr[i, j]) for j in range(expr.cols)] for i in range(expr.rows)], dtype=object)
    if isinstance(expr, (sp.Number, sp.NumberSymbol)) or expr is sp.I:
        return _hp_number(expr, kind)
    if isinstance(expr, (sp.Identity, sp.ZeroMatrix, sp.OneMatrix)):
        rows, cols = (_int_size(s, env) for s in expr.shape)
        fill = [
            [
                one if isinstance(expr, sp.OneMatrix) or (isinstance(expr, sp.Identity) and i == j) else zero
                for j in range(cols)
            ]
            for i in range(rows)
        ]
        return np.array(fill, dtype=object).reshape(rows, cols)
    if isinstance(expr, (sp.MatAdd, sp.Add)):
        parts = [ev(a) for a in expr.args]
        if len({np.shape(p) for p in parts}) > 1:  # object arrays would broadcast (3,1) + (1,3)
            raise ShapeError(f"cannot add shapes {sorted({np.shape(p) for p in parts})}")
        value = parts[0]
        for p in parts[1:]:
            value = value + p
        return value
    if isinstance(expr, (sp.MatMul, sp.Mul, sp.HadamardProduct)):
        value = ev(expr.args[0])
        for a in expr.args[1:]:
            v = ev(a)
            if np.ndim(value) == 2 and np.ndim(v) == 2 and not isinstance(expr, sp.HadamardProduct):
                if value.shape[1] != v.shape[0]:
                    raise ShapeError(f"cannot multiply shapes {value.shape} and {v.shape}")
                value = value @ v
            else:
                if isinstance(expr, sp.HadamardProduct) and np.shape(value) != np.shape(v):
                    raise ShapeError(f"cannot multiply shapes {np.shape(value)} and {np.shape(v)} elementwise")
                # scalar times array: the array on the left (a QQ_I scalar cannot take an array operand)
                value = v * value if np.ndim(v) and not np.ndim(value) else value * v
        return value
    if isinstance(expr, sp.Transpose):
        return np.transpose(ev(expr.arg))
    if isinstance(expr, sp.Trace):
        return np.trace(_square(ev(expr.arg), "trace"))
    if isinstance(expr, MatrixElement):
        return ev(expr.parent)[_int_size(expr.i, env), _int_size(expr.j, env)]
    if isinstance(expr, sp.Derivative) and derivatives.shape(expr) is not None:  # SymPy's scalar diff, entrywise
        grad, inner = derivatives.entry_env(expr, env)
        return np.array(
            [[_hp_eval(grad[i, j], inner, kind) for j in range(grad.cols)] for i in range(grad.rows)], dtype=object
        )
    if isinstance(expr, sp.KroneckerProduct):
        value = ev(expr.args[0])
        for a in expr.args[1:]:
            value = np.kron(value, ev(a))
        return value
    if isinstance(expr, sp.Determinant):
        v = _square(ev(expr.arg), "determinant")
        if kind == "dyadic":
            raise _Inexact("a determinant")
        if kind == "rational":
            return _rational_det(v)
        return _mp_det(v)
    if isinstance(expr, ElementwiseApplyFunction):
        if kind != "mp":
            raise _Inexact("an entrywise function")
        f = _mp_function(expr.function, 1)
        return np.vectorize(f, otypes=[object])(ev(expr.expr))
    if isinstance(expr, sp.Inverse) or (isinstance(expr, sp.MatPow) and expr.exp.is_Integer and expr.exp < 0):
        v = _square(ev(expr.args[0]), "inverse")
        if kind == "dyadic":
            raise _Inexact("an inverse")
        if kind == "rational":
            inv = np.array(DomainMatrix(v.tolist(), v.shape, QQ_I).inv().to_list(), dtype=object)
        else:
            inv = np.array(mpmath.inverse(mpmath.matrix(v.tolist())).tolist(), dtype=object)
        out = inv
        for _ in range((1 if isinstance(expr, sp.Inverse) else -int(expr.exp)) - 1):
            out = out @ inv
        return out
    if isinstance(expr, sp.MatPow) and expr.exp.is_Integer:
        v = _square(ev(expr.base), "power")
        out = np.array([[one if i == j else zero for j in range(v.shape[0])] for i in range(v.shape[0])], dtype=object)
        for _ in range(int(expr.exp)):
            out = out @ v
        return out
    if isinstance(expr, sp.Pow) and expr.exp.is_Integer and not isinstance(expr, sp.MatrixExpr):
        base = ev(expr.base)
        if np.ndim(base):
            raise _Unsupported(f"elementwise power of a {np.shape(base)} array")
        return base ** int(expr.exp)
    if kind != "mp":
        raise _Inexact(type(expr).__name__)
    if isinstance(expr, sp.Expr) and not isinstance(expr, sp.MatrixExpr) and expr.args:
        args = [ev(a) for a in expr.args]
        if any(np.ndim(a) for a in args):
            raise _Unsupported(type(expr).__name__)
        return _mp_function(expr.func, len(args))(*args)
    raise _Unsupported(type(expr).__name__)


def _hp_abs(z, kind: str) -> float:
    if kind == "rational":
        return float(np.hypot(float(z.x), float(z.y)))
    return float(abs(z))


def _matmul(a, b):
    if np.shape(a)[1] != np.shape(b)[0]:
        raise ShapeError(f"cannot multiply shapes {np.shape(a)} and {np.shape(b)}")
    return a @ b


def _hp_apply(expr: sp.Basic, env: dict, kind: str, left, right) -> Any:
    """``left @ expr @ right`` (``left`` a 1×rows row, ``right`` a cols×1 column, either None) at
    ``env``, pushing the vectors through products, sums and transposes so that a product of k
    n×n factors costs k vector-matrix products (O(k n²)) instead of k-1 matrix products (O(k n³))."""
    if left is None and right is None:
        return _hp_eval(expr, env, kind)
    if isinstance(expr, sp.MatPow) and expr.exp.is_Integer and expr.exp > 0:
        expr = sp.MatMul(*([expr.base] * int(expr.exp)), evaluate=False)
    if isinstance(expr, sp.MatAdd):
        parts = [_hp_apply(a, env, kind, left, right) for a in expr.args]
        if len({np.shape(p) for p in parts}) > 1:
            raise ShapeError(f"cannot add shapes {sorted({np.shape(p) for p in parts})}")
        value = parts[0]
        for p in parts[1:]:
            value = value + p
        return value
    if isinstance(expr, sp.MatMul):
        factors = [a for a in expr.args if isinstance(a, sp.MatrixExpr)]
        scale = [_hp_eval(a, env, kind) for a in expr.args if not isinstance(a, sp.MatrixExpr)]
        if left is not None:
            value = left
            for f in factors:
                value = _hp_apply(f, env, kind, value, None)
            value = value if right is None else _matmul(value, right)
        else:
            value = right
            for f in reversed(factors):
                value = _hp_apply(f, env, kind, None, value)
        for c in scale:
            value = value * c
        return value
    if isinstance(expr, sp.Transpose):
        return np.transpose(
            _hp_apply(
                expr.arg,
                env,
                kind,
                None if right is None else np.transpose(right),
                None if left is None else np.transpose(left),
            )
        )
    value = _hp_eval(expr, env, kind)
    value = value if left is None else _matmul(left, value)
    return value if right is None else _matmul(value, right)


def _exact_differs(
    lhs, rhs, point: dict, entry: tuple | None = None, project: bool = False, shape_errors: bool = True
) -> tuple[bool | None, str]:
    """Re-evaluate both sides at ``point`` exactly (Gaussian rationals: each float of the point
    is the rational it stores) or, where a function leaves rational arithmetic, at
    :data:`HP_BITS` bits.  ``(True, how)`` if the sides differ there, ``(False, how)`` if they
    agree, ``(None, why)`` if they cannot be re-evaluated.  Never raises.

    Matrix sides are compared entirely, or only at ``entry`` (i, j), or (``project``) through
    u·(lhs - rhs)·v for random vectors u, v: a nonzero matrix D gives u·D·v = 0 only on a
    measure-zero set of (u, v), and each is O(n²) per factor instead of O(n³).  A shape error
    in the re-evaluation counts as a difference unless ``shape_errors`` is False (then None).
    """
    mats, scalars, dims = _free(sp.Tuple(lhs, rhs))
    if not isinstance(lhs, sp.MatrixExpr) or not isinstance(rhs, sp.MatrixExpr):
        entry, project = None, False
    try:
        for kind in ("dyadic", "rational", "mp"):  # the cheapest arithmetic that can evaluate the step
            try:
                exact = kind != "mp"
                conv = {"dyadic": _Dyadic.of, "rational": _qq, "mp": _mp}[kind]
                label = "exactly (rational arithmetic)" if exact else f"at {HP_BITS}-bit precision (mpmath)"
                vec = np.vectorize(conv, otypes=[object])
                env: dict[str, Any] = {d.name: point[d.name] for d in dims}
                for n in mats + scalars:
                    v = point[n.name]
                    if isinstance(v, (int, np.integer)):  # a dimension's size: _int_size needs the int
                        env[n.name] = int(v)
                        continue
                    env[n.name] = vec(np.asarray(v)) if np.ndim(v) else conv(v)
                left = right = None
                if entry is not None or project:
                    rows, cols = (_int_size(s, env) for s in lhs.shape)
                    if entry is not None:
                        left, right = (np.zeros((1, rows)), np.zeros((cols, 1)))
                        left[0, entry[0]] = right[entry[1], 0] = 1.0
                    else:  # fixed-seed vectors: the re-check is reproducible
                        vrng = np.random.default_rng(rows * 1009 + cols)
                        left, right = vrng.standard_normal((1, rows)), vrng.standard_normal((cols, 1))
                    left, right = vec(left), vec(right)
                with mpmath.workprec(HP_BITS):
                    lv, rv = (_as_scalar(_hp_apply(e, env, kind, left, right)) for e in (lhs, rhs))
                    if np.shape(lv) != np.shape(rv):
                        if not shape_errors:
                            return None, "sides have different shapes"
                        return True, f"re-evaluated {label}: sides have shapes {np.shape(lv)} and {np.shape(rv)}"
                    gaps = np.vectorize(lambda a, b, kind=kind: _hp_abs(a - b, kind), otypes=[float])(lv, rv)
                    if exact:
                        nonzero = np.vectorize(lambda a, b: bool(a - b), otypes=[bool])(lv, rv)
                if not exact:
                    # Rounding at HP_BITS is relative to the intermediate values, not to the result: a
                    # side that is exactly 0 (sin² + cos² − 1) still shows ~1e-97 of it. So evaluate
                    # again at twice the precision: a real difference is the same at both (to
                    # HP_RTOL), rounding shrinks by ~2**-HP_BITS.
                    with mpmath.workprec(2 * HP_BITS):
                        lv2, rv2 = (_as_scalar(_hp_apply(e, env, kind, left, right)) for e in (lhs, rhs))
                        nonzero = np.vectorize(
                            lambda a, b, a2, b2: (
                                abs(a2 - b2) > 0 and abs(abs(a2 - b2) - abs(a - b)) <= HP_RTOL * abs(a2 - b2)
                            ),
                            otypes=[bool],
                        )(lv, rv, lv2, rv2)
                gap = float(np.max(gaps, initial=0.0))
                what = (
                    "|lhs - rhs|"
                    if entry is None and not project
                    else f"entry {tuple(int(k) for k in entry)} |lhs - rhs|"
                    if entry is not None
                    else "|u·(lhs - rhs)·v| for random vectors u, v"
                )
                if np.any(nonzero):
                    idx = np.unravel_index(int(np.argmax(np.where(nonzero, gaps, -1.0))), np.shape(gaps))
                    where = f" entry {tuple(int(k) for k in idx)}" if np.ndim(gaps) else ""
                    return True, f"re-evaluated {label}:{where} {what} = {float(gaps[idx]):.3g} ≠ 0"
                return False, f"re-evaluated {label}: sides agree ({what} = {gap:.3g})"
            except _Inexact:
                continue
    except (ShapeError, NonSquareMatrixError) as exc:
        if not shape_errors:
            return None, f"re-evaluation fails: {' '.join(str(exc).split())[:80]}"
        return True, f"re-evaluation fails: {' '.join(str(exc).split())[:80]}"
    except Exception as exc:  # noqa: BLE001 - a node this path cannot evaluate (or a singular inverse)
        return None, f"cannot re-evaluate exactly: {type(exc).__name__}: {' '.join(str(exc).split())[:60]}"
    return None, "cannot re-evaluate exactly"
