"""Claim 5.4.2: the gradient of the output with respect to W^(l) is a product of Jacobians (Eq. 5.4.2).

``v^(l) = ∂h^(l)/∂W^(l)`` is a third-order tensor; the product is checked in
SymPy for arbitrary differentiable activations and against complex-step
derivatives of :func:`numeric.stability.deep_forward`.  :data:`EPS` and
:data:`COMPLEX_STEP` are shared with the other modules of this package.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from ..checking import hypothesis_check
from ..claims import Check, Context, register

__all__ = ["COMPLEX_STEP", "EPS", "NETWORKS"]

EPS = float(np.finfo(np.float64).eps)


#: Networks for Eq. 5.4.2: a seed, depth L in 4..6 and a gain in [0.5, 2] for W ~ N(0, gain²/fan_in).
NETWORKS = st.tuples(st.integers(0, 2**32 - 1), st.integers(4, 6), st.floats(0.5, 2.0))
#: Complex step h: truncation error O(h²) = 1e-60, no subtractive cancellation (Squire & Trapp 1998).
COMPLEX_STEP = 1e-30


def _network(seed: int, L: int, gain: float):
    rng = np.random.default_rng(seed)
    widths = rng.integers(2, 6, size=L + 1)  # 2..5 units per layer
    Ws = [gain * rng.standard_normal((widths[l + 1], widths[l])) / math.sqrt(widths[l]) for l in range(L)]
    names = [("tanh", "sigmoid")[i] for i in rng.integers(0, 2, size=L)]
    names[0], names[1] = "tanh", "sigmoid"  # both activations in every network
    return rng.standard_normal(widths[0]), Ws, names


def _jacobian_product_error(params) -> float:
    """max over l, q, a, b of |(M^(L)⋯M^(l+1) v^(l))_qab - complex-step ∂o_q/∂W^(l)_ab| / max |∂o/∂W^(l)|."""
    from numeric.stability import deep_forward, jacobian_product_gradient

    x, Ws, names = _network(*params)
    worst = 0.0
    for l in range(1, len(Ws) + 1):
        analytic = jacobian_product_gradient(x, Ws, names, l)
        fd = np.empty_like(analytic)
        for a_, b_ in np.ndindex(Ws[l - 1].shape):
            Wc = [W.astype(np.complex128) for W in Ws]
            Wc[l - 1][a_, b_] += 1j * COMPLEX_STEP
            fd[:, a_, b_] = deep_forward(x.astype(np.complex128), Wc, names)[-1].imag / COMPLEX_STEP
        worst = max(worst, float(np.max(np.abs(analytic - fd)) / max(np.max(np.abs(fd)), 1e-300)))
    return worst


#: Widths of the symbolic network for Eq. 5.4.2: depth 3, every layer rectangular somewhere.
_SYMBOLIC_WIDTHS = (2, 3, 2, 2)


def _symbolic_jacobian_product() -> tuple[bool, int]:
    """Eq. 5.4.2 in SymPy for ARBITRARY differentiable activations f_1, f_2, f_3 (undefined functions).

    For every l and every entry W^(l)_ab: ∂o/∂W^(l)_ab (SymPy's chain rule) equals
    M^(L)⋯M^(l+1) v^(l)[:, a, b] with M^(k) = diag(f_k'(z^(k))) W^(k) and the slice
    v^(l)[:, a, b] = f_l'(z^(l)_a) h^(l-1)_b e_a.  Returns (all equal, entries compared).
    """
    widths, t = _SYMBOLIC_WIDTHS, sp.Symbol("t")
    L = len(widths) - 1
    x = sp.Matrix(sp.symbols(f"x0:{widths[0]}"))
    Ws = [sp.Matrix(widths[l + 1], widths[l], lambda i, j_, l=l: sp.Symbol(f"w{l + 1}_{i}{j_}")) for l in range(L)]
    fs = [sp.Function(f"f{l + 1}") for l in range(L)]

    def fprime(f, e):
        return sp.diff(f(t), t).subs(t, e)

    hs, zs = [x], [None]
    for l in range(L):
        zs.append(Ws[l] * hs[-1])
        hs.append(zs[-1].applyfunc(fs[l]))
    o, ok, count = hs[-1], True, 0
    for l in range(1, L + 1):
        J = sp.eye(widths[l])
        for k_ in range(l + 1, L + 1):
            J = sp.diag(*[fprime(fs[k_ - 1], zz) for zz in zs[k_]]) * Ws[k_ - 1] * J
        for a_, b_ in np.ndindex(Ws[l - 1].shape):
            v = sp.zeros(widths[l], 1)
            v[a_] = fprime(fs[l - 1], zs[l][a_]) * hs[l - 1][b_]
            ok = ok and sp.expand(o.diff(Ws[l - 1][a_, b_]) - J * v) == sp.zeros(widths[-1], 1)
            count += 1
    return ok, count


@register(
    "5.4.2",
    title="The gradient is a product of Jacobians",
    latex=r"\frac{\partial o}{\partial W^{(l)}} = M^{(L)} \cdots M^{(l+1)} v^{(l)},\ "
    r"M^{(k)} = \frac{\partial h^{(k)}}{\partial h^{(k-1)}},\ v^{(l)} = \frac{\partial h^{(l)}}{\partial W^{(l)}}",
    statement=lambda: sp.Eq(
        sp.Symbol(r"\partial o / \partial W^{(l)}"),
        sp.Mul(*[sp.Symbol(f, commutative=False) for f in ("M^{(L)}", r"\cdots", "M^{(l+1)}", "v^{(l)}")]),
        evaluate=False,
    ),
)
def _jacobian_product(ctx: Context):
    from numeric.stability import jacobian_product_gradient

    x, Ws, names = _network(ctx.seed, 4, 1.0)
    shapes = [jacobian_product_gradient(x, Ws, names, l).shape for l in range(1, 5)]
    expected = [(Ws[-1].shape[0],) + W.shape for W in Ws]
    yield Check(
        "shape",
        shapes == expected,
        f"∂o/∂W^(l) = M⋯M v^(l) has shape (q, rows, cols) = {shapes}: v^(l) is a third-order tensor "
        "∂h^(l)_i/∂W^(l)_ab = f'(z_i) δ_ia h^(l-1)_b, not a vector",
    )
    ok, count = _symbolic_jacobian_product()
    yield Check(
        "symbolic-sized",
        ok,
        f"SymPy, widths {_SYMBOLIC_WIDTHS} with undefined activations f_1, f_2, f_3: ∂o/∂W^(l)_ab = "
        f"M^(L)⋯M^(l+1) v^(l)[:, a, b] for all {count} weight entries of all layers (any differentiable f)",
    )
    yield hypothesis_check(
        "finite-difference",
        "M^(L)⋯M^(l+1) v^(l) (np.einsum) vs complex-step ∂o/∂W^(l), every l, depth 4-6, tanh and sigmoid "
        "(error relative to max|∂o/∂W^(l)|; tolerance 64 eps: rounding in each z = W h (<= 5 terms, ~5 eps) "
        "moves f' by |f''/f'| <= 2 times as much, over <= 6 layers: ~60 eps; complex step exact to O(h²)=1e-60)",
        NETWORKS,
        _jacobian_product_error,
        ctx=ctx,
        tol=64 * EPS,  # 64 = 6 layers × ~10 rounding errors per layer, rounded up to a power of two
        salt=42,
    )
