"""Check builders shared by the claims 5.3.9–5.3.14: symbolic, entrywise, numeric and finite-difference.

Each takes a gradient's key (``"dJ_dW1"``, …) and the equation it implements,
and returns :class:`~derivations.claims.Check` objects:

- :func:`symbolic_checks` -- SymPy's derivation equals the closed form at
  symbolic sizes, has the right shape, and both match the entrywise reference;
- :func:`numeric_check` -- ``numeric.backprop.backward`` against the
  lambdified derivation on drawn graphs;
- :func:`fd_check` -- ``backward`` against finite differences of J as a
  function of that quantity alone (its downstream graph).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable

import numpy as np
import sympy as sp
from hypothesis import assume

from ..calculus.explicit import entries_match
from ..calculus.finite_differences import fd_gradient, relative_error
from ..calculus.lambdify import lambdify_matrix
from ..calculus.normalize import matrices_equal
from ..checking import hypothesis_check
from ..claims import Check, Context
from .gradients import WRT, closed_forms, derived
from .graph import W1, W2, g, h_var, lam, o_var, x, z_var
from .problems import (
    ACTIVATION_NAMES,
    CENTRAL_TOL,
    COMPLEX_STEP_TOL,
    KINK_MARGIN,
    LOSS_NAMES,
    NUMERIC_TOL,
    PROBLEMS,
    problem,
    scalar_activation,
    symbolic_g,
)
from .sized import entrywise_reference, explicit_of

__all__ = ["fd_check", "numeric_check", "symbolic_checks"]


def symbolic_checks(key: str, eq: str) -> list[Check]:
    """The symbolic (symbolic sizes) and symbolic-sized (entrywise at SIZES) checks of one gradient."""
    der, closed = derived()[key], closed_forms()[key]
    ok, why = matrices_equal(der, closed)
    wrt = WRT[key]
    checks = [
        Check(
            "symbolic",
            ok,
            f"Eq. {eq}: SymPy's matrix .diff of J w.r.t. {wrt} (sizes d, h, q symbolic) equals the closed form "
            f"{sp.sstr(closed)}: {why}",
        ),
        Check(
            "shape",
            der.shape == wrt.shape,
            f"{key} has shape {der.shape}, the shape of {wrt} is {wrt.shape} (symbolic sizes)",
        ),
    ]
    reference = entrywise_reference()[key]
    sized = [("derived", explicit_of(der)), ("closed form", explicit_of(closed))]
    fails = [(n, why) for n, M in sized for ok_, why in [entries_match(M, reference)] if not ok_]
    checks.append(
        Check(
            "symbolic-sized",
            not fails,
            f"Eq. {eq} entrywise at d=3, h=4, q=5 (symbolic entries, generic φ and loss l(o_1..o_5)): derived and "
            f"closed form both equal ∂J/∂{wrt}[i,j] differentiated entry by entry, shape {reference.shape}"
            + ("" if not fails else f"; FAILED: {fails[0][0]}: {fails[0][1]}"),
        )
    )
    return checks


@functools.cache
def _derived_numeric(key: str) -> Callable:
    """The derived gradient ``key`` as a NumPy function of (x, W1, W2, g, lam, z, h, o, phi-name)."""
    args = [x, W1, W2, g, lam, z_var, h_var, o_var]
    cache: dict[str, Callable] = {}

    def f(values, activation):
        if activation not in cache:
            phi_np, dphi_np = scalar_activation(activation)
            cache[activation] = lambdify_matrix(derived()[key], args, {"phi": phi_np, "D0phi": dphi_np})
        return cache[activation](*values)

    return f


def numeric_check(key: str, eq: str, ctx: Context, salt: int) -> Check:
    """backward's field ``key`` vs the lambdified derivation on Hypothesis-drawn sizes, values, φ, loss, λ."""
    column = {"dJ_do", "dJ_dh", "dJ_dz"}

    def error(draw):
        p = problem(draw)
        fwd = p["fwd"]
        col = lambda v: np.asarray(v, dtype=float).reshape(-1, 1)  # noqa: E731
        values = [col(fwd.x), fwd.W1, fwd.W2, col(symbolic_g(p)), p["lam"], col(fwd.z), col(fwd.h), col(fwd.o)]
        expected = _derived_numeric(key)(values, p["activation"])
        got = getattr(p["bwd"], key)
        got = col(got) if key in column else np.asarray(got)
        return relative_error(got, expected)

    return hypothesis_check(
        "numeric",
        f"Eq. {eq}: numeric.backprop.backward().{key} vs the lambdified SymPy derivation (sizes 1..6, 5 activations, "
        f"2 losses, λ in {{0, 0.1, 1.5}}; error relative to max(max|entry|, 1), tol = 1e-12 from float64 reordering)",
        PROBLEMS,
        error,
        ctx=ctx,
        tol=NUMERIC_TOL,
        salt=salt,
    )


