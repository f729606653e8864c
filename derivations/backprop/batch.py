"""5.3.batch: backpropagation in the book's minibatch row-major form (``Z_l = H_{l-1} W_l + 1 b_l``), any depth.

One generic layer at symbolic sizes (n rows, a inputs, b outputs) is derived
by :func:`derivations.gradient` and proved equal to the closed forms; the NumPy
``MLP`` (biases, mean loss) is checked against the lambdified derivation and
against finite differences, layer by layer.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from sympy import Function, Matrix, MatrixSymbol, Symbol, Trace
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from ..calculus.explicit import entries_match, entrywise, substitute_explicit
from ..calculus.finite_differences import fd_gradient, relative_error
from ..calculus.lambdify import lambdify_matrix
from ..calculus.normalize import matrices_equal, named_derivative
from ..checking import hypothesis_check
from ..claims import Check, Context, also_check, register
from .gradients import derive
from .graph import dphi, lam, phi
from .problems import (
    ACTIVATION_NAMES,
    CENTRAL_TOL,
    COMPLEX_STEP_TOL,
    KINK_MARGIN,
    NUMERIC_TOL,
    loss_gradient,
    scalar_activation,
)

__all__ = [
    "BATCH_SIZES", "MLPS", "G_l", "H_prev", "W_l", "Z_prev", "b_l", "closed_forms_batch", "derived_batch", "n_in",
    "n_out", "n_rows",
]  # fmt: skip

n_rows, n_in, n_out = sp.symbols("n a b", integer=True, positive=True)
H_prev = MatrixSymbol("H", n_rows, n_in)  # H_{l-1} (H_0 = X)
Z_prev = MatrixSymbol("Z", n_rows, n_in)  # Z_{l-1}, with H_{l-1} = φ(Z_{l-1})
W_l = MatrixSymbol("W", n_in, n_out)
b_l = MatrixSymbol("beta", n_out, 1)  # the bias as a column; the book's row b_l = betaᵀ
G_l = MatrixSymbol("G", n_rows, n_out)  # G_l = ∂J/∂Z_l (the mean's 1/n included)
_ones = sp.OneMatrix(n_rows, 1)


@functools.cache
def derived_batch() -> dict[str, sp.MatrixExpr]:
    """One generic layer Z_l = H_{l-1} W_l + 1 b_lᵀ: the gradients by :func:`derivations.gradient` (J to first
    order in Z_l: tr(G_lᵀ Z_l), plus the decay λ/2 tr(W_lᵀ W_l))."""
    Z_l = H_prev * W_l + _ones * b_l.T
    decay = lam / 2 * Trace(W_l.T * W_l)
    return {
        "dW": derive(Trace(G_l.T * Z_l) + decay, W_l),
        "db": derive(Trace(G_l.T * Z_l), b_l),
        "G_prev": derive(Trace(G_l.T * (ElementwiseApplyFunction(phi, Z_prev) * W_l)), Z_prev),
    }


def closed_forms_batch() -> dict[str, sp.MatrixExpr]:
    """5.3.batch: ∂J/∂W_l = H_{l-1}ᵀ G_l + λ W_l, ∂J/∂b_l = (1ᵀ G_l)ᵀ, G_{l-1} = (G_l W_lᵀ) ⊙ φ'(Z_{l-1})."""
    return {
        "dW": H_prev.T * G_l + lam * W_l,
        "db": G_l.T * _ones,
        "G_prev": sp.HadamardProduct(G_l * W_l.T, dphi(Z_prev)),
    }


#: Explicit sizes of the entrywise confirmation of the batch form: n rows, a inputs, b outputs (distinct, >= 3).
BATCH_SIZES = {"n": 3, "a": 4, "b": 5}


