"""Check builders shared by the activation claims.

:func:`_numeric_twin`: ``numeric.activations`` against the SymPy expression
evaluated in 340-digit mpmath on Hypothesis-drawn floats (extremes included);
:func:`_finite_difference`: each ``*_grad`` against finite differences of its
function (complex step where the function is analytic, central differences
kept away from the kink at 0); :func:`_one_sided` and
:func:`_local_maximum_at_zero`: symbolic one-sided derivatives and maxima.
"""

from __future__ import annotations

import functools

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ..checking import hypothesis_check, symbolic_equal
from ..claims import Check
from ..strata import DTYPES, eps, stratified_floats, stratum_points, tiny
from .definitions import _t, x

__all__: list[str] = []

#: Working digits of the mpmath reference.  The SymPy expressions are evaluated as written, so
#: 1 - tanh², 1 + erf(x/√2) and 1 - sigmoid cancel: a result v computed from O(1) terms loses
#: log10(1/v) digits, at most 308 while v is a normal float (below that, results are judged
#: absolutely).  340 = 308 lost + 32 kept, so the reference is good to ~1e-30 relative.
_MP_DIGITS = 340
_EPS = float(np.finfo(np.float64).eps)
_TINY = float(np.finfo(np.float64).tiny)  # below this a result is subnormal: judged absolutely
_HUGE = float(np.finfo(np.float64).max)  # beyond this a correctly rounded result is ±inf
#: Relative tolerance for a function against the exact value: each routine takes at most
#: ~5 correctly rounded steps (exp, add, square, divide, erfc), each within 0.5 ulp, and the
#: result can be off by ~4 eps; 16 eps leaves a factor 4 for libm's exp/erfc (<= 1 ulp each).
_ULP_TOL = 16 * _EPS

#: Any finite float64, extremes included: Hypothesis favours 0, ±1e308, subnormals.
_ANY_FLOAT = st.floats(allow_nan=False, allow_infinity=False)
#: |x| <= 30 keeps every function and derivative well above underflow for finite differences.
_MODERATE = st.floats(-30.0, 30.0, allow_nan=False)
_MODERATE_ARRAYS = arrays(np.float64, st.integers(1, 8), elements=_MODERATE)
#: Points >= 1e-3 from the kink: the central step h = eps^(1/3)·max(1,|x|) <= 1.9e-4 never crosses 0.
_AWAY_FROM_KINK = arrays(np.float64, st.integers(1, 8), elements=_MODERATE.filter(lambda v: abs(v) >= 1e-3))
#: Parameters: pReLU's alpha and swish's beta in a range where the formulas stay well scaled.
_PARAM = st.floats(-3.0, 3.0, allow_nan=False)
#: The parameter value used with the fixed stratum points (a float32-exact, non-trivial alpha/beta).
_PARAM_POINT = 0.75


def _param(dtype):
    """alpha / beta as a Python float exactly representable in ``dtype`` (the functions cast it)."""
    return st.floats(-3.0, 3.0, width=32 if dtype == np.float32 else 64, allow_nan=False)


@functools.cache
def _mp(expr: sp.Expr, params: tuple[sp.Symbol, ...] = ()):
    return sp.lambdify((x, *params), expr, "mpmath")


def _relative_error(value: float, exact, scale=None) -> float:
    """|value - exact| / max(|exact|, scale, tiny); ``scale`` bounds the condition (sums with cancellation)."""
    denom = max(abs(exact), abs(scale) if scale is not None else 0, _TINY)
    return float(abs(mpmath.mpf(float(value)) - exact) / denom)


def _numeric_twin(name: str, expr: sp.Expr, function, *, ctx, salt: int, scale_expr=None, params=()):
    """Check ``function`` (NumPy) against ``expr`` (SymPy, 340-digit mpmath), in float64 and in float32.

    Inputs are stratified (:mod:`derivations.strata`): core, tails |x| in [20, 700], the kink's
    neighbourhood, subnormals and extremes, with every stratum's fixed points run at any
    ``--examples``.  One check per dtype, tolerance 16 eps of that dtype (<= 5 rounded steps, each
    <= 0.5 ulp, plus libm's <= 1 ulp, in the dtype's own arithmetic or in float64 then one rounding).
    """
    for k, dtype in enumerate(DTYPES):
        yield _twin_in(name, expr, function, dtype, ctx=ctx, salt=salt + 1000 * k, scale_expr=scale_expr, params=params)


