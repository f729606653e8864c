"""Claims 5.1.4 (ReLU, Eq. 5.1.4: no derivative at 0, ReLU'(0) = 0 by convention) and 5.1.5 (pReLU, Eq. 5.1.5)."""

from __future__ import annotations

import sympy as sp

from ..checking import symbolic_equal
from ..claims import Check, register
from .checks import _finite_difference, _numeric_twin, _one_sided
from .definitions import ACTIVATIONS, _p, alpha, x

__all__: list[str] = []


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
    yield from _numeric_twin("relu", relu.expr, na.relu, ctx=ctx, salt=1)
    yield from _numeric_twin("relu_grad", d, na.relu_grad, ctx=ctx, salt=2)
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
    yield from _numeric_twin("prelu", prelu.expr, na.prelu, ctx=ctx, salt=1, params=params)
    yield from _numeric_twin("prelu_grad", d, na.prelu_grad, ctx=ctx, salt=2, params=params)
    yield _finite_difference("prelu_grad", na.prelu, na.prelu_grad, ctx=ctx, salt=3, method="central", params=params)
