"""Section 5.1: the MLP's shapes (5.1.1), the collapse of linear layers (5.1.2), and why ReLU stops it (5.1.3).

Row-major minibatch form as in the book (``H = X W1 + b1``); the bias row
``b1 ∈ R^{1×h}`` is broadcast over the ``n`` rows, which SymPy states as
``1_n b1`` with ``1_n = OneMatrix(n, 1)``.  Sizes ``n, d, h, q`` are symbols.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .chain import shape_of, verify_chain
from .claims import Check, Context, register

__all__ = ["affine_identity_gap", "hidden", "output", "relu_network"]

n, d, h, q = sp.symbols("n d h q", integer=True, positive=True)
X = sp.MatrixSymbol("X", n, d)
W1 = sp.MatrixSymbol("W1", d, h)
b1 = sp.MatrixSymbol("b1", 1, h)
W2 = sp.MatrixSymbol("W2", h, q)
b2 = sp.MatrixSymbol("b2", 1, q)
ones_n = sp.OneMatrix(n, 1)  # broadcasting a bias row over n rows = left-multiplying by a column of ones


def hidden(X=X, W1=W1, b1=b1):
    """Eq. 5.1.1 (first half): H = X W1 + b1, row-major, b1 broadcast over the rows of X."""
    return X * W1 + sp.OneMatrix(X.shape[0], 1) * b1


def output(H, W2=W2, b2=b2):
    """Eq. 5.1.1 (second half): O = H W2 + b2, row-major, b2 broadcast over the rows of H."""
    return H * W2 + sp.OneMatrix(H.shape[0], 1) * b2


def _shape_check(expr, expected, what: str) -> Check:
    problems: list[str] = []
    shape = shape_of(expr, problems)
    ok = not problems and shape is not None and all(sp.simplify(a - b) == 0 for a, b in zip(shape, expected))
    found = "; ".join(problems) if problems else f"{sp.sstr(shape[0])}×{sp.sstr(shape[1])}"
    return Check(
        "shape",
        ok,
        f"{what}: every sum and product is size-consistent, result {found} "
        f"(expected {sp.sstr(expected[0])}×{sp.sstr(expected[1])}; symbolic n, d, h, q)",
    )


@register(
    "5.1.1",
    title="Shapes of the two-layer MLP (row-major, bias broadcast over rows)",
    latex=r"H = XW_1 + b_1 \in \mathbb{R}^{n\times h},\ O = HW_2 + b_2 \in \mathbb{R}^{n\times q}",
    statement=lambda: sp.Eq(sp.Symbol("O"), output(hidden())),
)
def _shapes(ctx: Context):
    H = hidden()
    yield _shape_check(H, (n, h), "H = X W1 + 1_n b1")
    yield _shape_check(output(H), (n, q), "O = H W2 + 1_n b2")
    # Without the broadcast, X W1 + b1 adds n×h to 1×h: the walker must reject it.
    problems: list[str] = []
    shape_of(X * W1 + b1, problems)  # SymPy accepts this silently for symbolic n
    yield Check(
        "shape",
        bool(problems),
        f"X W1 + b1 without broadcasting is rejected: {problems[0] if problems else 'NOT rejected'}",
    )
    # NumPy's broadcasting of a (h,) bias equals the 1_n b1 form, at distinct sizes >= 3.
    rng = ctx.rng(1)
    sizes = dict(zip((n, d, h, q), rng.choice(np.arange(3, 9), size=4, replace=False)))  # 3..8: distinct, >= 3
    sizes[1] = 1
    Xv, W1v, b1v = (rng.standard_normal((int(sizes[r]), int(sizes[c]))) for r, c in ((n, d), (d, h), (1, h)))
    broadcast = Xv @ W1v + b1v.ravel()
    explicit = Xv @ W1v + np.ones((int(sizes[n]), 1)) @ b1v
    err = float(np.max(np.abs(broadcast - explicit)))
    # identical additions in both forms (1·b1 is exact), so the results must agree bit for bit
    yield Check(
        "numeric",
        err == 0.0,
        f"NumPy's X @ W1 + b1 with b1 of shape (h,) equals X @ W1 + 1_n b1 exactly "
        f"at n, d, h = {int(sizes[n])}, {int(sizes[d])}, {int(sizes[h])}",
        max_error=err,
    )


def _chain_checks(result, what: str):
    for check in result.steps:
        yield Check(check.method, check.ok, f"{what}, {check.detail}", check.max_error)


@register(
    "5.1.2",
    title="Without a nonlinearity the layers collapse to one affine map",
    latex=r"(XW_1 + b_1)W_2 + b_2 = XW + b,\ W = W_1W_2,\ b = b_1W_2 + b_2;\quad "
    r"W_2(W_1x + b_1) + b_2 = (W_2W_1)x + (W_2b_1 + b_2)",
    statement=lambda: sp.Eq(output(hidden()), X * (W1 * W2) + ones_n * (b1 * W2 + b2)),
)
def _collapse(ctx: Context):
    row = verify_chain(
        [output(hidden()), X * W1 * W2 + ones_n * b1 * W2 + ones_n * b2, X * (W1 * W2) + ones_n * (b1 * W2 + b2)],
        seed=ctx.seed,
    )
    yield from _chain_checks(row, "row form (X W1 + 1 b1) W2 + 1 b2 = X W + 1 b")
    col = verify_chain(
        ["W2*(W1*x + b1) + b2", "W2*W1*x + W2*b1 + b2", "(W2*W1)*x + (W2*b1 + b2)"],
        matrices={"W1": ("h", "d"), "W2": ("q", "h"), "x": ("d", 1), "b1": ("h", 1), "b2": ("q", 1)},
        seed=ctx.seed,
    )
    yield from _chain_checks(col, "column form W2 (W1 x + b1) + b2 = W x + b")


def relu_network(u):
    """Eq. 5.1.3's counterexample network f(u) = w2ᵀ ReLU(W1 u) with W1 = (1, -1)ᵀ, w2 = (1, 1): f(u) = |u|.

    Column form, scalar input u (d = 1, h = 2, q = 1, zero biases).
    """
    W1v = sp.Matrix([[1], [-1]])
    w2v = sp.Matrix([[1, 1]])
    return (w2v * (W1v * u).applyfunc(lambda z: sp.Max(z, 0)))[0, 0]


def affine_identity_gap(f, u):
    """f(u) + f(-u) - 2 f(0): zero for every affine f (Eq. 5.1.3's test)."""
    return f(u) + f(-u) - 2 * f(0)


@register(
    "5.1.3",
    title="With ReLU the network is not affine",
    latex=r"f(u) = w_2^\top \mathrm{ReLU}(W_1u):\ f(1) + f(-1) = 2 \neq 2f(0) = 0",
    statement=lambda: sp.Ne(affine_identity_gap(relu_network, sp.Integer(1)), 0),
)
def _not_affine(ctx: Context):
    Wa, ba, ua = sp.MatrixSymbol("W", q, d), sp.MatrixSymbol("b", q, 1), sp.MatrixSymbol("u", d, 1)
    affine = verify_chain([(Wa * ua + ba) + (Wa * (-ua) + ba), 2 * (Wa * sp.ZeroMatrix(d, 1) + ba)], seed=ctx.seed)
    yield from _chain_checks(affine, "every affine f(u) = W u + b has f(u) + f(-u) = 2 f(0)")
    gap = affine_identity_gap(relu_network, sp.Integer(1))  # exact: Max on integers
    yield Check(
        "counterexample",
        gap != 0,
        f"ReLU net W1 = (1, -1)ᵀ, w2 = (1, 1), no biases: f(1) + f(-1) - 2 f(0) = {gap} (exact), "
        f"so no W, b reproduce it",
        max_error=None,
    )
    from numeric.activations import relu

    W1v, w2v = np.array([[1.0], [-1.0]]), np.array([1.0, 1.0])
    f = lambda u: float(w2v @ relu(W1v @ np.array([u])))  # noqa: E731 - the same net in NumPy
    numeric_gap = f(1.0) + f(-1.0) - 2 * f(0.0)
    yield Check(
        "counterexample",
        numeric_gap == 2.0,
        f"the same net through numeric.activations.relu: f(1) + f(-1) - 2 f(0) = {numeric_gap} "
        f"(exact in floating point: sums of 0 and 1)",
    )
