"""Claims 5.1.swish (d/dx x σ(βx)) and 5.1.gelu (d/dx x Φ(x) = Φ(x) + x φ(x)): the smooth ReLU variants."""

from __future__ import annotations

import sympy as sp

from ..checking import symbolic_equal
from ..claims import register
from .checks import _finite_difference, _numeric_twin
from .definitions import ACTIVATIONS, beta, normal_cdf, normal_pdf, sigmoid_expr, x

__all__: list[str] = []


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
    yield from _numeric_twin("swish", sw.expr, na.swish, ctx=ctx, salt=1, params=params)
    yield from _numeric_twin("swish_grad", closed, na.swish_grad, ctx=ctx, salt=2, params=params, scale_expr=scale)
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
    yield from _numeric_twin("gelu", g.expr, na.gelu, ctx=ctx, salt=1)
    yield from _numeric_twin("gelu_grad", closed, na.gelu_grad, ctx=ctx, salt=2, scale_expr=scale)
    yield _finite_difference("gelu_grad", na.gelu, na.gelu_grad, ctx=ctx, salt=3, method="complex")
