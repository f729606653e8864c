"""Errata of the study note (the project's ``seed/000_d0943e9eba203bc5.txt``), each refuted by a check.

Every claim here is registered with ``expected=False``: it states what the
note writes.  The checks that test the note's statement are marked
``refutes=True``: one of them failing (a failing chain step, a shape mismatch
or a counterexample) refutes it.  The corrected statement is in the title and
its checks (``refutes=False``) must all pass: an erratum is found only when the
statement is refuted AND every correction holds (``derivations.claims.verdict``).
Where a shape mismatch refutes the note, a numeric counterexample at sizes
where the shapes agree refutes it too (h = q for the collapse; a width-1 layer
for the gradient product).

- ``note.5.1.collapse``: ``o = W2 h + b2 = ... = (W2 W1) x + (W2 b1 + b2) = W x + b1``
  (last step wrong; correct ``W x + b`` with ``b = W2 b1 + b2``), after
  declaring the row form ``h = x W1 + b1``.
- ``note.5.1.hidden-layers``: "integrating two or more hidden layers overcame the limits of
  linear models" (one hidden layer with a nonlinearity already does: the book says "one or more").
- ``note.5.4.gradient-product``: ``∂_{W_t} o = ∂_{h^{d-1}} h^d ⋯ ∂_{h^t} h^{t+1} ∂_{h^t} h^t``
  (last factor is the identity, so the product is ∂o/∂h^t).
- ``note.5.4.v-vector``: "the product of d−t matrices and the gradient VECTOR v_t"
  (v_t = ∂h^{t+1}/∂W_t is a third-order tensor; flattened, a matrix).
- ``note.5.4.symmetry``: "flip W1 of the first layer and also the second layer's outputs:
  the same function" (swapping outputs changes it; swap W2's columns instead).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .chain import verify_chain
from .claims import Check, Context, register

__all__ = ["COLUMN_SHAPES", "NOTE_COLLAPSE", "ROW_SHAPES", "WIDTHS", "note_gradient_product", "xor_network"]

#: The note's chain for 5.1.2, step by step (column form).
NOTE_COLLAPSE = ["W2*h + b2", "W2*(W1*x + b1) + b2", "(W2*W1)*x + (W2*b1 + b2)", "(W2*W1)*x + b1"]
#: Column-form shapes (the book's 5.3 convention), the only ones under which the chain's left part is well formed.
COLUMN_SHAPES = {"W1": ("h", "d"), "W2": ("q", "h"), "x": ("d", 1), "b1": ("h", 1), "b2": ("q", 1), "h": ("h", 1)}
#: The shapes the note declares one line earlier with ``h = x W1 + b1, o = h W2 + b2`` (row vectors).
ROW_SHAPES = {"W1": ("d", "h"), "W2": ("h", "q"), "x": (1, "d"), "b1": (1, "h"), "b2": (1, "q")}


def _relabel(result, what: str, *, refutes: bool = True):
    for check in result.steps:
        yield Check(check.method, check.ok, f"{what} {check.detail}", check.max_error, refutes=refutes)


@register(
    "note.5.1.collapse",
    title="Note: collapse ends in W x + b1 (correct: W x + b, b = W2 b1 + b2; and h = x W1 + b1 is row form)",
    latex=r"o = W_2h + b_2 = W_2(W_1x + b_1) + b_2 = (W_2W_1)x + (W_2b_1 + b_2) = Wx + b_1",
    expected=False,
)
def _note_collapse(ctx: Context):
    from .chain import parse

    # The note's first expression, o = W2 h + b2, with h := W1 x + b1 substituted (hh: the hidden vector,
    # a name distinct from the dimension h); the later expressions as the note writes them.
    shapes = {**{k: v for k, v in COLUMN_SHAPES.items() if k != "h"}, "hh": COLUMN_SHAPES["h"]}
    first = parse("W2*hh + b2", shapes).subs(parse("hh", shapes), parse("W1*x + b1", shapes))
    note = verify_chain([first, *NOTE_COLLAPSE[1:]], matrices=shapes, seed=ctx.seed)
    yield from _relabel(note, "note's chain (column form, symbolic d, h, q):")
    proper = verify_chain([NOTE_COLLAPSE[2], "(W2*W1)*x + (W2*b1 + b2)"], matrices=shapes, seed=ctx.seed)
    yield Check(
        "symbolic",
        proper.ok,
        "correction: (W2 W1) x + (W2 b1 + b2) = W x + b with W = W2 W1, "
        f"b = W2 b1 + b2 ({'proved' if proper.proved[0] else 'not proved'})",
    )
    # The note's own row-form declaration h = x W1 + b1 (x: 1×d, W1: d×h) makes W1 x ill-formed.
    row = verify_chain(["W2*(W1*x + b1) + b2", "(W2*W1)*x + (W2*b1 + b2)"], matrices=ROW_SHAPES, seed=ctx.seed)
    yield Check(
        row.steps[0].method,
        row.steps[0].ok,
        f"with the note's row-form shapes (h = x W1 + b1: x 1×d, W1 d×h): {row.steps[0].detail}",
        refutes=True,
    )
    # Not a matter of shapes only: with h = q (W2 square) the note's last step is well formed, and
    # the chain checker refutes it with an exact counterexample (W2 b1 + b2 ≠ b1 in general).
    square = {**shapes, "W2": ("h", "h"), "b2": ("h", 1)}
    same = verify_chain(NOTE_COLLAPSE[2:], matrices=square, seed=ctx.seed)
    yield from _relabel(same, "note's last step with h = q (shapes agree):")


# --- 5.1: how many hidden layers -------------------------------------------------------------------

#: XOR with ONE hidden layer of two ReLU units: f(x) = h1 − 2 h2, h = ReLU(x1 + x2, x1 + x2 − 1).
XOR_W1 = sp.Matrix([[1, 1], [1, 1]])
XOR_B1 = sp.Matrix([0, -1])
XOR_W2 = sp.Matrix([[1, -2]])


def xor_network(x1, x2):
    """The one-hidden-layer ReLU network above at (x1, x2), exactly (SymPy Max on integers)."""
    z = XOR_W1 * sp.Matrix([x1, x2]) + XOR_B1
    return (XOR_W2 * z.applyfunc(lambda v: sp.Max(v, 0)))[0, 0]


@register(
    "note.5.1.hidden-layers",
    title="Note: overcoming the linear model's limits takes two or more hidden layers "
    "(correct: one hidden layer with a nonlinearity suffices, 'one or more')",
    latex=r"	ext{one hidden layer} \Rightarrow 	ext{affine}:\ f(0,0) + f(1,1) \overset{?}{=} f(1,0) + f(0,1)",
    expected=False,
)
def _note_hidden_layers(ctx: Context):
    # Every affine f(x) = w·x + b satisfies f(0,0) + f(1,1) = f(1,0) + f(0,1): proved by the chain checker.
    w1, w2, b = sp.symbols("w1 w2 b")
    f = lambda a, c: w1 * a + w2 * c + b  # noqa: E731 - an arbitrary affine map of two inputs
    affine = verify_chain([f(0, 0) + f(1, 1), f(1, 0) + f(0, 1)], seed=ctx.seed)
    yield Check(
        "symbolic",
        affine.ok,
        "every affine f(x) = w1 x1 + w2 x2 + b has f(0,0) + f(1,1) = f(1,0) + f(0,1) "
        f"({'proved' if affine.proved[0] else 'not proved'})",
    )
    values = {p: xor_network(*p) for p in ((0, 0), (1, 0), (0, 1), (1, 1))}
    gap = values[0, 0] + values[1, 1] - values[1, 0] - values[0, 1]
    # The note's claim, tested on its smallest case: a network with fewer than two hidden layers stays
    # within what an affine map can do. XOR with one hidden layer refutes it.
    yield Check(
        "counterexample",
        gap == 0,
        f"ONE hidden layer (2 ReLU units, W1 = {XOR_W1.tolist()}, b1 = {list(XOR_B1)}, w2 = {list(XOR_W2)}) "
        f"computes XOR: f = {[values[p] for p in values]} at (0,0), (1,0), (0,1), (1,1) (exact), so "
        f"f(0,0) + f(1,1) − f(1,0) − f(0,1) = {gap} ≠ 0: no affine map reproduces it, and one hidden "
        "layer is enough (the book: 'one or more hidden layers')",
        refutes=True,
    )
    yield Check(
        "numeric",
        [values[p] for p in values] == [0, 1, 1, 0],
        "correction: the same one-hidden-layer network equals XOR on all four inputs (exact)",
    )


# --- 5.4: the gradient product ----------------------------------------------------------------------

#: Widths n_1..n_4 of a 3-layer net in the note's indexing h^{t+1} = f_t(h^t), h^1 = x, o = h^4;
#: distinct so that no shape coincides by accident.
WIDTHS = (2, 3, 4, 5)


def _layer(W, h):
    """The note's h^{t+1} = f_t(h^t) with f_t(h) = tanh(W_t h) (column vectors)."""
    return np.tanh(W @ h)