def _batch_entrywise() -> list[Check]:
    """5.3.batch at BATCH_SIZES: derived and closed forms against SymPy's scalar diff, entry by entry."""
    N, A, B = BATCH_SIZES["n"], BATCH_SIZES["a"], BATCH_SIZES["b"]
    Zp = Matrix(N, A, lambda i, j: Symbol(f"zp_{i}{j}"))
    We = Matrix(A, B, lambda i, j: Symbol(f"w_{i}{j}"))
    be = Matrix(B, 1, lambda i, _: Symbol(f"beta_{i}"))
    l = Function("l")  # J as a generic function of the n·b entries of Z_l (plus the decay)

    def J(Zp_=Zp, W_=We, b_=be):
        Z = Zp_.applyfunc(phi) * W_ + Matrix.ones(N, 1) * b_.T
        return l(*Z) + lam / 2 * sum(w**2 for w in W_)

    Zl = Zp.applyfunc(phi) * We + Matrix.ones(N, 1) * be.T
    Ge = Matrix(N, B, lambda i, j: named_derivative(l, i * B + j)(*Zl))  # ∂l/∂Z_l[i, j] at Z_l
    sub = {H_prev: Zp.applyfunc(phi), Z_prev: Zp, W_l: We, b_l: be, G_l: Ge}
    der, closed = derived_batch(), closed_forms_batch()
    refs = {
        "dW": entrywise(lambda v: J(W_=v), We, "W"),
        "db": entrywise(lambda v: J(b_=v), be, "beta"),
        "G_prev": entrywise(lambda v: J(Zp_=v), Zp, "Zp"),
    }
    checks = []
    for key, ref in refs.items():
        got = [substitute_explicit(expr, sub) for expr in (der[key], closed[key])]
        fails = [why for M in got for ok, why in [entries_match(M, ref)] if not ok]
        checks.append(
            Check(
                "symbolic-sized",
                not fails,
                f"5.3.batch {key} entrywise at n=3, a=4, b=5 (generic φ, J a generic function of the 15 entries of Z_l): "
                f"derived and closed form match, shape {ref.shape}" + (f"; FAILED: {fails[0]}" if fails else ""),
            )
        )
    return checks


#: A drawn MLP: widths (2..5 layers of 1..5 units), a seed, an activation, lam.
MLPS = st.tuples(
    st.lists(st.integers(1, 5), min_size=2, max_size=5), st.integers(1, 4), st.integers(0, 2**32 - 1),
    st.sampled_from(ACTIVATION_NAMES), st.sampled_from([0.0, 0.1, 1.5]),
)  # fmt: skip


def _mlp_problem(draw):
    """A drawn MLP (Xavier-normal weights, N(0, 1) biases), a minibatch X ~ N(0, 1), labels y, and lam."""
    from numeric.mlp import MLP

    sizes, n_, seed, activation, lam_ = draw
    sizes = list(sizes)
    sizes[-1] = max(sizes[-1], 2)  # at least two classes
    rng = np.random.default_rng(seed)
    model = MLP(sizes, activation=activation, init="xavier_normal", rng=rng)
    for b in model.params[1::2]:
        b[...] = rng.standard_normal(b.shape)  # nonzero biases, so ∂J/∂b is tested
    X = rng.standard_normal((n_, sizes[0]))
    y = rng.integers(0, sizes[-1], n_)
    return model, X, y, lam_


