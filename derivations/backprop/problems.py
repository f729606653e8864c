"""The numeric side of 5.3's checks: drawn graphs, φ and ∂l/∂o as lambdified SymPy, and the tolerances.

Nothing here depends on the symbolic graph, so every other module of the
package may use it.  ``numeric`` is imported on use (``import derivations``
does not import it), and through its module, so a test that monkeypatches
``numeric.backprop.backward`` is seen by every check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from sympy import Symbol

__all__ = [
    "ACTIVATION_NAMES", "CENTRAL_TOL", "COMPLEX_STEP", "COMPLEX_STEP_TOL", "KINK_MARGIN", "LOSS_NAMES",
    "NUMERIC_TOL", "PROBLEMS", "loss_gradient", "problem", "scalar_activation", "symbolic_g",
]  # fmt: skip

ACTIVATION_NAMES = ("relu", "sigmoid", "tanh", "swish", "gelu")
LOSS_NAMES = ("cross_entropy", "squared")

#: A drawn problem: sizes (d, h, q) in 1..6, a seed, an activation, a loss, and lam.
PROBLEMS = st.tuples(
    st.integers(1, 6), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**32 - 1),
    st.sampled_from(ACTIVATION_NAMES), st.sampled_from(LOSS_NAMES),
    st.sampled_from([0.0, 0.1, 1.5]),  # no decay, small, large
)  # fmt: skip

# Numeric agreement: both sides evaluate the same formula in float64 in different orders (sums of <= 6
# terms, exp/log/erf to ~1 ulp), so they differ by O(10 eps) relative; 1e-12 (~4500 eps) covers that and
# is a billion times smaller than the 0.1% perturbation the checks must catch.
NUMERIC_TOL = 1e-12

COMPLEX_STEP = 1e-20  # numeric.gradcheck's complex step (× max(1, |v|)): truncation O(step²), exact to rounding
# Complex step: the derivative is Im J(v + i t e)/t without cancellation, accurate to a few ulps of each
# term; the analytic side rounds sums of <= 6 terms; 1e-13 relative (~450 eps) bounds both.
COMPLEX_STEP_TOL = 1e-13
# Central differences (ReLU downstream): numeric.gradcheck's step eps^(1/3)·max(1, |v|) ≈ 6e-6 balances truncation (step²/6 · |J'''|) and
# rounding (eps |J| / step): each ≈ 4e-11 for the O(1) scales drawn; 1e-8 leaves a margin of ~250.
CENTRAL_TOL = 1e-8
# ReLU kinks: every pre-activation is kept >= 0.05 from 0, far beyond the step times Σ|x_j| (< 1e-4).
KINK_MARGIN = 0.05


def problem(draw) -> dict:
    """A concrete graph (Eqs. 5.3.1–5.3.6) from a drawn tuple: x, W1, W2 ~ N(0, 1), a label or target, the
    forward and backward of numeric.backprop."""
    import numeric.backprop as nbp

    D, H, Q, seed, activation, loss, lam_ = draw
    rng = np.random.default_rng(seed)
    x_ = rng.standard_normal(D)
    W1_ = rng.standard_normal((H, D))
    W2_ = rng.standard_normal((Q, H))
    y_ = int(rng.integers(Q)) if loss == "cross_entropy" else rng.standard_normal(Q)
    fwd = nbp.forward(x_, y_, W1_, W2_, lam=lam_, activation=activation, loss=loss)
    return dict(fwd=fwd, bwd=nbp.backward(fwd), activation=activation, loss=loss, lam=lam_, y=y_)


_u = Symbol("u", real=True)


@functools.cache
def scalar_activation(name: str) -> tuple[Callable, Callable]:
    """(φ, φ') lambdified from SymPy expressions (the ReLU convention φ'(0) = 0 written out)."""
    exprs = {
        "relu": sp.Piecewise((0, _u <= 0), (_u, True)),
        "sigmoid": 1 / (1 + sp.exp(-_u)),
        "tanh": sp.tanh(_u),
        "swish": _u / (1 + sp.exp(-_u)),  # β = 1
        "gelu": _u * (1 + sp.erf(_u / sp.sqrt(2))) / 2,
    }
    f = exprs[name]
    df = sp.Piecewise((0, _u <= 0), (1, True)) if name == "relu" else sp.diff(f, _u)
    return (sp.lambdify(_u, f, ["scipy", "numpy"]), sp.lambdify(_u, df, ["scipy", "numpy"]))


@functools.cache
def loss_gradient(loss: str, Q: int, label: int | None) -> Callable:
    """Eq. 5.3.9's ∂l/∂o at explicit size Q, derived by SymPy and lambdified (softmax CE for ``label``, or ½‖o − t‖²)."""
    os_ = sp.symbols(f"o_0:{Q}", real=True)
    if loss == "cross_entropy":
        ell = sp.log(sum(sp.exp(v) for v in os_)) - os_[label]
        args = list(os_)
    else:
        ts = sp.symbols(f"t_0:{Q}", real=True)
        ell = sum((v - t) ** 2 for v, t in zip(os_, ts)) / 2
        args = list(os_) + list(ts)
    grad = [sp.diff(ell, v) for v in os_]
    return sp.lambdify(args, grad, "numpy")


def symbolic_g(p: dict) -> np.ndarray:
    """g = ∂L/∂o (Eq. 5.3.9) at the drawn problem's o, from :func:`loss_gradient`."""
    fwd = p["fwd"]
    Q = fwd.o.shape[0]
    if p["loss"] == "cross_entropy":
        return np.asarray(loss_gradient("cross_entropy", Q, p["y"])(*fwd.o), dtype=float)
    return np.asarray(loss_gradient("squared", Q, None)(*fwd.o, *p["y"]), dtype=float)