def note_gradient_product(Ws, x, t):
    """The note's ∂_{W_t} o = ∂_{h^{d-1}} h^d ⋯ ∂_{h^t} h^{t+1} ∂_{h^t} h^t, taken literally (column form).

    ``Ws[k-1]`` is W_k; returns (the note's product, the hidden states h^1..h^{d+1}).
    """
    hs = [x]
    for W in Ws:
        hs.append(_layer(W, hs[-1]))
    d = len(Ws)

    def M(k):  # ∂_{h^k} h^{k+1} = diag(1 - h^{k+1}²) W_k
        return (1 - hs[k] ** 2)[:, None] * Ws[k - 1]  # hs[k] is h^{k+1} (hs[0] = h^1)

    product = np.eye(len(hs[d - 1]))  # ∂_{h^{d-1}} h^d ... ∂_{h^t} h^{t+1}
    for k in range(d - 1, t - 1, -1):
        product = product @ M(k)
    return product @ np.eye(len(hs[t - 1])), hs  # last factor ∂_{h^t} h^t = I


def _true_dW(Ws, x, t, step=1e-30):
    """∂o/∂vec(W_t) (o = h^{d+1}) by the complex step (error ~1e-15 relative, step 1e-30)."""
    W = Ws[t - 1]
    cols = []
    for idx in np.ndindex(W.shape):
        Wc = [w.astype(complex) for w in Ws]
        Wc[t - 1][idx] += 1j * step
        h = x.astype(complex)
        for Wk in Wc:
            h = _layer(Wk, h)
        cols.append(h.imag / step)
    return np.stack(cols, axis=1)


