"""Section 5.1 activations in SymPy: ReLU, pReLU, sigmoid, tanh, swish, GELU (claims 5.1.4–5.1.9, 5.1.ex5, swish, GELU).

``ACTIVATIONS[name]`` has ``.expr`` and ``.derivative``, SymPy expressions in
the real symbol :data:`x` (and :data:`alpha` / :data:`beta`).  Each
derivative is ``sp.diff(expr, x)``; the only change is the value at the kink:
SymPy writes ReLU' as ``Heaviside(x)`` with ``Heaviside(0) = 1/2``, and the
book's convention is the left derivative, so ``Heaviside(x)`` becomes
``Heaviside(x, 0)`` and ``Heaviside(-x)`` becomes ``Heaviside(-x, 1)``
(ReLU'(0) = 0, pReLU'(0) = alpha).

Each claim is checked three ways where that applies: SymPy proves it;
``numeric.activations`` agrees with the SymPy expression evaluated in 340-digit
mpmath on Hypothesis-drawn floats (extremes included); and each ``*_grad``
agrees with finite differences of its function (complex step where the
function is analytic, central differences kept away from the kink at 0).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from .checking import hypothesis_check, symbolic_equal, symbolic_true
from .claims import Check, also_check, register

__all__ = ["ACTIVATIONS", "Activation", "alpha", "beta", "x"]

#: The real variable of every activation.
x = sp.Symbol("x", real=True)
#: pReLU's slope for negative inputs (any real; the book takes it small and positive).
alpha = sp.Symbol("alpha", real=True)
#: Swish's temperature (any real).
beta = sp.Symbol("beta", real=True)

_p = sp.Symbol("p", positive=True)  # a stand-in for "x > 0" (and -p for "x < 0")
_t = sp.Symbol("t", real=True)  # the step of a difference quotient


def _left_derivative_at_kink(expr: sp.Expr) -> sp.Expr:
    """Replace SymPy's Heaviside(0) = 1/2 by the left derivative (the book's ReLU'(0) = 0)."""
    return expr.replace(sp.Heaviside, lambda arg, *h0: sp.Heaviside(arg, 0 if arg == x else 1))


@dataclass(frozen=True)
class Activation:
    """An activation ``expr`` in ``x`` and its derivative ``sp.diff(expr, x)``."""

    name: str
    expr: sp.Expr
    params: tuple[sp.Symbol, ...] = ()

    @functools.cached_property
    def derivative(self) -> sp.Expr:
        return _left_derivative_at_kink(sp.diff(self.expr, x))

    def _repr_latex_(self) -> str:
        return rf"$\mathrm{{{self.name}}}(x) = {sp.latex(self.expr)}$"


def sigmoid_expr(u: sp.Expr) -> sp.Expr:
    """Eq. 5.1.6 as SymPy: 1 / (1 + exp(-u))."""
    return 1 / (1 + sp.exp(-u))


def normal_cdf(u: sp.Expr) -> sp.Expr:
    """Φ(u) = (1 + erf(u / √2)) / 2, the standard normal CDF."""
    return (1 + sp.erf(u / sp.sqrt(2))) / 2


def normal_pdf(u: sp.Expr) -> sp.Expr:
    """φ(u) = exp(-u² / 2) / √(2π), the standard normal density."""
    return sp.exp(-(u**2) / 2) / sp.sqrt(2 * sp.pi)


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("ReLU", sp.Max(x, 0)),
    "prelu": Activation("pReLU", sp.Max(0, x) + alpha * sp.Min(0, x), (alpha,)),
    "sigmoid": Activation("sigmoid", sigmoid_expr(x)),
    "tanh": Activation("tanh", sp.tanh(x)),
    "swish": Activation("swish", x * sigmoid_expr(beta * x), (beta,)),
    "gelu": Activation("GELU", x * normal_cdf(x)),
}


