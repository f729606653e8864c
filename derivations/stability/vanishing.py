"""Claim 5.4.vanishing: sigmoid gradients vanish, σ' ≤ 1/4 and σ' < e^{-|x|}, so L stacked sigmoids give ≤ 4^-L.

Proved in SymPy, then checked on :func:`numeric.stability.stacked_sigmoid_grad`
and :func:`numeric.activations.sigmoid_grad` (bounds, and complex-step
derivatives of σ∘⋯∘σ).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from ..checking import hypothesis_check, symbolic_equal
from ..claims import Check, Context, register
from .jacobians import COMPLEX_STEP, EPS

__all__ = ["MODERATE_REALS", "STACKS"]

#: Reals where σ' is far from underflow and e^{-|x|} > 2 eps: |x| <= 30 (the strict bound is visible).
MODERATE_REALS = st.floats(min_value=-30.0, max_value=30.0, allow_nan=False)
#: (x, L): an input and a number of stacked sigmoids (4^-40 ~ 1e-24, far above underflow).
STACKS = st.tuples(MODERATE_REALS, st.integers(1, 40))


def _strict_bounds_violation(x: float) -> float:
    """How far numeric stacked_sigmoid_grad(x, 1) is from σ' <= 1/4 and σ'(x) < e^{-|x|} (0 when both hold)."""
    from numeric.stability import stacked_sigmoid_grad

    d = float(stacked_sigmoid_grad(x, 1))
    ratio = d * math.exp(abs(x))  # exact bound: 1/(1 + e^{-|x|})² <= 1 - 2e^{-|x|} + ..., below 1 by >= 1e-13
    return max(0.0, d - 0.25) + (0.0 if ratio < 1.0 else ratio - 1.0 + EPS)


def _relative_excess(x: float, grad) -> float:
    """Relative amount by which grad(x) exceeds min(1/4, e^{-|x|}) (0 when it does not)."""
    d = float(grad(x))
    return max(0.0, d / 0.25 - 1.0, d * math.exp(abs(x)) - 1.0)


def _stack_error(args) -> float:
    """Relative error of stacked_sigmoid_grad vs the complex-step derivative of σ∘⋯∘σ, per layer."""
    from numeric.stability import stacked_sigmoid_grad

    x, L = args
    h = complex(x, COMPLEX_STEP)
    for _ in range(L):
        h = 1.0 / (1.0 + np.exp(-h))
    fd = h.imag / COMPLEX_STEP
    return abs(float(stacked_sigmoid_grad(x, L)) - fd) / abs(fd) / L


@register(
    "5.4.vanishing",
    title="Sigmoid gradients vanish",
    latex=r"\sigma'(x) \le \tfrac14,\ \sigma'(x) < e^{-|x|},\ "
    r"\left|\frac{d}{dx} \sigma^{\circ L}(x)\right| \le 4^{-L}",
    statement=lambda: sp.Le(sp.Symbol(r"\sigma'(x)"), sp.Rational(1, 4)),
)
def _vanishing(ctx: Context):
    from numeric.stability import stacked_sigmoid_grad

    x = sp.Symbol("x", real=True)
    s_, u = sp.symbols("s u", positive=True)
    sig = 1 / (1 + sp.exp(-x))
    d = sp.diff(sig, x)
    yield symbolic_equal(d, sig * (1 - sig), "σ'(x) = σ(x)(1 - σ(x))")
    yield symbolic_equal(
        sp.Rational(1, 4) - s_ * (1 - s_),
        (s_ - sp.Rational(1, 2)) ** 2,
        "1/4 - s(1 - s) = (s - 1/2)² >= 0, so σ' <= 1/4 with equality only at σ = 1/2 (x = 0)",
    )
    yield symbolic_equal(d.subs(x, -x), d, "σ'(-x) = σ'(x): it suffices to bound x >= 0")
    yield symbolic_equal(d, (u / (1 + u) ** 2).subs(u, sp.exp(-x)), "σ'(x) = u/(1 + u)² with u = e^{-x}")
    gap = sp.factor(u - u / (1 + u) ** 2)
    yield Check(
        "symbolic",
        bool(gap.is_positive) and sp.simplify(gap - u**2 * (u + 2) / (u + 1) ** 2) == 0,
        f"e^{{-x}} - σ'(x) = {gap} > 0 for every u = e^{{-x}} > 0: σ'(x) < e^{{-|x|}} (by the symmetry above)",
    )
    yield hypothesis_check(
        "numeric",
        "numeric σ'(x) <= 1/4 and σ'(x) < e^{-|x|} for |x| <= 30 (violation; must be 0)",
        MODERATE_REALS,
        _strict_bounds_violation,
        ctx=ctx,
        tol=0.0,
        salt=51,
    )
    from numeric.activations import sigmoid_grad

    yield hypothesis_check(
        "numeric",
        "numeric.activations.sigmoid_grad(x) <= 1/4 and <= e^{-|x|} up to rounding, |x| <= 30 (relative excess; "
        "4 eps: exp, add, square, divide each round once; e/(1+e)² can land 1 ulp above 1/4 near x = 0)",
        MODERATE_REALS,
        lambda x_: _relative_excess(x_, sigmoid_grad),
        ctx=ctx,
        tol=4 * EPS,
        salt=54,
    )
    yield hypothesis_check(
        "numeric",
        "d/dx of L stacked sigmoids (unit weights) <= 4^-L, L in 1..40 (violation g·4^L - 1; must be <= 0)",
        STACKS,
        lambda args: max(0.0, float(stacked_sigmoid_grad(*args)) * 4.0 ** args[1] - 1.0),
        ctx=ctx,
        tol=0.0,
        salt=52,
    )
    yield hypothesis_check(
        "finite-difference",
        "stacked_sigmoid_grad vs complex step of σ∘⋯∘σ (relative error per layer; 8 eps: one σ and one "
        "product per layer, each a few ulp)",
        STACKS,
        _stack_error,
        ctx=ctx,
        tol=8 * EPS,
        salt=53,  # 8 = rounding of exp, 1+, /, and the product
    )
    top = float(stacked_sigmoid_grad(0.0, 10)) * 4.0**10  # 10 layers: the bound's slack at its best point
    yield Check(
        "numeric",
        top <= 1.0,
        f"at x = 0 (where σ' = 1/4 is attained) 10 stacked sigmoids give 4^10 · gradient = {top:.3e}: the first "
        "layer attains 1/4, the later ones see σ(·) >= 1/2 > 0 and stay strictly below it",
    )