@register(
    "note.5.4.gradient-product",
    title="Note: ∂_{W_t} o ends in ∂_{h^t} h^t (= I) (correct: ∂_{h^d} h^{d+1} ⋯ ∂_{h^{t+1}} h^{t+2} ∂_{W_t} h^{t+1})",
    latex=r"\partial_{W_t} o = \partial_{h^{d-1}} h^d \cdots \partial_{h^t} h^{t+1}\, \partial_{h^t} h^t",
    expected=False,
)
def _note_gradient_product(ctx: Context):
    rng = ctx.rng(1)
    n = WIDTHS
    Ws = [
        rng.standard_normal((n[k + 1], n[k])) / np.sqrt(n[k]) for k in range(3)
    ]  # fan-in scaling keeps tanh unsaturated
    x = rng.standard_normal(n[0])
    t = 2
    note, hs = note_gradient_product(Ws, x, t)
    true = _true_dW(Ws, x, t)
    yield Check(
        "shape",
        note.shape == true.shape,
        f"3-layer tanh net, widths {n}, t = 2: the note's product is {note.shape[0]}×{note.shape[1]} "
        f"(the last factor ∂h^t/∂h^t is the {n[t - 1]}×{n[t - 1]} identity) but ∂o/∂vec(W_2) is "
        f"{true.shape[0]}×{true.shape[1]} (o = h^4 ∈ R^{n[3]}, W_2 ∈ R^({n[2]}×{n[1]}))",
        refutes=True,
    )
    # Not only shapes: with widths (2, 3, 1, 1) the note's product (1×3) and ∂o/∂vec(W_2) (1×3) agree in
    # shape and still differ.  Both are accurate to ~1e-15 relative (complex step, a few flops); a gap
    # above 1e-13 (the correction's tolerance below) is no rounding effect.
    narrow = (2, 3, 1, 1)
    Wn = [rng.standard_normal((narrow[k + 1], narrow[k])) / np.sqrt(narrow[k]) for k in range(3)]
    xn = rng.standard_normal(narrow[0])
    note_n, _ = note_gradient_product(Wn, xn, t)
    true_n = _true_dW(Wn, xn, t)
    gap_n = float(np.max(np.abs(note_n - true_n)) / np.max(np.abs(true_n))) if note_n.shape == true_n.shape else np.inf
    yield Check(
        "counterexample",
        gap_n <= 1e-13,
        f"widths {narrow}, t = 2 (shapes agree, {note_n.shape[0]}×{note_n.shape[1]}): the note's product "
        f"{np.round(note_n.ravel(), 6).tolist()} vs complex-step ∂o/∂vec(W_2) {np.round(true_n.ravel(), 6).tolist()}: "
        f"relative gap {gap_n:.3g} > 1e-13",
        max_error=gap_n,
        refutes=True,
    )
    # The correction, in the note's indexing: ∂_{W_t} o = M_d ⋯ M_{t+1} · ∂_{W_t} h^{t+1}.
    d = 3
    fixed = np.eye(n[d])
    for k in range(d, t, -1):  # ∂_{h^k} h^{k+1} for k = d .. t+1
        fixed = fixed @ ((1 - hs[k] ** 2)[:, None] * Ws[k - 1])
    # ∂_{W_t} h^{t+1}: d h_i / d W_{ab} = (1 - h_i²) δ_ia h^t_b, flattened like vec(W) in row-major order
    s = 1 - hs[t] ** 2
    v = np.einsum("i,ia,b->iab", s, np.eye(n[t]), hs[t - 1]).reshape(n[t], -1)
    err = float(np.max(np.abs(fixed @ v - true)) / np.max(np.abs(true)))
    # both sides are O(10) flops of rounding (~1e-15) plus the complex step's ~1e-15: 1e-13 leaves 100x headroom
    yield Check(
        "finite-difference",
        err <= 1e-13,
        "correction "
        + " ".join(f"M_{k}" for k in range(d, t, -1))
        + f" ∂h^{t + 1}/∂W_{t} vs complex-step ∂o/∂vec(W_{t}) (step 1e-30): "
        f"relative error {err:.2g} <= 1e-13",
        max_error=err,
    )


