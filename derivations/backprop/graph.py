"""Eqs. 5.3.1–5.3.6: the symbols and the forward graph of section 5.3 at symbolic sizes, and claim 5.3.1-6.

Column vectors, no biases: ``z = W1 x``, ``h = φ(z)``, ``o = W2 h``,
``L = l(o, y)``, ``s = λ/2 (‖W1‖_F² + ‖W2‖_F²)``, ``J = L + s``, with
``x: d×1``, ``W1: h×d``, ``W2: q×h`` (``h_dim`` prints as ``h``).  The loss
enters the chain rule only through ``g = ∂L/∂o`` (a ``q×1`` symbol).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Function, MatrixSymbol, Symbol, Trace
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from ..calculus.finite_differences import relative_error
from ..calculus.lambdify import lambdify_matrix
from ..calculus.normalize import canonical_sums, named_derivative
from ..checking import hypothesis_check
from ..claims import Check, Context, register
from .problems import NUMERIC_TOL, PROBLEMS, problem, scalar_activation

__all__ = [
    "W1", "W2", "L_node", "b1", "b2", "d", "dphi", "g", "h", "h_dim", "h_var", "lam", "loss_term", "o", "o_var",
    "phi", "q", "s", "s_node", "x", "z", "z_var",
]  # fmt: skip

# -- the graph, symbolic sizes ---------------------------------------------------------------------
d, q = sp.symbols("d q", integer=True, positive=True)
h_dim = Symbol("h", integer=True, positive=True)
x = MatrixSymbol("x", d, 1)
W1 = MatrixSymbol("W1", h_dim, d)
W2 = MatrixSymbol("W2", q, h_dim)
b1 = MatrixSymbol("b1", h_dim, 1)
b2 = MatrixSymbol("b2", q, 1)
g = MatrixSymbol("g", q, 1)  # ∂L/∂o: the generic loss enters the chain rule only through it
lam = Symbol("lambda", real=True)
phi = Function("phi")
L_node, s_node = sp.symbols("L s", real=True)  # the scalar nodes of J = L + s (Eq. 5.3.6)
# The intermediates as free variables, for "J as a function of that intermediate".
z_var = MatrixSymbol("z", h_dim, 1)
h_var = MatrixSymbol("h", h_dim, 1)
o_var = MatrixSymbol("o", q, 1)

z = W1 * x  # Eq. 5.3.1
h = ElementwiseApplyFunction(phi, z)  # Eq. 5.3.2
o = W2 * h  # Eq. 5.3.3
s = lam / 2 * (Trace(W1.T * W1) + Trace(W2.T * W2))  # Eq. 5.3.5


def dphi(arg: sp.MatrixExpr) -> sp.MatrixExpr:
    """Eq. 5.3.13's φ'(arg), elementwise, φ' named ``D0phi`` as the calculus tool's normalize names it."""
    return ElementwiseApplyFunction(named_derivative(phi), arg)


def loss_term(o_expr: sp.MatrixExpr) -> Trace:
    """Eq. 5.3.4's L to first order around o: gᵀ o (as a trace, a scalar); its gradient in any variable is the
    chain rule's."""
    return Trace(g.T * o_expr)


# -- the claim ---------------------------------------------------------------------------------------
@register(
    "5.3.1-6",
    title="Forward pass of the one-hidden-layer graph; ‖W‖_F² = Σ w² = tr(WᵀW)",
    latex=r"z = W^{(1)}x,\ h = \phi(z),\ o = W^{(2)}h,\ L = l(o, y),\ s = \tfrac{\lambda}{2}\left(\|W^{(1)}\|_F^2 + \|W^{(2)}\|_F^2\right),\ J = L + s",
    statement=lambda: sp.Eq(Trace(W1.T * W1), Trace(W1.T * W1).rewrite(sp.Sum)),
)
def _forward_graph(ctx: Context):
    """Eqs. 5.3.1–5.3.6: the graph's shapes, ‖W1‖_F² = tr(W1ᵀW1), and numeric.backprop.forward against it."""
    i, j = sp.symbols("i j", integer=True)
    frob = sp.Sum(W1[i, j] ** 2, (i, 0, h_dim - 1), (j, 0, d - 1))
    ok = canonical_sums(Trace(W1.T * W1).rewrite(sp.Sum)) == canonical_sums(frob)
    yield Check("symbolic", ok, "tr(W1ᵀW1) rewritten as a sum equals Σ_{i<h, j<d} w_ij² (symbolic sizes h, d)")
    yield Check(
        "shape",
        z.shape == (h_dim, 1) and h.shape == (h_dim, 1) and o.shape == (q, 1) and s.is_commutative,
        f"z: {z.shape}, h: {h.shape}, o: {o.shape}, s scalar (symbolic sizes)",
    )

    def error(draw):
        p = problem(draw)
        fwd = p["fwd"]
        phi_np, _ = scalar_activation(p["activation"])
        col = lambda v: np.asarray(v, dtype=float).reshape(-1, 1)  # noqa: E731
        graph = lambdify_matrix(o, [x, W1, W2], {"phi": phi_np})(col(fwd.x), fwd.W1, fwd.W2)
        zz = sp.lambdify([x, W1], z, "numpy")(col(fwd.x), fwd.W1)
        # NumPyPrinter cannot print Trace: lambdify W1ᵀW1 and W2ᵀW2 and take the traces of the results.
        gram = sp.lambdify([W1, W2], [W1.T * W1, W2.T * W2], "numpy")(fwd.W1, fwd.W2)
        ss = p["lam"] / 2 * (np.trace(gram[0]) + np.trace(gram[1]))
        Q = fwd.o.shape[0]
        if p["loss"] == "cross_entropy":
            os_ = sp.symbols(f"o_0:{Q}")
            LL = sp.lambdify(os_, sp.log(sum(sp.exp(v) for v in os_)) - os_[p["y"]], "numpy")(*fwd.o)
        else:
            LL = 0.5 * float(np.sum((fwd.o - p["y"]) ** 2))
        return max(
            relative_error(col(fwd.z), zz),
            relative_error(col(fwd.o), graph),
            relative_error(np.array([fwd.s]), np.array([float(ss)])),
            relative_error(np.array([fwd.L]), np.array([LL])),
            relative_error(np.array([fwd.J]), np.array([fwd.L + fwd.s])),
        )

    yield hypothesis_check(
        "numeric",
        "numeric.backprop.forward's z, o, L, s, J vs the lambdified SymPy graph (tol 1e-12 from float64 reordering)",
        PROBLEMS,
        error,
        ctx=ctx,
        tol=NUMERIC_TOL,
        salt=1,
    )
