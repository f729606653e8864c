"""Claims 5.1.6 (the sigmoid, Eq. 5.1.6: onto (0, 1), σ(-x) = 1 - σ(x)) and 5.1.7 (its derivative, Eq. 5.1.7)."""

from __future__ import annotations

import mpmath
import sympy as sp

from ..checking import hypothesis_check, symbolic_equal, symbolic_true
from ..claims import Check, also_check, register
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
    yield symbolic_true(sp.Gt(slope, 0), f"sigmoid' = {slope} > 0: strictly increasing and continuous, so onto (0, 1)")
    yield symbolic_equal(s.subs(x, -x), 1 - s, "sigmoid(-x) = 1 - sigmoid(x)")
    yield from _numeric_twin("sigmoid", s, na.sigmoid, ctx=ctx, salt=1)

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
    statement=lambda: sp.Eq(sp.Derivative(sigmoid_expr(x), x), sigmoid_expr(x) * (1 - sigmoid_expr(x))),
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
    yield from _numeric_twin("sigmoid_grad", d, na.sigmoid_grad, ctx=ctx, salt=1)
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
    from ..chain import verify_chain

    s = ACTIVATIONS["sigmoid"].expr
    labels = ["d/dx sigmoid(x)", "exp(-x)/(1+exp(-x))^2", "sigmoid(x)(1 - sigmoid(x))"]
    steps = [ACTIVATIONS["sigmoid"].derivative, sp.exp(-x) / (1 + sp.exp(-x)) ** 2, s * (1 - s)]
    result = verify_chain(steps, seed=ctx.seed)
    for k, check in enumerate(result.steps):
        yield Check(check.method, check.ok, f"chain {labels[k]} = {labels[k + 1]}: {check.detail}", check.max_error)