# -- finite differences of J as a function of one intermediate ---------------------------------------
def _downstream(key: str, p: dict) -> tuple[Callable, np.ndarray]:
    """J as a function of the intermediate of ``key`` (the downstream graph), and where to differentiate."""
    from numeric import activations as nact
    from numeric import losses as nlosses

    fwd = p["fwd"]
    phi_np, _ = nact.get(p["activation"])
    loss_fn, _ = nlosses.get(p["loss"])
    y_, lam_ = p["y"], p["lam"]

    def s_of(A, B):
        return lam_ / 2 * (np.sum(A * A) + np.sum(B * B))

    def loss(o_):
        return loss_fn(o_, y_)[()]

    if key == "dJ_do":
        return (lambda v: loss(v) + s_of(fwd.W1, fwd.W2)), fwd.o
    if key == "dJ_dh":
        return (lambda v: loss(fwd.W2 @ v) + s_of(fwd.W1, fwd.W2)), fwd.h
    if key == "dJ_dz":
        return (lambda v: loss(fwd.W2 @ phi_np(v)) + s_of(fwd.W1, fwd.W2)), fwd.z
    if key == "dJ_dW2":
        return (lambda v: loss(v @ fwd.h) + s_of(fwd.W1, v)), fwd.W2
    if key == "dJ_dW1":
        return (lambda v: loss(fwd.W2 @ phi_np(v @ fwd.x)) + s_of(v, fwd.W2)), fwd.W1
    if key == "ds_dW1":
        return (lambda v: s_of(v, fwd.W2)), fwd.W1
    if key == "ds_dW2":
        return (lambda v: s_of(fwd.W1, v)), fwd.W2
    raise KeyError(f"no downstream graph for {key!r}")


#: The intermediates whose downstream graph passes through φ (ReLU's kink: central differences there).
_THROUGH_PHI = {"dJ_dz", "dJ_dW1"}

_DOWNSTREAM_TEXT = {
    "dJ_do": "J(o) = l(o, y) + s",
    "dJ_dh": "J(h) = l(W2 h, y) + s",
    "dJ_dz": "J(z) = l(W2 φ(z), y) + s",
    "dJ_dW2": "J(W2) = l(W2 h, y) + s(W2)",
    "dJ_dW1": "J(W1) = l(W2 φ(W1 x), y) + s(W1)",
    "ds_dW1": "s(W1)",
    "ds_dW2": "s(W2)",
}


def fd_check(key: str, eq: str, ctx: Context, salt: int) -> Check:
    """backward's ``key`` vs finite differences of J as a function of that quantity, every activation and loss."""
    worst = {True: 0.0, False: 0.0}  # by smoothness: complex step / central differences
    total = 0
    examples = max(2, ctx.examples // 5)  # 10 (activation, loss) pairs share the example budget
    for k, (activation, loss) in enumerate(itertools.product(ACTIVATION_NAMES, LOSS_NAMES)):
        strategy = PROBLEMS.map(lambda t, a=activation, lo=loss: (*t[:4], a, lo, t[6]))
        smooth = not (key in _THROUGH_PHI and activation == "relu")

        def error(draw, smooth=smooth):
            p = problem(draw)
            J, at = _downstream(key, p)
            if not smooth:
                assume(np.min(np.abs(p["fwd"].z)) >= KINK_MARGIN)
            return relative_error(getattr(p["bwd"], key), fd_gradient(J, at, complex_step=smooth))

        how = "complex step" if smooth else "central differences"
        c = hypothesis_check(
            "finite-difference",
            f"Eq. {eq}: backward().{key} vs {how} of {_DOWNSTREAM_TEXT[key]} ({activation}, {loss})",
            strategy,
            error,
            ctx=Context(examples=examples, seed=ctx.seed),
            tol=COMPLEX_STEP_TOL if smooth else CENTRAL_TOL,
            salt=salt * 100 + k,
        )
        if not c.ok:
            return c
        worst[smooth] = max(worst[smooth], c.max_error or 0.0)
        total += examples
    central = (
        f"; central (step eps^(1/3), tol 1e-8, |z| >= 0.05) through ReLU: max {worst[False]:.3g}"
        if key in _THROUGH_PHI
        else ""
    )
    return Check(
        "finite-difference",
        True,
        f"Eq. {eq}: backward().{key} vs finite differences of {_DOWNSTREAM_TEXT[key]} for relu, sigmoid, tanh, swish, "
        f"gelu × softmax CE, squared loss ({total} drawn graphs, sizes 1..6): complex step (step 1e-20, tol 1e-13 "
        f"relative): max {worst[True]:.3g}{central}",
        max_error=max(worst.values()),
    )
