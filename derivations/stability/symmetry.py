"""Claim 5.4.symmetry: permuting hidden units leaves the MLP unchanged; identical units stay identical under SGD.

Checked on :class:`numeric.mlp.MLP`: a Hypothesis-drawn permutation of the
hidden units, 300 minibatch SGD steps from identical units (bit-for-bit equal
afterwards) and from a random initialization (the symmetry breaks).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from ..checking import hypothesis_check
from ..claims import Check, Context, register
from .jacobians import EPS

__all__ = ["PERMUTED_NETS"]

#: A seed and a permutation of 7 hidden units (7: enough for nontrivial cycles, cheap).
_HIDDEN = 7
PERMUTED_NETS = st.tuples(st.integers(0, 2**32 - 1), st.permutations(range(_HIDDEN)))


def _permutation_error(args) -> float:
    """|f(X) - f_π(X)| / (h eps-scale): f with hidden units permuted by π (W1 columns, b1, W2 rows; row-major)."""
    from numeric.mlp import MLP

    seed, perm = args
    rng = np.random.default_rng(seed)
    net = MLP([5, _HIDDEN, 3], activation="tanh", init="xavier_normal", rng=rng)  # 5 inputs, 3 outputs
    net.params[1][:] = rng.standard_normal(_HIDDEN)  # nonzero biases, so b1's permutation matters
    X = rng.standard_normal((11, 5))  # 11 rows: an odd batch
    out = net.forward(X)
    H = net.forward_all(X)[0].H
    scale = np.abs(H) @ np.abs(net.params[2]) + np.abs(net.params[3])  # Σ_j |h_j w_jk| + |b_k|
    W1, b1, W2, b2 = net.params
    p = list(perm)
    net.params[:] = [W1[:, p].copy(), b1[p].copy(), W2[p, :].copy(), b2]
    return float(np.max(np.abs(net.forward(X) - out) / scale))


def _train(params_init, seed: int, steps: int):
    """Minibatch SGD on a fixed random task; returns the MLP after ``steps`` steps."""
    from numeric.mlp import MLP

    rng = np.random.default_rng(seed)
    net = MLP([6, 8, 4], activation="tanh", rng=rng)  # 6 inputs, 8 hidden units, 4 classes
    params_init(net, rng)
    X = rng.standard_normal((256, 6))  # 256 examples
    y = rng.integers(0, 4, size=256)
    for _ in range(steps):
        idx = rng.choice(256, size=32, replace=False)  # minibatches of 32
        _, grads = net.loss_and_grads(X[idx], y[idx])
        for p, g in zip(net.params, grads):
            p -= 0.5 * g  # learning rate 0.5: large, so differences would grow quickly
    return net


def _identical(net, rng) -> None:
    W1, b1, W2, _ = net.params
    W1[:] = rng.standard_normal((W1.shape[0], 1))  # every hidden unit gets the same incoming weights
    b1[:] = rng.standard_normal()
    W2[:] = rng.standard_normal((1, W2.shape[1]))  # and the same outgoing weights


def _spread(net) -> float:
    """Largest difference between any hidden unit's parameters and unit 0's (W1 column, b1, W2 row)."""
    W1, b1, W2, _ = net.params
    return float(max(np.max(np.abs(W1 - W1[:, :1])), np.max(np.abs(b1 - b1[0])), np.max(np.abs(W2 - W2[:1]))))


def _symmetry_statement():
    """f(x, Π W1, Π b1, W2 Πᵀ) = f(x, W1, b1, W2), column-vector form with symbolic sizes d, h, q."""
    d, h, q = sp.symbols("d h q", integer=True, positive=True)
    x, W1 = sp.MatrixSymbol("x", d, 1), sp.MatrixSymbol("W_1", h, d)
    b1, W2, Pi = sp.MatrixSymbol("b_1", h, 1), sp.MatrixSymbol("W_2", q, h), sp.MatrixSymbol("Pi", h, h)
    f = sp.Function("f")
    return sp.Eq(f(x, Pi * W1, Pi * b1, W2 * Pi.T), f(x, W1, b1, W2), evaluate=False)


@register(
    "5.4.symmetry",
    title="Permutation symmetry of hidden units",
    latex=r"f(x; \Pi W_1, \Pi b_1, W_2 \Pi^\top) = f(x; W_1, b_1, W_2);\ "
    r"W_1 e_i = W_1 e_j \Rightarrow \text{SGD keeps them equal}",
    statement=lambda: _symmetry_statement(),
)
def _symmetry(ctx: Context):
    yield hypothesis_check(
        "numeric",
        f"MLP forward with its {_HIDDEN} hidden units permuted (Hypothesis-drawn π) vs unpermuted, error relative to "
        f"Σ_j|h_j w_jk| + |b_k| (tolerance {_HIDDEN + 1} eps: a {_HIDDEN}-term sum in another order)",
        PERMUTED_NETS,
        _permutation_error,
        ctx=ctx,
        tol=(_HIDDEN + 1) * EPS,
        salt=55,
    )
    steps = 300  # "many": 300 minibatch steps at a large learning rate
    same = _train(_identical, ctx.seed, steps)
    spread = _spread(same)
    yield Check(
        "numeric",
        spread == 0.0,
        f"8 hidden units started identical, after {steps} minibatch SGD steps (lr 0.5, batch 32): largest "
        f"difference between units = {spread!r} (required: exactly 0, bit for bit)",
        max_error=spread,
    )
    rand = _train(lambda net, rng: None, ctx.seed, steps)
    W1 = rand.params[0]
    gaps = [np.max(np.abs(W1[:, i] - W1[:, j])) for i in range(W1.shape[1]) for j in range(i)]
    yield Check(
        "numeric",
        min(gaps) > 1e-3,  # 1e-3: ten times below the N(0, 0.01²) init spread, far above rounding
        f"random N(0, 0.01²) init, same {steps} steps: the closest two hidden units differ by {min(gaps):.3g} "
        "(> 1e-3): random initialization breaks the symmetry",
    )
