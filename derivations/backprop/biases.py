"""5.3.ex2: with biases z = W1 x + b1, o = W2 h + b2, ∂J/∂b1 = ∂J/∂z, ∂J/∂b2 = ∂J/∂o, Eqs. 5.3.11–5.3.14 unchanged.

Column vectors as in the rest of 5.3; the biases are not regularized.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp
from hypothesis import assume
from sympy import Matrix
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from ..calculus.explicit import entries_match, entrywise
from ..calculus.finite_differences import fd_gradient, relative_error
from ..calculus.lambdify import lambdify_matrix
from ..calculus.normalize import matrices_equal, named_derivative
from ..checking import hypothesis_check
from ..claims import Check, Context, register
from .gradients import derive
from .graph import W1, W2, b1, b2, dphi, g, lam, loss_term, phi, s, x
from .problems import (
    CENTRAL_TOL,
    COMPLEX_STEP_TOL,
    KINK_MARGIN,
    NUMERIC_TOL,
    PROBLEMS,
    problem,
    scalar_activation,
    symbolic_g,
)
from .sized import SIZES, explicit_matrices, explicit_of

__all__ = ["closed_forms_with_biases", "derived_with_biases", "h_b", "o_b", "z_b"]

z_b = W1 * x + b1
h_b = ElementwiseApplyFunction(phi, z_b)
o_b = W2 * h_b + b2


@functools.cache
def derived_with_biases() -> dict[str, sp.MatrixExpr]:
    """5.3.ex2: the gradients of J with z = W1 x + b1, o = W2 h + b2, by :func:`derivations.gradient`."""
    J = loss_term(o_b) + s
    return {"dJ_db1": derive(J, b1), "dJ_db2": derive(J, b2), "dJ_dW1": derive(J, W1), "dJ_dW2": derive(J, W2)}


@functools.cache
def closed_forms_with_biases() -> dict[str, sp.MatrixExpr]:
    """5.3.ex2: ∂J/∂b1 = ∂J/∂z, ∂J/∂b2 = ∂J/∂o, and 5.3.11, 5.3.14 unchanged (at z = W1 x + b1)."""
    dz = sp.HadamardProduct(W2.T * g, dphi(z_b))
    return {"dJ_db1": dz, "dJ_db2": g, "dJ_dW1": dz * x.T + lam * W1, "dJ_dW2": g * h_b.T + lam * W2}


@functools.cache
def _entrywise_with_biases() -> dict[str, Matrix]:
    """5.3.ex2: ∂J/∂b1, ∂J/∂b2, ∂J/∂W1, ∂J/∂W2 with biases, entry by entry at SIZES."""
    e = explicit_matrices()
    l, W1e, W2e, xe, b1e, b2e = e["l"], e["W1"], e["W2"], e["x"], e["b1"], e["b2"]

    def J(A=W1e, B=W2e, c1=b1e, c2=b2e):
        return l(*(B * (A * xe + c1).applyfunc(phi) + c2)) + lam / 2 * (sum(w**2 for w in A) + sum(w**2 for w in B))

    return {
        "dJ_db1": entrywise(lambda v: J(c1=v), b1e, "b1"),
        "dJ_db2": entrywise(lambda v: J(c2=v), b2e, "b2"),
        "dJ_dW1": entrywise(lambda v: J(A=v), W1e, "bW1"),
        "dJ_dW2": entrywise(lambda v: J(B=v), W2e, "bW2"),
    }


def _problem_with_biases(draw) -> dict:
    """A drawn graph (:func:`~.problems.problem`) with N(0, 1) biases b1, b2 added."""
    import numeric.backprop as nbp

    p = problem(draw)
    fwd = p["fwd"]
    rng = np.random.default_rng([draw[3], 1])
    b1_, b2_ = rng.standard_normal(fwd.z.shape[0]), rng.standard_normal(fwd.o.shape[0])
    fb = nbp.forward(
        fwd.x, p["y"], fwd.W1, fwd.W2, lam=p["lam"], activation=p["activation"], loss=p["loss"], b1=b1_, b2=b2_
    )
    return dict(p, fwd=fb, bwd=nbp.backward(fb))


@register(
    "5.3.ex2",
    title="With biases: ∂J/∂b1 = ∂J/∂z, ∂J/∂b2 = ∂J/∂o, 5.3.11–5.3.14 unchanged",
    latex=r"z = W^{(1)}x + b^{(1)},\ o = W^{(2)}h + b^{(2)}:\ \frac{\partial J}{\partial b^{(1)}} = \frac{\partial J}{\partial z},\ \frac{\partial J}{\partial b^{(2)}} = \frac{\partial J}{\partial o}",
    statement=lambda: sp.Eq(derived_with_biases()["dJ_db1"], closed_forms_with_biases()["dJ_db1"]),
)
def _ex2_biases(ctx: Context):
    """5.3.ex2: symbolic, entrywise, numeric and finite-difference checks of the gradients with biases."""
    der, closed, ref = derived_with_biases(), closed_forms_with_biases(), _entrywise_with_biases()
    e = explicit_matrices()
    ob = e["W2"] * (e["W1"] * e["x"] + e["b1"]).applyfunc(phi) + e["b2"]
    g_at_ob = Matrix(SIZES["q"], 1, lambda k, _: named_derivative(e["l"], k)(*ob))
    for key in ("dJ_db1", "dJ_db2", "dJ_dW1", "dJ_dW2"):
        ok, why = matrices_equal(der[key], closed[key])
        yield Check("symbolic", ok, f"with biases, SymPy's {key} (symbolic sizes) equals {sp.sstr(closed[key])}: {why}")
        fails = [
            why_
            for M in (explicit_of(der[key], {g: g_at_ob}), explicit_of(closed[key], {g: g_at_ob}))
            for ok_, why_ in [entries_match(M, ref[key])]
            if not ok_
        ]
        yield Check(
            "symbolic-sized",
            not fails,
            f"with biases, {key} entrywise at d=3, h=4, q=5 (generic φ, l): derived and closed form match, shape {ref[key].shape}"
            + (f"; FAILED: {fails[0]}" if fails else ""),
        )

    def numeric_error(draw):
        p = _problem_with_biases(draw)
        fwd, bwd = p["fwd"], p["bwd"]
        phi_np, dphi_np = scalar_activation(p["activation"])
        col = lambda v: np.asarray(v, dtype=float).reshape(-1, 1)  # noqa: E731
        values = [col(fwd.x), fwd.W1, fwd.W2, col(fwd.b1), col(fwd.b2), col(symbolic_g(p)), p["lam"]]
        worst = max(relative_error(bwd.dJ_db1, bwd.dJ_dz), relative_error(bwd.dJ_db2, bwd.dJ_do))
        for key in ("dJ_db1", "dJ_db2", "dJ_dW1", "dJ_dW2"):
            f = lambdify_matrix(der[key], [x, W1, W2, b1, b2, g, lam], {"phi": phi_np, "D0phi": dphi_np})
            got = getattr(bwd, key)
            worst = max(worst, relative_error(got.reshape(-1, 1) if got.ndim == 1 else got, f(*values)))
        return worst

    yield hypothesis_check(
        "numeric",
        "numeric.backprop with biases: dJ_db1, dJ_db2, dJ_dW1, dJ_dW2 vs the lambdified derivation, and dJ_db1 == dJ_dz, "
        "dJ_db2 == dJ_do (5 activations, 2 losses; tol 1e-12 from float64 reordering)",
        PROBLEMS,
        numeric_error,
        ctx=ctx,
        tol=NUMERIC_TOL,
        salt=70,
    )

    def fd_error(draw):
        from numeric import activations as nact
        from numeric import losses as nlosses

        p = _problem_with_biases(draw)
        fwd, bwd = p["fwd"], p["bwd"]
        phi_np, _ = nact.get(p["activation"])
        loss_fn, _ = nlosses.get(p["loss"])

        def J(W1_=fwd.W1, W2_=fwd.W2, c1=fwd.b1, c2=fwd.b2):
            o_ = W2_ @ phi_np(W1_ @ fwd.x + c1) + c2
            return loss_fn(o_, p["y"])[()] + p["lam"] / 2 * (np.sum(W1_ * W1_) + np.sum(W2_ * W2_))

        smooth = p["activation"] != "relu"
        if not smooth:
            assume(np.min(np.abs(fwd.z)) >= KINK_MARGIN)
        pairs = [
            (bwd.dJ_db1, fd_gradient(lambda v: J(c1=v), fwd.b1, smooth)),
            (bwd.dJ_db2, fd_gradient(lambda v: J(c2=v), fwd.b2, True)),
            (bwd.dJ_dW1, fd_gradient(lambda v: J(W1_=v), fwd.W1, smooth)),
            (bwd.dJ_dW2, fd_gradient(lambda v: J(W2_=v), fwd.W2, True)),
        ]
        return max(relative_error(a, b) for a, b in pairs)

    smooth_problems = PROBLEMS.filter(lambda t: t[4] != "relu")
    relu_problems = PROBLEMS.map(lambda t: (*t[:4], "relu", *t[5:]))
    yield hypothesis_check(
        "finite-difference",
        "with biases: dJ_db1, dJ_db2, dJ_dW1, dJ_dW2 vs complex step (step 1e-20, tol 1e-13 relative) of J(b1), J(b2), "
        "J(W1), J(W2); sigmoid, tanh, swish, gelu; both losses",
        smooth_problems,
        fd_error,
        ctx=ctx,
        tol=COMPLEX_STEP_TOL,
        salt=71,
    )
    yield hypothesis_check(
        "finite-difference",
        "with biases, ReLU: dJ_db1, dJ_dW1 vs central differences (step eps^(1/3), tol 1e-8, |z| >= 0.05), dJ_db2, "
        "dJ_dW2 vs complex step; both losses",
        relu_problems,
        fd_error,
        ctx=ctx,
        tol=CENTRAL_TOL,
        salt=72,
    )