@register(
    "note.5.4.v-vector",
    title="Note: v_t = ∂_{W_t} h^{t+1} is a 'gradient vector' (correct: a third-order tensor)",
    latex=r"\partial_{W_t} o = M_d \cdots M_t\, v_t,\ v_t \text{ a vector}",
    expected=False,
)
def _note_v_vector(ctx: Context):
    n = WIDTHS
    t = 2
    rng = ctx.rng(2)
    W = rng.standard_normal((n[t], n[t - 1]))
    h = rng.standard_normal(n[t - 1])
    # Complex-step Jacobian of h^{t+1} = tanh(W h^t) in W, kept with W's two indices (step 1e-30).
    J = np.zeros((n[t], *W.shape))
    for idx in np.ndindex(W.shape):
        Wc = W.astype(complex)
        Wc[idx] += 1e-30j
        J[(slice(None), *idx)] = np.tanh(Wc @ h).imag / 1e-30
    rank = np.linalg.matrix_rank(J.reshape(n[t], -1))
    yield Check(
        "shape",
        J.ndim == 1,
        f"∂h^{t + 1}/∂W_{t} for W_{t} ∈ R^({n[t]}×{n[t - 1]}) has shape {J.shape} (a third-order tensor); "
        f"even flattened it is a {n[t]}×{n[t] * n[t - 1]} matrix of rank {rank}, not a vector",
        refutes=True,
    )
    # Beyond shapes: a vector v_t (or any v cᵀ) has rank 1 as a matrix; the flattened Jacobian's second
    # singular value is far above its rounding (~1e-15 · σ_1), so no vector carries it.  (Where the shapes
    # would agree, n_{t+1} n_t = 1, the note is right: the refutation at those sizes is necessarily by shape.)
    # The correction: the tensor is ∂h_i/∂W_ab = (1 - h_i²) δ_ia h^t_b (complex step: ~1e-16 relative, so 1e-13).
    formula = np.einsum("i,ia,b->iab", 1 - np.tanh(W @ h) ** 2, np.eye(n[t]), h)
    terr = float(np.max(np.abs(formula - J)) / np.max(np.abs(J)))
    yield Check(
        "finite-difference",
        terr <= 1e-13,
        f"correction: ∂h^{t + 1}_i/∂(W_{t})_ab = (1 - (h^{t + 1}_i)²) δ_ia h^{t}_b, a {J.shape} tensor, vs the "
        f"complex step: relative error {terr:.2g} <= 1e-13",
        max_error=terr,
    )
    sv = np.linalg.svd(J.reshape(n[t], -1), compute_uv=False)
    yield Check(
        "numeric",
        sv[1] <= 1e-12 * sv[0],
        f"singular values of the flattened ∂h^{t + 1}/∂W_{t}: {np.round(sv, 4).tolist()}; σ_2/σ_1 = "
        f"{sv[1] / sv[0]:.3g} > 1e-12, so it is not of rank 1 (not a vector times anything)",
        refutes=True,
    )


