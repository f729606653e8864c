"""The claims of Eqs. 5.3.8–5.3.14 and 5.3.ex1 (every gradient has the shape of its variable).

Each gradient is (1) proved equal to the book's closed form at symbolic sizes,
(2) confirmed entry by entry at d=3, h=4, q=5, (3) compared with
``numeric.backprop.backward`` and (4) with finite differences of J as a
function of the intermediate itself (:mod:`.checks`).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..calculus.finite_differences import relative_error
from ..checking import hypothesis_check
from ..claims import Check, Context, register
from .checks import fd_check, numeric_check, symbolic_checks
from .gradients import WRT, closed_forms, derived
from .graph import W1, L_node, g, lam, s_node
from .problems import (
    NUMERIC_TOL,
    PROBLEMS,
    loss_gradient,
    problem,
    symbolic_g,
)
from .sized import SIZES, entrywise_reference, explicit_matrices, explicit_of

__all__: list[str] = []  # the claims are registered on import


@register(
    "5.3.8",
    title="∂J/∂L = 1 and ∂J/∂s = 1",
    latex=r"\frac{\partial J}{\partial L} = 1,\quad \frac{\partial J}{\partial s} = 1",
    statement=lambda: sp.Eq(
        sp.Matrix([sp.diff(L_node + s_node, L_node), sp.diff(L_node + s_node, s_node)]), sp.Matrix([1, 1])
    ),
)
def _eq_5_3_8(ctx: Context):
    """Eq. 5.3.8: ∂J/∂L = ∂J/∂s = 1, symbolically and by exact differences of numeric.backprop.forward's J."""
    der = derived()
    yield Check(
        "symbolic",
        der["dJ_dL"] == 1 and der["dJ_ds"] == 1,
        f"d(L + s)/dL = {der['dJ_dL']}, d(L + s)/ds = {der['dJ_ds']}",
    )

    def error(draw):
        import numeric.backprop as nbp

        p = problem(draw)
        fwd, bwd = p["fwd"], p["bwd"]
        # The J that numeric.backprop.forward returns, not a restatement of L + s.  s(λ) = λ/2 ‖W‖² is
        # linear in λ and L does not depend on λ, so J(λ + t) - J(λ) = ∂J/∂s · t ‖W‖²/2 exactly, for
        # any step t (no truncation error); ∂J/∂s is that difference over t ‖W‖²/2, with ‖W‖² from
        # the weights (not from forward's s).  t = 1 + 2(1 + |L|)/‖W‖² makes the difference >= 1 + |L|,
        # so the rounding of the two J's (a few ulps of |L| + |s| each) is <= ~8 eps relative to it.
        # ∂J/∂L = 1: at λ = 0, s = 0, so J must equal the loss L_ref recomputed here from forward's o
        # (logsumexp(o) - o_y, or ½‖o - y‖²): J(L, 0) = L over all drawn L; rounding ~4 eps · max(1, |L|).
        # Both errors are relative, ~1e-15; tol 1e-12.  J = L + 2s gives ∂J/∂s = 2 (error 1); J = 2L + s
        # gives an error |L| / max(1, |L|), > 0 for every draw (L > 0 for either loss almost surely).
        kw = dict(activation=p["activation"], loss=p["loss"])
        w2 = float(np.sum(fwd.W1**2) + np.sum(fwd.W2**2))
        t = 1.0 + 2.0 * (1.0 + abs(float(fwd.L))) / w2
        J_t = nbp.forward(fwd.x, p["y"], fwd.W1, fwd.W2, lam=p["lam"] + t, **kw).J
        dJ_ds = (float(J_t) - float(fwd.J)) / (t * w2 / 2)
        o_ = np.asarray(fwd.o, dtype=float)
        if p["loss"] == "cross_entropy":
            L_ref = float(np.log(np.sum(np.exp(o_ - o_.max()))) + o_.max() - o_[p["y"]])
        else:
            L_ref = float(np.sum((o_ - p["y"]) ** 2) / 2)
        J_0 = float(nbp.forward(fwd.x, p["y"], fwd.W1, fwd.W2, lam=0.0, **kw).J)
        return max(
            abs(dJ_ds - 1.0), abs(bwd.dJ_ds - dJ_ds), abs(J_0 - L_ref) / max(1.0, abs(L_ref)) + abs(bwd.dJ_dL - 1.0)
        )

    yield hypothesis_check(
        "finite-difference",
        "forward().J: (J(λ + t) - J(λ)) / (t ‖W‖²/2) = ∂J/∂s = 1 = backward().dJ_ds (exact difference: s linear in λ), "
        "and J at λ = 0 equals the loss recomputed from o, so ∂J/∂L = 1 = backward().dJ_dL (relative, tol 1e-12)",
        PROBLEMS,
        error,
        ctx=ctx,
        tol=1e-12,  # rounding only (~1e-15 relative, see above); a factor 1.001 in J's s or L is 1e-3
        salt=2,
    )