# --- numeric twins: numeric.activations against 340-digit mpmath --------------------------

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
_AWAY_FROM_KINK = arrays(
    np.float64, st.integers(1, 8), elements=_MODERATE.filter(lambda v: abs(v) >= 1e-3)
)
#: Parameters: pReLU's alpha and swish's beta in a range where the formulas stay well scaled.
_PARAM = st.floats(-3.0, 3.0, allow_nan=False)


@functools.cache
def _mp(expr: sp.Expr, params: tuple[sp.Symbol, ...] = ()):
    return sp.lambdify((x, *params), expr, "mpmath")


def _relative_error(value: float, exact, scale=None) -> float:
    """|value - exact| / max(|exact|, scale, tiny); ``scale`` bounds the condition (sums with cancellation)."""
    denom = max(abs(exact), abs(scale) if scale is not None else 0, _TINY)
    return float(abs(mpmath.mpf(float(value)) - exact) / denom)


def _numeric_twin(name: str, expr: sp.Expr, function, *, ctx, salt: int, scale_expr=None, params=()):
    """Check ``function`` (NumPy) against ``expr`` (SymPy, 340-digit mpmath) on any finite float."""
    exact = _mp(expr, params)
    scale = _mp(scale_expr, params) if scale_expr is not None else None
    strategy = st.tuples(_ANY_FLOAT, *([_PARAM] * len(params)))

    def error(value):
        with mpmath.workdps(_MP_DIGITS):
            args = [mpmath.mpf(v) for v in value]
            ref = exact(*args)
            sc = scale(*args) if scale is not None else None
            got = function(np.float64(value[0]), *value[1:])
            if type(got) is not np.float64:
                return np.inf
            if np.isinf(got):  # correct only as the rounding of a value beyond the largest float
                overflowed = abs(ref) > _HUGE and (got > 0) == (ref > 0)
                return 0.0 if overflowed else np.inf
            return _relative_error(got, ref, sc)

    return hypothesis_check(
        "numeric",
        f"numeric.activations.{name} vs SymPy (340-digit mpmath), relative, any finite float"
        f" (tolerance 16 eps from <= 5 rounded steps)",
        strategy,
        error,
        ctx=ctx,
        tol=_ULP_TOL,
        salt=salt,
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


# --- the claims ------------------------------------------------------------------------------


@register(
    "5.1.4",
    title="ReLU and its derivative; no derivative at 0, ReLU'(0) = 0 by convention",
    latex=r"\mathrm{ReLU}(x) = \max(x, 0),\ \mathrm{ReLU}'(x) = [x > 0],\ "
    r"\partial_-\mathrm{ReLU}(0) = 0 \ne 1 = \partial_+\mathrm{ReLU}(0)",
    statement=lambda: sp.Eq(sp.Derivative(sp.Max(x, 0), x), ACTIVATIONS["relu"].derivative),
)
def _relu(ctx):
    from numeric import activations as na

    relu = ACTIVATIONS["relu"]
    d = relu.derivative
    yield symbolic_equal(d.subs(x, -_p), 0, "ReLU'(x) = 0 for x < 0")
    yield symbolic_equal(d.subs(x, _p), 1, "ReLU'(x) = 1 for x > 0")
    left, right = _one_sided(relu.expr, "-"), _one_sided(relu.expr, "+")
    yield Check(
        "symbolic",
        left == 0 and right == 1,
        f"one-sided derivatives at 0: left limit {left}, right limit {right}; they differ, so ReLU "
        "is not differentiable at 0",
    )
    yield symbolic_equal(d.subs(x, 0), left, "the convention ReLU'(0) = 0 is the left derivative")
    yield Check(
        "numeric",
        na.relu_grad(0.0) == 0 and na.relu_grad(-0.0) == 0,
        f"numeric.activations.relu_grad(0.0) = {na.relu_grad(0.0)}, relu_grad(-0.0) = "
        f"{na.relu_grad(-0.0)} (the convention: 0)",
    )
    yield _numeric_twin("relu", relu.expr, na.relu, ctx=ctx, salt=1)
    yield _numeric_twin("relu_grad", d, na.relu_grad, ctx=ctx, salt=2)
    yield _finite_difference("relu_grad", na.relu, na.relu_grad, ctx=ctx, salt=3, method="central")


@register(
    "5.1.5",
    title="pReLU and its derivative: 1 for x > 0, alpha for x < 0",
    latex=r"\mathrm{pReLU}(x) = \max(0, x) + \alpha \min(0, x),\ "
    r"\mathrm{pReLU}'(x) = 1\ (x > 0),\ \alpha\ (x < 0)",
    statement=lambda: sp.Eq(
        sp.Derivative(ACTIVATIONS["prelu"].expr, x),
        sp.Piecewise((1, x > 0), (alpha, x < 0)),
    ),
)
def _prelu(ctx):
    from numeric import activations as na

    prelu = ACTIVATIONS["prelu"]
    d = prelu.derivative
    yield symbolic_equal(d.subs(x, _p), 1, "pReLU'(x) = 1 for x > 0")
    yield symbolic_equal(d.subs(x, -_p), alpha, "pReLU'(x) = alpha for x < 0")
    yield symbolic_equal(prelu.expr.subs(alpha, 0), ACTIVATIONS["relu"].expr, "pReLU with alpha = 0 is ReLU")
    params = (alpha,)
    yield _numeric_twin("prelu", prelu.expr, na.prelu, ctx=ctx, salt=1, params=params)
    yield _numeric_twin("prelu_grad", d, na.prelu_grad, ctx=ctx, salt=2, params=params)
    yield _finite_difference(
        "prelu_grad", na.prelu, na.prelu_grad, ctx=ctx, salt=3, method="central", params=params
    )


@register(
    "5.1.6",
    title="sigmoid maps R onto (0, 1) and sigmoid(-x) = 1 - sigmoid(x)",
    latex=r"\sigma(x) = \frac{1}{1 + e^{-x}} \in (0, 1),\quad \sigma(-x) = 1 - \sigma(x)",
    statement=lambda: sp.Eq(sigmoid_expr(-x), 1 - sigmoid_expr(x)),
)
def _sigmoid(ctx):
    from numeric import activations as na

    s = ACTIVATIONS["sigmoid"].expr
    lo, hi = sp.limit(s, x, -sp.oo), sp.limit(s, x, sp.oo)
    yield Check("symbolic", lo == 0 and hi == 1, f"limits: sigmoid(-oo) = {lo}, sigmoid(+oo) = {hi}")
    slope = sp.simplify(sp.diff(s, x))
    yield symbolic_true(
        sp.Gt(slope, 0), f"sigmoid' = {slope} > 0: strictly increasing and continuous, so onto (0, 1)"
    )
    yield symbolic_equal(s.subs(x, -x), 1 - s, "sigmoid(-x) = 1 - sigmoid(x)")
    yield _numeric_twin("sigmoid", s, na.sigmoid, ctx=ctx, salt=1)

    def symmetry_error(v):  # sigmoid(-v) + sigmoid(v) = 1 up to two roundings and the sum
        return abs(float(na.sigmoid(-v)) + float(na.sigmoid(v)) - 1.0)

    yield hypothesis_check(
        "numeric", "numeric sigmoid(-x) + sigmoid(x) - 1 (absolute; 3 roundings of values <= 1: 2 eps)",
        _ANY_FLOAT, symmetry_error, ctx=ctx, tol=2 * _EPS, salt=2,
    )  # fmt: skip

    def range_error(v):  # 0 <= sigmoid(v) <= 1 always; strictly inside where it is representable
        sv = float(na.sigmoid(v))
        return 0.0 if 0.0 <= sv <= 1.0 and (abs(v) > 37 or 0.0 < sv < 1.0) else 1.0

    yield hypothesis_check(
        "numeric", "numeric sigmoid in [0, 1], strictly inside for |x| <= 37 (beyond, 1 - sigmoid < eps/2)",
        _ANY_FLOAT, range_error, ctx=ctx, tol=0.0, salt=3,
    )  # fmt: skip


@register(
    "5.1.7",
    title="sigmoid' = exp(-x)/(1+exp(-x))^2 = sigmoid(1 - sigmoid); max 1/4 at 0; tails -> 0",
    latex=r"\frac{d}{dx}\sigma(x) = \frac{e^{-x}}{(1 + e^{-x})^2} = \sigma(x)(1 - \sigma(x)) \le \tfrac14",
    statement=lambda: sp.Eq(
        sp.Derivative(sigmoid_expr(x), x), sigmoid_expr(x) * (1 - sigmoid_expr(x))
    ),
)
def _sigmoid_derivative(ctx):
    from numeric import activations as na

    s = ACTIVATIONS["sigmoid"].expr
    d = ACTIVATIONS["sigmoid"].derivative
    yield symbolic_equal(d, sp.exp(-x) / (1 + sp.exp(-x)) ** 2, "d/dx sigmoid = exp(-x)/(1+exp(-x))^2")
    yield symbolic_equal(
        sp.exp(-x) / (1 + sp.exp(-x)) ** 2, s * (1 - s), "exp(-x)/(1+exp(-x))^2 = sigmoid (1 - sigmoid)"
    )
    yield symbolic_equal(
        sp.Rational(1, 4) - s * (1 - s), (s - sp.Rational(1, 2)) ** 2,
        "1/4 - sigmoid(1 - sigmoid) = (sigmoid - 1/2)^2 >= 0, so sigmoid' <= 1/4 everywhere",
    )  # fmt: skip
    at0 = d.subs(x, 0)
    yield Check(
        "symbolic", sp.simplify(at0 - sp.Rational(1, 4)) == 0,
        f"sigmoid'(0) = {sp.simplify(at0)}: the bound 1/4 is attained at x = 0 (and only there: sigmoid = 1/2)",
    )  # fmt: skip
    yield from _local_maximum_at_zero(d, "sigmoid'")
    lo, hi = sp.limit(d, x, -sp.oo), sp.limit(d, x, sp.oo)
    yield Check("symbolic", lo == 0 and hi == 0, f"tails: sigmoid' -> {lo} as x -> -oo, {hi} as x -> +oo")
    yield _numeric_twin("sigmoid_grad", d, na.sigmoid_grad, ctx=ctx, salt=1)
    tail = float(na.sigmoid_grad(40.0))
    with mpmath.workdps(_MP_DIGITS):
        exact = _mp(d)(mpmath.mpf(40))
    yield Check(
        "numeric", _relative_error(tail, exact) <= _ULP_TOL,
        f"tail: numeric sigmoid_grad(40) = {tail:.6e} vs exact {mpmath.nstr(exact, 7)} (s(1-s) would give 0)",
    )  # fmt: skip
    yield _finite_difference("sigmoid_grad", na.sigmoid, na.sigmoid_grad, ctx=ctx, salt=2, method="complex")


@also_check("5.1.7")
def _sigmoid_derivative_chain(ctx):
    """Eq. 5.1.7 as the book writes it, a chain of two equalities checked step by step."""
    from .chain import verify_chain

    s = ACTIVATIONS["sigmoid"].expr
    labels = ["d/dx sigmoid(x)", "exp(-x)/(1+exp(-x))^2", "sigmoid(x)(1 - sigmoid(x))"]
    steps = [ACTIVATIONS["sigmoid"].derivative, sp.exp(-x) / (1 + sp.exp(-x)) ** 2, s * (1 - s)]
    result = verify_chain(steps, seed=ctx.seed)
    for k, check in enumerate(result.steps):
        yield Check(check.method, check.ok, f"chain {labels[k]} = {labels[k + 1]}: {check.detail}", check.max_error)


@register(
    "5.1.8",
    title="tanh = (1 - exp(-2x))/(1 + exp(-2x)) maps R onto (-1, 1) and is odd",
    latex=r"\tanh(x) = \frac{1 - e^{-2x}}{1 + e^{-2x}} \in (-1, 1),\quad \tanh(-x) = -\tanh(x)",
    statement=lambda: sp.Eq(sp.tanh(x), (1 - sp.exp(-2 * x)) / (1 + sp.exp(-2 * x))),
)
def _tanh(ctx):
    from numeric import activations as na

    t = ACTIVATIONS["tanh"].expr
    # tanh is rewritten by its definition (e^x - e^-x)/(e^x + e^-x) first: cancel then proves it
    # in ~5 ms where simplify's trigsimp takes ~0.3 s
    yield symbolic_equal(
        t.rewrite(sp.exp), (1 - sp.exp(-2 * x)) / (1 + sp.exp(-2 * x)), "tanh(x) = (1-exp(-2x))/(1+exp(-2x))"
    )
    lo, hi = sp.limit(t, x, -sp.oo), sp.limit(t, x, sp.oo)
    yield Check("symbolic", lo == -1 and hi == 1, f"limits: tanh(-oo) = {lo}, tanh(+oo) = {hi}")
    yield symbolic_true(
        sp.Gt(sp.simplify(sp.diff(t, x).rewrite(sp.exp)), 0),
        "tanh' > 0: strictly increasing and continuous, so onto (-1, 1)",
    )
    yield symbolic_equal(t.subs(x, -x), -t, "tanh(-x) = -tanh(x) (odd)")
    yield _numeric_twin("tanh", t, na.tanh, ctx=ctx, salt=1)

    def odd_error(v):  # the numeric tanh is odd exactly (NumPy's tanh is sign-symmetric)
        return abs(float(na.tanh(-v)) + float(na.tanh(v)))

    yield hypothesis_check(
        "numeric", "numeric tanh(-x) + tanh(x) (exact: sign symmetry)", _ANY_FLOAT, odd_error,
        ctx=ctx, tol=0.0, salt=2,
    )  # fmt: skip


@register(
    "5.1.9",
    title="tanh' = 1 - tanh^2, maximum 1 at 0",
    latex=r"\frac{d}{dx}\tanh(x) = 1 - \tanh^2(x) \le 1 = \tanh'(0)",
    statement=lambda: sp.Eq(sp.Derivative(sp.tanh(x), x), 1 - sp.tanh(x) ** 2),
)
def _tanh_derivative(ctx):
    from numeric import activations as na

    t = ACTIVATIONS["tanh"].expr
    d = ACTIVATIONS["tanh"].derivative
    yield symbolic_equal(d, 1 - t**2, "d/dx tanh = 1 - tanh^2")
    yield symbolic_equal(1 - d, t**2, "1 - tanh' = tanh^2 >= 0, zero only where tanh = 0, i.e. x = 0")
    yield symbolic_equal(d.subs(x, 0), 1, "tanh'(0) = 1: the maximum")
    yield from _local_maximum_at_zero(d, "tanh'")
    yield _numeric_twin("tanh_grad", d, na.tanh_grad, ctx=ctx, salt=1)
    tail = float(na.tanh_grad(20.0))
    with mpmath.workdps(_MP_DIGITS):
        exact = _mp(d)(mpmath.mpf(20))
    yield Check(
        "numeric", _relative_error(tail, exact) <= _ULP_TOL,
        f"tail: numeric tanh_grad(20) = {tail:.6e} vs exact {mpmath.nstr(exact, 7)} (1 - tanh^2 would give 0)",
    )  # fmt: skip
    yield _finite_difference("tanh_grad", na.tanh, na.tanh_grad, ctx=ctx, salt=2, method="complex")


@register(
    "5.1.ex5",
    title="tanh(x) + 1 = 2 sigmoid(2x)",
    latex=r"\tanh(x) + 1 = 2\,\sigma(2x)",
    statement=lambda: sp.Eq(sp.tanh(x) + 1, 2 * sigmoid_expr(2 * x)),
)
def _tanh_sigmoid(ctx):
    from numeric import activations as na

    # tanh written by its definition in exponentials first (fast path, as in 5.1.8)
    yield symbolic_equal(sp.tanh(x).rewrite(sp.exp) + 1, 2 * sigmoid_expr(2 * x), "tanh(x) + 1 = 2 sigmoid(2x)")

    def error(v):  # both sides are in [0, 2]; each side has <= 3 roundings of values <= 2: 8 eps
        with np.errstate(over="ignore"):  # 2v may round to ±inf at |v| > 9e307: sigmoid(±inf) is exact
            rhs = 2 * float(na.sigmoid(np.float64(2) * v))
        return abs(float(na.tanh(v)) + 1 - rhs)

    yield hypothesis_check(
        "numeric", "numeric tanh(x) + 1 vs 2 sigmoid(2x), absolute (values <= 2, a few roundings: 8 eps)",
        _ANY_FLOAT, error, ctx=ctx, tol=8 * _EPS, salt=1,
    )  # fmt: skip


@register(
    "5.1.swish",
    title="swish x sigmoid(beta x) has derivative sigmoid(bx) + bx sigmoid(bx)(1 - sigmoid(bx))",
    latex=r"\frac{d}{dx}\, x\,\sigma(\beta x) = \sigma(\beta x) + \beta x\,\sigma(\beta x)(1 - \sigma(\beta x))",
    statement=lambda: sp.Eq(
        sp.Derivative(x * sigmoid_expr(beta * x), x),
        sigmoid_expr(beta * x) + beta * x * sigmoid_expr(beta * x) * (1 - sigmoid_expr(beta * x)),
    ),
)
def _swish(ctx):
    from numeric import activations as na

    sw = ACTIVATIONS["swish"]
    s = sigmoid_expr(beta * x)
    closed = s + beta * x * s * (1 - s)
    yield symbolic_equal(sw.derivative, closed, "d/dx x sigmoid(bx) = sigmoid(bx) + bx sigmoid(bx)(1 - sigmoid(bx))")
    params = (beta,)
    # swish' crosses zero: errors are relative to |sigmoid(bx)| + |bx sigmoid'(bx)|, the sum's scale.
    scale = s + sp.Abs(beta * x) * s * (1 - s)
    yield _numeric_twin("swish", sw.expr, na.swish, ctx=ctx, salt=1, params=params)
    yield _numeric_twin("swish_grad", closed, na.swish_grad, ctx=ctx, salt=2, params=params, scale_expr=scale)
    yield _finite_difference("swish_grad", na.swish, na.swish_grad, ctx=ctx, salt=3, method="complex", params=params)


@register(
    "5.1.gelu",
    title="GELU x Phi(x) has derivative Phi(x) + x phi(x)",
    latex=r"\frac{d}{dx}\, x\,\Phi(x) = \Phi(x) + x\,\phi(x)",
    statement=lambda: sp.Eq(sp.Derivative(x * normal_cdf(x), x), normal_cdf(x) + x * normal_pdf(x)),
)
def _gelu(ctx):
    from numeric import activations as na

    g = ACTIVATIONS["gelu"]
    closed = normal_cdf(x) + x * normal_pdf(x)
    yield symbolic_equal(g.derivative, closed, "d/dx x Phi(x) = Phi(x) + x phi(x)")
    yield symbolic_equal(sp.diff(normal_cdf(x), x), normal_pdf(x), "Phi' = phi")
    # GELU' crosses zero near x = -0.75: errors relative to Phi(x) + |x| phi(x), the sum's scale.
    scale = normal_cdf(x) + sp.Abs(x) * normal_pdf(x)
    yield _numeric_twin("gelu", g.expr, na.gelu, ctx=ctx, salt=1)
    yield _numeric_twin("gelu_grad", closed, na.gelu_grad, ctx=ctx, salt=2, scale_expr=scale)
    yield _finite_difference("gelu_grad", na.gelu, na.gelu_grad, ctx=ctx, salt=3, method="complex")