def _twin_in(name: str, expr: sp.Expr, function, dtype, *, ctx, salt: int, scale_expr, params):
    exact = _mp(expr, params)
    scale = _mp(scale_expr, params) if scale_expr is not None else None
    tol, small, huge = 16 * eps(dtype), tiny(dtype), float(np.finfo(dtype).max)
    strategy = st.tuples(stratified_floats(dtype), *([_param(dtype)] * len(params)))
    explicit = [(v, *([_PARAM_POINT] * len(params))) for v in stratum_points(dtype)]

    def error(value):
        with mpmath.workdps(_MP_DIGITS):
            args = [mpmath.mpf(float(v)) for v in value]
            ref = exact(*args)
            sc = scale(*args) if scale is not None else None
            got = function(dtype(value[0]), *value[1:])
            if type(got) is not dtype:
                return np.inf
            if np.isinf(got):  # correct only as the rounding of a value beyond the dtype's largest float
                overflowed = abs(ref) > huge and (got > 0) == (ref > 0)
                return 0.0 if overflowed else np.inf
            denom = max(abs(ref), abs(sc) if sc is not None else 0, small)
            return float(abs(mpmath.mpf(float(got)) - ref) / denom)

    bits = np.dtype(dtype).itemsize * 8
    return hypothesis_check(
        "numeric",
        f"numeric.activations.{name} vs SymPy (340-digit mpmath), float{bits}, relative, stratified (core, tails "
        f"20..700, kink, subnormals, extremes; tolerance 16 eps{bits} from <= 5 rounded steps)",
        strategy,
        error,
        ctx=ctx,
        tol=tol,
        salt=salt,
        explicit=explicit,
    )


def _finite_difference(name: str, function, derivative, *, ctx, salt: int, method: str, params=()):
    """Check ``derivative`` against finite differences of ``function`` at Hypothesis-drawn points."""
    from numeric.gradcheck import numerical_gradient

    if method == "complex":
        # Complex step: no subtraction, exact to the rounding of f (~1e-15 relative); 1e-13
        # leaves a factor ~50 for the few roundings inside f. Error is relative to
        # max(|f'|, 1) because swish' and GELU' cross zero (absolute error ~eps there).
        strategy, tol = _MODERATE_ARRAYS, 1e-13
        what = "complex step (error ~eps, tolerance 1e-13)"
    else:
        # Central differences on a piecewise-linear function: no truncation error, only
        # rounding eps·|f|/h ~ 2.2e-16·30/6e-6 ~ 1e-9 relative to max(1, |x|); tolerance 1e-8.
        strategy, tol = _AWAY_FROM_KINK, 1e-8
        what = "central differences, points >= 1e-3 from the kink (rounding ~1e-9, tolerance 1e-8)"
    strategy = st.tuples(strategy, *([_PARAM] * len(params)))

    def error(value):
        points, *args = value
        fd = numerical_gradient(lambda v: function(v, *args).sum(), points, method=method)
        got = derivative(points, *args)
        return float(np.max(np.abs(got - fd) / np.maximum(np.abs(fd), 1.0)))

    return hypothesis_check(
        "finite-difference", f"numeric.activations.{name} vs {what}", strategy, error,
        ctx=ctx, tol=tol, salt=salt,
    )  # fmt: skip


def _one_sided(expr: sp.Expr, direction: str) -> sp.Expr:
    """The one-sided derivative at 0: the limit of (f(t) - f(0)) / t as t -> 0±."""
    return sp.limit((expr.subs(x, _t) - expr.subs(x, 0)) / _t, _t, 0, direction)


def _local_maximum_at_zero(d: sp.Expr, name: str):
    """Checks that x = 0 is a stationary point of ``d`` with a negative second derivative there."""
    yield symbolic_equal(sp.diff(d, x).subs(x, 0), 0, f"({name})'(0) = 0: x = 0 is a stationary point of {name}")
    curvature = sp.simplify(sp.diff(d, x, 2).subs(x, 0))
    negative = bool(curvature.is_negative)
    yield Check(
        "symbolic", negative,
        f"({name})''(0) = {curvature} {'< 0: the stationary point is' if negative else 'is not < 0: not proved'} a local maximum",
    )  # fmt: skip