@register(
    "5.3.9",
    title="∂J/∂o = ∂L/∂o; for softmax cross-entropy, softmax(o) − onehot(y)",
    latex=r"\frac{\partial J}{\partial o} = \frac{\partial L}{\partial o} \in \mathbb{R}^q;\quad \text{softmax CE: } \operatorname{softmax}(o) - e_y",
    statement=lambda: sp.Eq(sp.Symbol(r"\partial J/\partial o"), g),
)
def _eq_5_3_9(ctx: Context):
    """Eq. 5.3.9: ∂J/∂o = g, and for softmax cross-entropy ∂l/∂o = softmax(o) − onehot(y)."""
    yield from symbolic_checks("dJ_do", "5.3.9")  # the chain rule J -> o for a generic loss (L as gᵀo)
    # Not circular (issue 16): ∂L/∂o of the actual losses, derived by derivations.gradient and proved
    # equal to the book's g by verify_gradient (method "symbolic" only for the verdict "proved").
    from .tool import SOFTMAX, tool_check

    yield tool_check(
        "∂L/∂o, softmax CE L = log(sum(exp(o))) - y.T*o (y one-hot) vs softmax(o) - y",
        "log(sum(exp(o))) - y.T*o",
        "o",
        SOFTMAX.format(o="o") + " - y",
        seed=ctx.seed,
    )
    yield tool_check(
        "∂L/∂o, squared loss L = (o - t).T*(o - t)/2 vs o - t", "(o - t).T*(o - t)/2", "o", "o - t", seed=ctx.seed
    )
    # Concrete: softmax CE at explicit q, every label.
    Q = SIZES["q"]
    os_ = sp.symbols(f"o_0:{Q}", real=True)
    Z = sum(sp.exp(v) for v in os_)
    bad = []
    for y_ in range(Q):
        ell = -sp.log(sp.exp(os_[y_]) / Z)
        for k, v in enumerate(os_):
            if sp.simplify(sp.diff(ell, v) - (sp.exp(v) / Z - (1 if k == y_ else 0))) != 0:
                bad.append((y_, k))
    yield Check(
        "symbolic-sized",
        not bad,
        f"softmax CE l = -log(e^(o_y) / Σ e^(o_k)) at q={Q}, every label y: ∂l/∂o_k = softmax(o)_k - [k = y]"
        + (f"; FAILED at (y, k) = {bad[0]}" if bad else ""),
    )

    def error(draw):
        from numeric import losses as nlosses

        p = problem(draw)
        fwd = p["fwd"]
        # the symbolic softmax-CE gradient, lambdified, vs numeric.losses.cross_entropy_grad at the same o
        Q_ = fwd.o.shape[0]
        y_ = p["y"] if p["loss"] == "cross_entropy" else int(draw[3] % Q_)
        sym = np.asarray(loss_gradient("cross_entropy", Q_, y_)(*fwd.o), dtype=float)
        return max(
            relative_error(nlosses.cross_entropy_grad(fwd.o, y_), sym),
            relative_error(np.reshape(p["bwd"].dJ_do, -1), symbolic_g(p)),
        )

    yield hypothesis_check(
        "numeric",
        "numeric.losses.cross_entropy_grad and backward().dJ_do vs the lambdified SymPy ∂l/∂o (tol 1e-12 from float64 reordering)",
        PROBLEMS,
        error,
        ctx=ctx,
        tol=NUMERIC_TOL,
        salt=3,
    )
    yield fd_check("dJ_do", "5.3.9", ctx, salt=4)


@register(
    "5.3.10",
    title="∂s/∂W1 = λW1, ∂s/∂W2 = λW2",
    latex=r"\frac{\partial s}{\partial W^{(1)}} = \lambda W^{(1)},\quad \frac{\partial s}{\partial W^{(2)}} = \lambda W^{(2)}",
    statement=lambda: sp.Eq(derived()["ds_dW1"], lam * W1),
)
def _eq_5_3_10(ctx: Context):
    """Eq. 5.3.10: ∂s/∂W1 = λW1 and ∂s/∂W2 = λW2."""
    for key, salt in (("ds_dW1", 10), ("ds_dW2", 11)):
        yield from symbolic_checks(key, "5.3.10")
        yield numeric_check(key, "5.3.10", ctx, salt)
        yield fd_check(key, "5.3.10", ctx, salt + 2)