# --- 5.4: breaking the symmetry -------------------------------------------------------------------


def _two_unit_net(W1, W2, u):
    """o = W2 ReLU(W1 u): column form, two hidden units, no biases (exact with SymPy rationals)."""
    return W2 * (W1 * u).applyfunc(lambda z: sp.Max(z, 0))


@register(
    "note.5.4.symmetry",
    title="Note: swapping W1's units and the second layer's OUTPUTS keeps the function "
    "(correct: swap W1's rows and W2's columns)",
    latex=r"o = W_2\,\mathrm{ReLU}(W_1x) \overset{?}{=} P\,W_2\,\mathrm{ReLU}(P\,W_1x),\ P = \begin{pmatrix}0&1\\1&0\end{pmatrix}",
    expected=False,
)
def _note_symmetry(ctx: Context):
    P = sp.Matrix([[0, 1], [1, 0]])  # swaps the two hidden units h1, h2 (and, in the note, the two outputs)
    W1 = sp.Matrix([[1, 0], [0, 2]])  # distinct units, so the swap is visible
    W2 = sp.Matrix([[1, 2], [3, 4]])
    u = sp.Matrix([1, 1])
    original = _two_unit_net(W1, W2, u)
    note_version = P * _two_unit_net(P * W1, W2, u)  # W1's rows swapped, the second layer's outputs swapped
    yield Check(
        "counterexample",
        original == note_version,
        f"W1 = {W1.tolist()}, W2 = {W2.tolist()}, x = (1, 1), ReLU: W2 ReLU(W1 x) = {list(original)} but "
        f"swapping W1's rows and the outputs gives {list(note_version)} (exact)",
        refutes=True,
    )
    corrected = _two_unit_net(P * W1, W2 * P, u)  # swap W1's rows AND W2's columns: P ReLU(P z) = ReLU(z)
    yield Check(
        "numeric",
        corrected == original,
        f"correction: swapping W1's rows and W2's columns gives {list(corrected)} = {list(original)} (exact)",
    )
