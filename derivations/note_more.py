"""More errata of the study note (``seed/000_d0943e9eba203bc5.txt``), each with separate refuting and correcting checks.

Each erratum is registered by its ``_refute_...`` function (checks of the note's statement as written, which must
fail) and extended with ``also_check`` by its ``_correct_...`` function (checks of the corrected statement, which
must pass), so a verdict rule can tell the two apart.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import sympy as sp

from .claims import Check, Context, also_check, register


def _refutes(function):
    """Mark every check of ``function`` as testing the note's own statement (``Check.refutes``): the
    erratum is found only when one of them fails and every ``_correct_...`` check passes."""

    @functools.wraps(function)
    def marked(ctx: Context):
        for check in function(ctx):
            yield dataclasses.replace(check, refutes=True)

    return marked


__all__ = ["every_layer_logits", "jacobian_chain"]


# --- note.5.1.row-column (lines 19-21) ----------------------------------------------------------------


@register(
    "note.5.1.row-column",
    title="Note l.19-21: W = W2 W1, b = W2 b1 + b2 beside the row form h = x W1 + b1 (correct there: W1 W2, b1 W2 + b2)",
    latex=r"h = xW_1 + b_1,\ o = hW_2 + b_2 \ \Rightarrow\ W = W_2W_1,\ b = W_2b_1 + b_2\ (\text{note})",
    expected=False,
)
@_refutes
def _refute_row_column(ctx: Context):
    rng = ctx.rng(1)
    d, h, q = 3, 4, 2
    W1, W2 = rng.standard_normal((d, h)), rng.standard_normal((h, q))
    try:
        W2 @ W1
        formed = True
    except ValueError:
        formed = False
    yield Check(
        "shape",
        formed,
        "l.19 '은닉층을 W = W2W1 과 b = W2b1 + b2 를 사용해 (rebuild with W = W2W1, b = W2b1 + b2)' "
        f"with l.21's row form (x 1×{d}, W1 {d}×{h}, W2 {h}×{q}): W2 W1 is {h}×{q} times {d}×{h}, ill-formed",
    )
    # at square sizes the products exist but give a different map (W2 W1 ≠ W1 W2 generically)
    S = [rng.standard_normal((3, 3)) for _ in range(2)]
    xs, c1, c2 = rng.standard_normal((1, 3)), rng.standard_normal((1, 3)), rng.standard_normal((1, 3))
    o = (xs @ S[0] + c1) @ S[1] + c2
    note = xs @ (S[1] @ S[0]) + (S[1] @ c1.T).T + c2
    err = float(np.max(np.abs(o - note)))
    # differences of O(1) numbers: rounding ~1e-15, so a 1e-6 gap is not rounding
    yield Check(
        "counterexample",
        err < 1e-6,
        f"at d = h = q = 3 (where both forms exist): x(W2W1) + (W2b1ᵀ)ᵀ + b2 misses (xW1 + b1)W2 + b2 by {err:.3g}",
        max_error=err,
    )


@also_check("note.5.1.row-column")
def _correct_row_column(ctx: Context):
    n, d, h, q = sp.symbols("n d h q", integer=True, positive=True)
    x, W1, b1 = sp.MatrixSymbol("x", 1, d), sp.MatrixSymbol("W1", d, h), sp.MatrixSymbol("b1", 1, h)
    W2, b2 = sp.MatrixSymbol("W2", h, q), sp.MatrixSymbol("b2", 1, q)
    diff = sp.expand(((x * W1 + b1) * W2 + b2 - (x * (W1 * W2) + (b1 * W2 + b2))).doit())
    yield Check(
        "symbolic",
        diff == sp.ZeroMatrix(1, q),
        "correction (row form, symbolic d, h, q): (xW1 + b1)W2 + b2 = "
        "x(W1W2) + (b1W2 + b2), i.e. W = W1W2, b = b1W2 + b2",
    )


# --- note.5.1.every-layer (lines 25-27) ---------------------------------------------------------------

_P = sp.symbols("w1 c1 u1 u2 c2 c3", real=True)  # W1 (1×1), b1, W2 = (u1, u2)ᵀ (2×1), b2 = (c2, c3)
_P_DEAD = dict(zip(_P, (1, 0, -1, -2, 0, 0)))  # h = relu(x) = 1 at x = 1; W2 h + b2 = (−1, −2): both logits negative


def every_layer_logits(x, *, output_relu: bool):
    """The note's l.27 network with one input and two classes, o = W2 max(W1 x + b1, 0) + b2, and with
    max(·, 0) also on the output layer (l.25's 'every layer' read as written): o = max(W2 h + b2, 0)."""
    w1, c1, u1, u2, c2, c3 = _P
    h = sp.Max(w1 * x + c1, 0)
    o = [u1 * h + c2, u2 * h + c3]
    return [sp.Max(v, 0) for v in o] if output_relu else o


def _cross_entropy_gradient(output_relu: bool):
    o = every_layer_logits(sp.Integer(1), output_relu=output_relu)
    loss = -(o[0] - sp.log(sp.exp(o[0]) + sp.exp(o[1])))  # label 0
    return [sp.simplify(sp.diff(loss, p).subs(_P_DEAD)) for p in _P]


@register(
    "note.5.1.every-layer",
    title="Note l.25-27: the nonlinearity max(x, 0) added to 'every layer' (correct: after every hidden layer; "
    "the output layer stays affine, o = W2 h + b2, as the note's own l.27 and the book have it)",
    latex=r"h = \sigma(W_1x + b_1),\ o = \sigma(W_2h + b_2)\ (\text{note, l.25})\ \text{vs}\ o = W_2h + b_2\ (\text{l.27})",
    expected=False,
)
@_refutes
def _refute_every_layer(ctx: Context):
    x = sp.Symbol("x", real=True)
    target = every_layer_logits(sp.Integer(1), output_relu=False)[0].subs(_P_DEAD)  # l.27's output: −1
    # symbolic in x and all six parameters: SymPy decides the every-layer output exceeds −1 everywhere
    above = every_layer_logits(x, output_relu=True)[0] > target
    yield Check(
        "exact",
        above is not sp.true,
        "l.25 '모든 층에 max(x, 0)와 같은 비선형 함수 시그마를 추가 (add a nonlinear function σ such as max(x, 0) to "
        f"every layer)': with σ on the output layer too, every output is max(·, 0) >= 0, so the output o = {target} of "
        "l.27's network (W1 = 1, b1 = 0, W2 = (−1, −2)ᵀ, b2 = 0 at x = 1) is reached by no parameters: "
        "'every layer' is not the model the note writes",
    )
    grad = _cross_entropy_gradient(output_relu=True)
    yield Check(
        "exact",
        any(g != 0 for g in grad),
        "with max(·, 0) on the output, at those parameters (both logits negative) softmax sees (0, 0) and the "
        f"cross-entropy gradient with respect to W1, b1, W2, b2 is exactly {[sp.sstr(g) for g in grad]}: "
        "training cannot move (l.27's affine output has gradient "
        f"{[sp.sstr(g) for g in _cross_entropy_gradient(output_relu=False)]})",
    )


@also_check("note.5.1.every-layer")
def _correct_every_layer(ctx: Context):
    d, h, q = sp.symbols("d h q", integer=True, positive=True)
    x, W1, b1 = sp.MatrixSymbol("x", d, 1), sp.MatrixSymbol("W1", h, d), sp.MatrixSymbol("b1", h, 1)
    W2, b2 = sp.MatrixSymbol("W2", q, h), sp.MatrixSymbol("b2", q, 1)
    rest = sp.expand((W2 * (W1 * x + b1) + b2 - ((W2 * W1) * x + (W2 * b1 + b2))).doit())
    yield Check(
        "symbolic",
        rest == sp.ZeroMatrix(q, 1),
        "correction, part 1 (symbolic d, h, q): a hidden layer without σ merges with the next one, "
        "W2(W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2): σ is needed after every hidden layer",
    )
    t = sp.Symbol("t", real=True)
    f = sp.Lambda(t, sp.Max(t, 0) + sp.Max(-t, 0))  # l.27's shape: W1 = (1, −1)ᵀ, b1 = 0, W2 = (1, 1), b2 = 0
    gap = f(-1) + f(1) - 2 * f(0)  # every affine g has g(−1) + g(1) − 2 g(0) = 0
    yield Check(
        "exact",
        gap != 0,
        "correction, part 2: σ on the hidden layer alone already prevents the merge: l.27's network "
        f"o = (1, 1) max((1, −1)ᵀ x, 0) computes |x|, with f(−1) + f(1) − 2 f(0) = {gap} where every affine map "
        "gives 0; so the output layer needs no σ (the book: σ applied to each hidden unit)",
    )


# --- note.5.4.product-count (lines 244-246) ----------------------------------------------------------


def jacobian_chain(Ws, x):
    """Eq. 5.4.1: the hidden vectors h^k of a tanh net (column form) and the Jacobians ∂h^{k+1}/∂h^k."""
    hs, Js = [x], []
    for W in Ws:
        z = W @ hs[-1]
        Js.append((1 - np.tanh(z) ** 2)[:, None] * W)
        hs.append(np.tanh(z))
    return hs, Js


@register(
    "note.5.4.product-count",
    title="Note l.244-246: 'd − t matrices M_d … M_t' (that list has d − t + 1; the product ∂h^d/∂h^t has d − t, M_d ⋯ M_{t+1})",
    latex=r"\partial_{W_t} o = \underbrace{M_d \cdots M_t}_{d-t\ \text{matrices (note)}}\, v_t",
    expected=False,
)
@_refutes
def _refute_product_count(ctx: Context):
    d, t = sp.symbols("d t", integer=True, positive=True)
    listed = sp.Sum(1, (sp.Symbol("k", integer=True), t, d)).doit()  # M_d, M_{d-1}, ..., M_t
    yield Check(
        "exact",
        sp.simplify(listed - (d - t)) == 0,
        f"l.246 'd- t 개의 행렬 M_d ... M_t (d − t matrices M_d … M_t)': the list M_t..M_d has {sp.sstr(listed)} "
        "matrices, not d − t",
    )


@also_check("note.5.4.product-count")
def _correct_product_count(ctx: Context):
    rng = ctx.rng(2)
    widths = [3, 4, 3, 2, 3]
    Ws = [rng.standard_normal((widths[k + 1], widths[k])) / np.sqrt(widths[k]) for k in range(4)]
    x = rng.standard_normal(widths[0])
    hs, Js = jacobian_chain(Ws, x)
    t, d = 1, 4
    prod = np.eye(widths[d])
    for k in range(d, t, -1):  # ∂h^k/∂h^{k-1} for k = d..t+1: d − t factors
        prod = prod @ Js[k - 1]
    step = 1e-30
    cols = []
    for e in np.eye(widths[t]):
        hc = hs[t] + 1j * step * e
        for W in Ws[t:d]:
            hc = np.tanh(W @ hc)
        cols.append(hc.imag / step)
    true = np.stack(cols, axis=1)
    err = float(np.max(np.abs(prod - true)))
    # products of ≤ 3 O(1) Jacobians: rounding ~1e-15; the complex step is exact to rounding; 1e-12 safe
    yield Check(
        "numeric",
        err <= 1e-12,
        f"correction: ∂h^{d}/∂h^{t} is the product of d − t = {d - t} Jacobians "
        f"∂h^k/∂h^(k−1), k = {t + 1}..{d} (complex step, error {err:.2g} <= 1e-12)",
        max_error=err,
    )


# --- note.5.4.log-space (line 246) -----------------------------------------------------------------------


@register(
    "note.5.4.log-space",
    title="Note l.246: the matrix-product problem 'can be mitigated by switching to log space' (log space helps products "
    "of probabilities, not of matrices)",
    latex=r"\log\|M_d\cdots M_t\| \overset{?}{=} \textstyle\sum_k \log\|M_k\|",
    expected=False,
)
@_refutes
def _refute_log_space(ctx: Context):
    A = sp.Matrix([[0, 1], [0, 0]])
    norm_sum = 2 * sp.log(A.norm(2))
    product = (A * A).norm(2)
    yield Check(
        "counterexample",
        product != 0,
        "l.246 '이것을 로그공간으로 전환시켜 완화할 수 있다 (it can be mitigated by switching to log space)': "
        f"Σ log‖M_k‖ = {norm_sum} for M = [[0,1],[0,0]] twice, but ‖M M‖ = {product} (log −∞): summed logs of factors do not "
        "give the product (only an upper bound), and there is no log of a matrix product to track",
    )


@also_check("note.5.4.log-space")
def _correct_log_space(ctx: Context):
    p = np.full(1000, 1e-3)
    direct = float(np.prod(p))
    logs = float(np.sum(np.log(p)))
    # 1000·log(1e-3) = −6907.755...: the sum of 1000 equal terms rounds by ≤ 1000 eps relative
    ok = direct == 0.0 and abs(logs - 1000 * np.log(1e-3)) <= 1e-9 * abs(logs)
    yield Check(
        "numeric",
        ok,
        f"correction (the book's point): a product of 1000 probabilities 1e-3 underflows to {direct} in "
        f"float64, its log Σ log p = {logs:.6g} does not; for matrices the book calls the problem more serious",
    )


# --- note.5.4.activation-variance (line 322) -------------------------------------------------------------

_s = sp.Symbol("s", positive=True)
_z = sp.Symbol("z", real=True)
_n, _sig, _gam = sp.symbols("n_in sigma gamma", positive=True)


@register(
    "note.5.4.activation-variance",
    title="Note l.322: the distribution of 'the activation' of h_i, derived for h_i = Σ W_ij x_j (no nonlinearity); "
    "after ReLU the second moment is half",
    latex=r"E[\mathrm{ReLU}(h_i)^2] \overset{?}{=} n_{\text{in}}\sigma^2\gamma^2",
    expected=False,
)
@_refutes
def _refute_activation_variance(ctx: Context):
    var_h = _n * _sig**2 * _gam**2  # Var h_i for zero-mean W (variance σ²) and x (variance γ²): the note's result
    density = sp.exp(-(_z**2) / (2 * var_h)) / sp.sqrt(2 * sp.pi * var_h)
    second = sp.integrate(_z**2 * density, (_z, 0, sp.oo))  # E[ReLU(h)²] for h ~ N(0, Var h)
    yield Check(
        "symbolic",
        sp.simplify(second - var_h) == 0,
        "l.322 '은닉 유닛 hi에 적용된 활성화의 ... 분포 (the distribution of the activation applied to hidden unit h_i)' "
        f"with h_i = Σ W_ij x_j: for the ReLU activation E[ReLU(h_i)²] = {sp.sstr(sp.simplify(second))}, not n_in σ² γ²",
    )


@also_check("note.5.4.activation-variance")
def _correct_activation_variance(ctx: Context):
    var_h = _n * _sig**2 * _gam**2
    density = sp.exp(-(_z**2) / (2 * var_h)) / sp.sqrt(2 * sp.pi * var_h)
    second = sp.integrate(_z**2 * density, (_z, 0, sp.oo))
    yield Check(
        "symbolic",
        sp.simplify(second - var_h / 2) == 0,
        "correction: the pre-activation h_i has variance n_in σ² γ²; after ReLU the second moment is n_in σ² γ² / 2 "
        "(Gaussian h_i, symbolic integral)",
    )
    rng = ctx.rng(5)
    h = rng.standard_normal(100_000) * 1.7
    m = float(np.mean(np.maximum(h, 0) ** 2)) / (1.7**2 / 2)
    # the mean of 1e5 draws of ReLU(h)²/(s²/2) (variance 5 per draw): sd sqrt(5/1e5) = 7.1e-3; 5.6 sd (4e-2) gives
    # a false alarm below 1e-7 (normal tail; the fourth moment is finite)
    yield Check(
        "statistical",
        abs(m - 1) < 4e-2,
        f"Monte Carlo (10⁵ draws, s = 1.7): E[ReLU(h)²] / (s²/2) = {m:.4f}",
        max_error=abs(m - 1),
    )