def _register_gradient(claim_id: str, key: str, title: str, latex: str, salt: int) -> None:
    """Register the claim of one of Eqs. 5.3.11–5.3.14: the gradient ``key``, by every check of :mod:`.checks`."""

    def checks(ctx: Context):
        yield from symbolic_checks(key, claim_id)
        yield numeric_check(key, claim_id, ctx, salt)
        yield fd_check(key, claim_id, ctx, salt + 1)

    checks.__qualname__ = f"_eq_{claim_id.replace('.', '_')}"
    register(claim_id, title=title, latex=latex, statement=lambda: sp.Eq(closed_forms()[key], derived()[key]))(checks)


_register_gradient(
    "5.3.11", "dJ_dW2", "∂J/∂W2 = (∂J/∂o) hᵀ + λW2",
    r"\frac{\partial J}{\partial W^{(2)}} = \frac{\partial J}{\partial o} h^\top + \lambda W^{(2)} \in \mathbb{R}^{q\times h}", 20,
)  # fmt: skip
_register_gradient(
    "5.3.12", "dJ_dh", "∂J/∂h = W2ᵀ ∂J/∂o",
    r"\frac{\partial J}{\partial h} = {W^{(2)}}^\top \frac{\partial J}{\partial o} \in \mathbb{R}^{h}", 30,
)  # fmt: skip
_register_gradient(
    "5.3.13", "dJ_dz", "∂J/∂z = ∂J/∂h ⊙ φ'(z)",
    r"\frac{\partial J}{\partial z} = \frac{\partial J}{\partial h} \odot \phi'(z)", 40,
)  # fmt: skip
_register_gradient(
    "5.3.14", "dJ_dW1", "∂J/∂W1 = (∂J/∂z) xᵀ + λW1",
    r"\frac{\partial J}{\partial W^{(1)}} = \frac{\partial J}{\partial z} x^\top + \lambda W^{(1)} \in \mathbb{R}^{h\times d}", 50,
)  # fmt: skip


# -- 5.3.ex1: shapes ---------------------------------------------------------------------------------
_FIELD_SHAPES = {
    "dJ_do": lambda D, H, Q: (Q,), "dJ_dh": lambda D, H, Q: (H,), "dJ_dz": lambda D, H, Q: (H,),
    "ds_dW1": lambda D, H, Q: (H, D), "ds_dW2": lambda D, H, Q: (Q, H),
    "dJ_dW1": lambda D, H, Q: (H, D), "dJ_dW2": lambda D, H, Q: (Q, H),
}  # fmt: skip


@register(
    "5.3.ex1",
    title="Every gradient has the shape of the quantity it is taken with respect to",
    latex=r"\operatorname{shape}\frac{\partial J}{\partial V} = \operatorname{shape} V,\ V \in \{o, h, z, W^{(1)}, W^{(2)}\}",
    statement=lambda: sp.Eq(sp.Tuple(*derived()["dJ_dW1"].shape), sp.Tuple(*W1.shape)),
)
def _ex1_shapes(ctx: Context):
    """5.3.ex1: the gradients of Eqs. 5.3.9–5.3.14 have the shapes of o, h, z, W1, W2 (symbolic, explicit, numeric)."""
    der = derived()
    wrong = [k for k, v in WRT.items() if der[k].shape != v.shape]
    yield Check(
        "shape",
        not wrong,
        "symbolic sizes: " + ", ".join(f"{k} {der[k].shape}" for k in WRT) + (f"; WRONG: {wrong}" if wrong else ""),
    )
    ref = entrywise_reference()
    e = explicit_matrices()
    at = {
        "dJ_do": e["o"],
        "dJ_dh": e["h"],
        "dJ_dz": e["z"],
        "dJ_dW1": e["W1"],
        "dJ_dW2": e["W2"],
        "ds_dW1": e["W1"],
        "ds_dW2": e["W2"],
    }
    sized = [k for k in at if explicit_of(der[k]).shape != at[k].shape or ref[k].shape != at[k].shape]
    yield Check(
        "symbolic-sized",
        not sized,
        "d=3, h=4, q=5: every derived gradient evaluated explicitly and every entrywise gradient has the shape of its variable"
        + (f"; WRONG: {sized}" if sized else ""),
    )

    def error(draw):
        p = problem(draw)
        D, H, Q = draw[:3]
        return float(sum(np.shape(getattr(p["bwd"], k)) != f(D, H, Q) for k, f in _FIELD_SHAPES.items()))

    yield hypothesis_check(
        "shape",
        "numeric.backprop.backward() fields have the shapes of o, h, z, W1, W2 on drawn sizes (count of mismatches, tol 0)",
        PROBLEMS,
        error,
        ctx=ctx,
        tol=0.0,
        salt=60,
    )
