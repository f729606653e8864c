"""Claims 5.1.8 (tanh, Eq. 5.1.8: onto (-1, 1), odd), 5.1.9 (tanh' = 1 - tanh², Eq. 5.1.9) and 5.1.ex5 (tanh(x) + 1 = 2σ(2x))."""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from ..checking import hypothesis_check, symbolic_equal, symbolic_true
from ..claims import Check, register
from .checks import (
    _ANY_FLOAT,
    _EPS,
    _MP_DIGITS,
    _ULP_TOL,
    _finite_difference,
    _local_maximum_at_zero,
    _mp,
    _numeric_twin,
    _relative_error,
)
from .definitions import ACTIVATIONS, sigmoid_expr, x

__all__: list[str] = []


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
    yield from _numeric_twin("tanh", t, na.tanh, ctx=ctx, salt=1)

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
    yield from _numeric_twin("tanh_grad", d, na.tanh_grad, ctx=ctx, salt=1)
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