@register(
    "5.3.batch",
    title="Backprop in the book's minibatch row-major form, any depth, with biases and mean loss",
    latex=r"\frac{\partial J}{\partial W_l} = H_{l-1}^\top G_l + \lambda W_l,\ \frac{\partial J}{\partial b_l} = \mathbf{1}^\top G_l,\ G_{l-1} = (G_l W_l^\top) \odot \phi'(Z_{l-1})",
    statement=lambda: sp.Eq(derived_batch()["dW"], closed_forms_batch()["dW"]),
)
def _batch(ctx: Context):
    """5.3.batch: the generic layer proved and confirmed entrywise; MLP.backward vs the lambdified derivation and
    finite differences."""
    der, closed = derived_batch(), closed_forms_batch()
    for key in ("dW", "db", "G_prev"):
        ok, why = matrices_equal(der[key], closed[key])
        yield Check(
            "symbolic",
            ok,
            f"generic layer, sizes n, a, b symbolic: SymPy's {key} equals {sp.sstr(closed[key])}: {why}",
        )
    yield from _batch_entrywise()

    def numeric_error(draw):
        model, X, y, lam_ = _mlp_problem(draw)
        result = model.backward(X, y, lam=lam_)
        worst = 0.0
        for l in range(model.depth, 0, -1):
            W, Gl = model.params[2 * l - 2], result.G[l - 1]
            H_ = result.layers[l - 2].H if l > 1 else X
            dW = sp.lambdify([H_prev, G_l, W_l, lam], closed["dW"], "numpy")(H_, Gl, W, lam_)
            # the lambdified closed form G_lᵀ 1 (the ones of the batch's size), flattened to the bias's shape
            db = sp.lambdify([G_l], closed["db"].subs(n_rows, Gl.shape[0]), "numpy")(Gl).ravel()
            worst = max(worst, relative_error(result.grads[2 * l - 2], dW), relative_error(result.grads[2 * l - 1], db))
            if l > 1:
                phi_np, dphi_np = scalar_activation(model.activation)
                Gp = lambdify_matrix(der["G_prev"], [G_l, W_l, Z_prev], {"phi": phi_np, "D0phi": dphi_np})(
                    Gl, W, result.layers[l - 2].Z
                )
                worst = max(worst, relative_error(result.G[l - 2], Gp))
        # G_L = (softmax(O) - onehot(y)) / n from the lambdified softmax-CE derivation, row by row
        O = result.layers[-1].H
        GL = np.array([loss_gradient("cross_entropy", O.shape[1], int(t))(*row) for row, t in zip(O, y)]) / len(y)
        return max(worst, relative_error(result.G[-1], GL))

    yield hypothesis_check(
        "numeric",
        "MLP.backward grads and G_l vs the lambdified derivation, layer by layer (depth 1..4, widths 1..5, 5 activations, "
        "λ in {0, 0.1, 1.5}; tol 1e-12 from float64 reordering)",
        MLPS,
        numeric_error,
        ctx=ctx,
        tol=NUMERIC_TOL,
        salt=80,
    )

    def fd_error(draw):
        model, X, y, lam_ = _mlp_problem(draw)
        result = model.backward(X, y, lam=lam_)
        if model.activation == "relu":
            assume(all(np.min(np.abs(layer.Z)) >= KINK_MARGIN for layer in result.layers[:-1]))
        worst = 0.0
        for p, grad in zip(model.params, result.grads):
            original = p.copy()

            def J(v, p=p, original=original):
                p[...] = v
                value = model.loss_and_grads(X, y, lam=lam_)[0]
                p[...] = original
                return float(value)

            worst = max(worst, relative_error(grad, fd_gradient(J, original, complex_step=False)))
        return worst

    yield hypothesis_check(
        "finite-difference",
        "MLP.loss_and_grads vs central differences of J in every weight and bias (step eps^(1/3), tol 1e-8 relative; "
        "depth 1..4, 5 activations, ReLU pre-activations >= 0.05 from 0)",
        MLPS,
        fd_error,
        ctx=ctx,
        tol=CENTRAL_TOL,
        salt=81,
    )


@also_check("5.3.batch")
def _batch_backward_signals(ctx: Context):
    """G_l = ∂J/∂Z_l against the complex step of J as a function of Z_l alone (the layers downstream of it)."""
    from numeric import activations as nact
    from numeric import losses as nlosses

    def error(draw):
        model, X, y, lam_ = _mlp_problem(draw)
        result = model.backward(X, y, lam=lam_)
        phi_np, _ = nact.get(model.activation)
        decay = lam_ / 2 * sum(float(np.sum(W * W)) for W in model.params[0::2])  # constant in Z_l
        worst = 0.0
        for l in range(1, model.depth + 1):

            def J(Zl, l=l):
                H = phi_np(Zl) if l < model.depth else Zl
                for k in range(l + 1, model.depth + 1):
                    Zk = H @ model.params[2 * k - 2] + model.params[2 * k - 1]
                    H = phi_np(Zk) if k < model.depth else Zk
                return np.mean(nlosses.cross_entropy(H, y)) + decay

            numeric_G = fd_gradient(J, result.layers[l - 1].Z, complex_step=True)
            worst = max(worst, relative_error(result.G[l - 1], numeric_G))
        return worst

    smooth = MLPS.filter(lambda t: t[3] != "relu")  # complex step needs φ analytic downstream of Z_l
    yield hypothesis_check(
        "finite-difference",
        "MLP.backward's signals G_l vs complex step (step 1e-20, tol 1e-13 relative) of J as a function of Z_l "
        "(downstream layers only), every layer; depth 1..4, sigmoid, tanh, swish, gelu",
        smooth,
        error,
        ctx=ctx,
        tol=COMPLEX_STEP_TOL,
        salt=82,
    )
