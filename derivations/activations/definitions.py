"""The section 5.1 activations as SymPy expressions: ``ACTIVATIONS[name]`` with ``.expr`` and ``.derivative``.

Each derivative is ``sp.diff(expr, x)``; the only change is the value at the
kink: SymPy writes ReLU' as ``Heaviside(x)`` with ``Heaviside(0) = 1/2``, and
the book's convention is the left derivative, so ``Heaviside(x)`` becomes
``Heaviside(x, 0)`` and ``Heaviside(-x)`` becomes ``Heaviside(-x, 1)``
(ReLU'(0) = 0, pReLU'(0) = alpha).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

__all__ = ["ACTIVATIONS", "Activation", "alpha", "beta", "normal_cdf", "normal_pdf", "sigmoid_expr", "x"]

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
