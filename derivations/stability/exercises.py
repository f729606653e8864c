"""Exercises of section 5.4: symmetries and a conserved balance (5.4.ex1), constant starts for convex models
(5.4.ex2), singular values and eigenvalues of products (5.4.ex3), LARS against diverging SGD (5.4.ex4)."""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from ..checking import hypothesis_check
from ..claims import Check, Context, register

__all__ = ["balance", "softmax_regression_gd"]


def balance(w_in, b, w_out) -> float:
    """5.4.ex1: a hidden unit's ‖w_in‖² + b² − ‖w_out‖², conserved by gradient flow for ReLU (Eq. 5.1.4)."""
    return float(np.sum(w_in**2) + b**2 - np.sum(w_out**2))


def _two_layer(params, X, phi):
    W1, b1, W2, b2 = params
    return phi(X @ W1 + b1) @ W2 + b2


@st.composite
def _net(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    d, h, q = (int(v) for v in rng.integers(1, 6, size=3))
    params = [rng.standard_normal((d, h)), rng.standard_normal(h), rng.standard_normal((h, q)), rng.standard_normal(q)]
    return params, rng.standard_normal((7, d)), int(rng.integers(0, h)), float(np.exp(rng.uniform(-2, 2)))


def _symmetry_error(drawn) -> float:
    (W1, b1, W2, b2), X, j, c = drawn
    neg = [W1.copy(), b1.copy(), W2.copy(), b2]
    neg[0][:, j] *= -1
    neg[1][j] *= -1
    neg[2][j, :] *= -1
    sc = [W1.copy(), b1.copy(), W2.copy(), b2]
    sc[0][:, j] *= c
    sc[1][j] *= c
    sc[2][j, :] /= c
    relu = lambda z: np.maximum(z, 0)  # noqa: E731
    e1 = np.max(np.abs(_two_layer(neg, X, np.tanh) - _two_layer([W1, b1, W2, b2], X, np.tanh)))
    base = _two_layer([W1, b1, W2, b2], X, relu)
    e2 = np.max(np.abs(_two_layer(sc, X, relu) - base)) / (1 + np.max(np.abs(base)))
    return float(max(e1, e2))


@register(
    "5.4.ex1",
    title="Exercise 5.4.1: sign flips (tanh) and rescalings (ReLU) are symmetries; ReLU conserves ‖w_in‖² + b² − ‖w_out‖²",
    latex=r"\tfrac{d}{dt}\big(\|w_{\text{in}}\|^2 + b^2 - \|w_{\text{out}}\|^2\big) = 0\ \text{under}\ \dot w = -\nabla L",
)
def _ex1(ctx: Context):
    # tanh(−z) = −tanh(z) exactly in IEEE arithmetic; the ReLU rescaling rounds twice (×c, ÷c): ~4 eps relative; 1e-13 safe
    yield hypothesis_check(
        "numeric",
        "Hypothesis-drawn 2-layer nets: negating a tanh unit's w_in, b, w_out, and scaling a "
        "ReLU unit's w_in, b by c > 0 and w_out by 1/c, leave the outputs unchanged",
        _net(),
        _symmetry_error,
        ctx=ctx,
        tol=1e-13,
        salt=61,
    )
    # Gradient flow, symbolically: unit u = w·x + b, outputs o_k = v_k r(u) + rest, loss ℓ(o) arbitrary (g_k = ∂ℓ/∂o_k)
    ws, xs = sp.symbols("w1:4", real=True), sp.symbols("x1:4", real=True)
    vs, gs = sp.symbols("v1:3", real=True), sp.symbols("g1:3", real=True)
    b, u_ = sp.symbols("b u", real=True)
    u = sum(w * x for w, x in zip(ws, xs)) + b

    def rate(r):
        dr = sp.diff(r(u_), u_).subs(u_, u)
        d_w = [sum(g * v for g, v in zip(gs, vs)) * dr * x for x in xs]
        d_b = sum(g * v for g, v in zip(gs, vs)) * dr
        d_v = [g * r(u) for g in gs]
        # d/dt balance = 2 w·ẇ + 2 b ḃ − 2 v·v̇ with ẇ = −∂ℓ/∂w etc.
        return sp.expand(-2 * (sum(w * e for w, e in zip(ws, d_w)) + b * d_b - sum(v * e for v, e in zip(vs, d_v))))

    active, inactive = rate(lambda z: z), rate(lambda z: 0 * z)
    control = rate(sp.tanh)
    at = {s_: sp.Rational(k + 1, 3) for k, s_ in enumerate((*ws, *xs, *vs, *gs, b))}
    control_at = float(control.subs(at))
    yield Check(
        "symbolic",
        active == 0 and inactive == 0 and control_at != 0,
        "d/dt(‖w_in‖² + b² − ‖w_out‖²) = −2 Σ_k g_k v_k (r'(u) u − r(u)) = 0 for ReLU on both pieces (r = u, r = 0), "
        f"any loss; for tanh it is not (= {control_at:.3g} at w, x, v, g, b = 1/3, 2/3, ...)",
    )
    # SGD with step η changes it by O(η²): the change at η and η/2 has ratio → 4
    from numeric.mlp import MLP

    rng = ctx.rng(62)
    model = MLP([3, 4, 2], activation="relu", init="xavier_normal", rng=rng)
    model.params[1][:] = 0.5  # keep units active
    X, y = rng.standard_normal((16, 3)), rng.integers(0, 2, size=16)
    _, g = model.loss_and_grads(X, y)
    W1, b1, W2, _ = model.params

    def change(eta):
        return balance(W1[:, 0] - eta * g[0][:, 0], b1[0] - eta * g[1][0], W2[0] - eta * g[2][0]) - balance(
            W1[:, 0], b1[0], W2[0]
        )

    ratio = change(1e-3) / change(5e-4)
    # the change is exactly η² (‖∇w‖² + ∇b² − ‖∇v‖²) (the O(η) term is the flow's, zero): ratio 4 up to rounding of
    # differences of O(1) numbers ~1e-16/1e-7 = 1e-9 relative; 1e-3 is generous
    yield Check(
        "numeric",
        abs(ratio - 4) < 1e-3,
        f"one SGD step changes the balance by O(η²): change(1e-3)/change(5e-4) = {ratio:.6f} ≈ 4",
        max_error=abs(ratio - 4),
    )


# --- 5.4.ex2: constant starts for convex models -------------------------------------------------------


def softmax_regression_gd(X, y, W, *, lam, lr, steps):
    """5.4.ex2: full-batch gradient descent on mean softmax cross-entropy + lam/2 ‖W‖² (softmax regression of Section 4.1; lam-strongly convex)."""
    Y = np.eye(W.shape[1])[y]
    for _ in range(steps):
        O = X @ W
        P = np.exp(O - O.max(1, keepdims=True))
        P /= P.sum(1, keepdims=True)
        W = W - lr * (X.T @ (P - Y) / len(X) + lam * W)
    O = X @ W
    P = np.exp(O - O.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    return W, X.T @ (P - Y) / len(X) + lam * W


@register(
    "5.4.ex2",
    title="Exercise 5.4.2: linear and softmax regression can start from a constant (zero): same minimum as a random start",
    latex=r"\min_W \tfrac1n\sum_i \ell(x_i W, y_i) + \tfrac\lambda2\|W\|^2:\ W^{(0)}=0\ \text{and}\ W^{(0)}\sim\mathcal N\ \text{reach the same}\ W^\ast",
)
def _ex2(ctx: Context):
    rng = np.random.default_rng(2017)  # fixed seed: the data and the random start
    X = np.hstack([rng.standard_normal((60, 4)), np.ones((60, 1))])
    y = rng.integers(0, 3, size=60)
    lam = 0.1
    # smoothness ≤ ‖X‖²/(2n)·... ≤ ‖X‖²/n + lam; lr = 1/L_s is a safe GD step; strong convexity mu = lam
    Ls = np.linalg.norm(X, 2) ** 2 / len(X) + lam
    Wz, gz = softmax_regression_gd(X, y, np.zeros((5, 3)), lam=lam, lr=1 / Ls, steps=1500)
    Wr, gr = softmax_regression_gd(X, y, rng.standard_normal((5, 3)), lam=lam, lr=1 / Ls, steps=1500)
    # lam-strong convexity: ‖W − W*‖ ≤ ‖∇J(W)‖/lam, so ‖Wz − Wr‖ ≤ (‖∇J(Wz)‖ + ‖∇J(Wr)‖)/lam: a proved bound
    bound = (np.linalg.norm(gz) + np.linalg.norm(gr)) / lam
    gap = float(np.linalg.norm(Wz - Wr))
    yield Check(
        "numeric",
        gap <= bound and bound < 1e-8,
        f"softmax regression (60×5, 3 classes, λ = 0.1, GD 1500 steps): zero and random starts end "
        f"{gap:.2g} apart, within the strong-convexity bound (‖∇J‖ sum)/λ = {bound:.2g} < 1e-8",
        max_error=gap,
    )
    # the first step from zero already separates the weights when features differ: columns of ∇ at 0 are distinct
    first = softmax_regression_gd(X, y, np.zeros((5, 3)), lam=lam, lr=1 / Ls, steps=0)[1]
    spread = float(np.min([np.linalg.norm(first[i] - first[j]) for i in range(5) for j in range(i + 1, 5)]))
    yield Check(
        "numeric",
        spread > 1e-6,
        f"at W = 0 the gradient's rows (features) differ pairwise by at least {spread:.3g}: no symmetry to break",
    )
    # linear regression: GD from zero reaches the least-squares solution
    t = X @ rng.standard_normal(5) + 0.1 * rng.standard_normal(60)
    w = np.zeros(5)
    for _ in range(800):
        w -= (1 / Ls) * X.T @ (X @ w - t) / len(X)
    ls = np.linalg.lstsq(X, t, rcond=None)[0]
    err = float(np.linalg.norm(w - ls))
    # GD contracts by (1 − σ_min²/(n L_s)) per step: after 800 steps well below 1e-8 for this well-conditioned X
    yield Check(
        "numeric",
        err < 1e-8,
        f"linear regression from w = 0 (GD, 800 steps) reaches the least-squares solution: ‖w − w*‖ = {err:.2g} < 1e-8",
        max_error=err,
    )


# --- 5.4.ex3: products of matrices -------------------------------------------------------------------------


@st.composite
def _pair(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    k = int(rng.integers(1, 6))
    return rng.standard_normal((k, k)) * np.exp(rng.uniform(-1, 1)), rng.standard_normal((k, k))


def _bound_violation(pair) -> float:
    A, B = pair
    sa, sb, sab = (np.linalg.svd(M, compute_uv=False) for M in (A, B, A @ B))
    scale = sa[0] * sb[0]
    v = [np.max(sab) - scale, sa[-1] * sb[-1] - np.min(sab), np.max(np.abs(np.linalg.eigvals(A @ B))) - scale]
    if sab[-1] > 1e-8 * sab[0]:  # κ only for well-defined (non-singular) products
        v.append((sab[0] / sab[-1] - (sa[0] / sa[-1]) * (sb[0] / sb[-1])) / (sab[0] / sab[-1]) * scale)
    return max(0.0, max(v)) / scale


@register(
    "5.4.ex3",
    title="Exercise 5.4.3: singular values of AB lie between the factors' bounds; eigenvalues of AB are not bounded by the factors'",
    latex=r"\sigma_{\min}(A)\sigma_{\min}(B) \le \sigma_i(AB) \le \sigma_{\max}(A)\sigma_{\max}(B),\ \kappa(AB)\le\kappa(A)\kappa(B),\ |\lambda(AB)|\le\|A\|\|B\|",
)
def _ex3(ctx: Context):
    # SVD and eigenvalues are backward stable: errors ~ k·eps·‖A‖‖B‖ ≤ 1e-14 relative for k ≤ 5; 1e-10 leaves 10^4 x
    # (the κ term is relative to κ(AB), where conditioning ≤ 1e8 keeps it ≤ 1e-8·κ... scaled by ‖A‖‖B‖ above)
    yield hypothesis_check(
        "numeric",
        "Hypothesis-drawn k×k A, B (k ≤ 5): σ_min(A)σ_min(B) ≤ σ_i(AB) ≤ σ_max(A)σ_max(B), "
        "κ(AB) ≤ κ(A)κ(B), ρ(AB) ≤ ‖A‖‖B‖",
        _pair(),
        _bound_violation,
        ctx=ctx,
        tol=1e-10,
        salt=63,
    )
    A, B = sp.Matrix([[0, 1], [0, 0]]), sp.Matrix([[0, 0], [1, 0]])
    ok = (
        A**2 == sp.zeros(2)
        and B**2 == sp.zeros(2)
        and set(A.eigenvals()) == {0} == set(B.eigenvals())
        and (A * B).eigenvals() == {1: 1, 0: 1}
    )
    yield Check(
        "counterexample",
        ok,
        "exact: A = [[0,1],[0,0]], B = [[0,0],[1,0]] are nilpotent (all eigenvalues 0) "
        f"but AB = {sp.sstr((A * B).tolist())} has eigenvalue 1: eigenvalues of AB are not bounded by the factors'",
    )


# --- 5.4.ex4: LARS --------------------------------------------------------------------------------------

#: (global rate γ, trust η, steps, depth, width, seeds): SGD at γ diverges on this net, LARS with the same γ trains.
LARS_RUN = (3.0, 0.01, 60, 8, 32, (1, 2, 3))


def _run(optimizer: str, seed: int):
    from numeric.lars import LARS
    from numeric.mlp import MLP

    lr, trust, steps, depth, width, _ = LARS_RUN
    data = np.random.default_rng(0)
    X = data.standard_normal((64, 16))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    model = MLP([16] + [width] * depth + [3], init="he_normal", rng=np.random.default_rng(seed))
    opt = LARS(lr, trust=trust)
    first = float(model.loss_and_grads(X, y)[0])
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            if not (np.isfinite(model.forward(X)).all() and all(np.isfinite(p).all() for p in model.params)):
                return first, float("nan")  # the loss of non-finite logits is non-finite: diverged
            _, grads = model.loss_and_grads(X, y)
            if optimizer == "sgd":
                for p, g in zip(model.params, grads):
                    p -= lr * g
            else:
                opt.step(model.params, grads)
        if not np.isfinite(model.forward(X)).all():
            return first, float("nan")
    return first, float(model.loss_and_grads(X, y)[0])


@register(
    "5.4.ex4",
    title="Exercise 5.4.4: LARS's layer-wise rate η‖w‖/‖∇w‖ trains a deep net where SGD at the same global rate diverges",
    latex=r"w_l \leftarrow w_l - \gamma\,\frac{\eta\|w_l\|}{\|\nabla w_l\| + \beta\|w_l\|}(\nabla w_l + \beta w_l)",
)
def _ex4(ctx: Context):
    from numeric.lars import LARS

    # the trust ratio bounds each layer's relative update by γη (no momentum, β = 0), whatever ‖∇w‖
    rng = ctx.rng(64)
    worst = 0.0
    for scale in (1e-6, 1.0, 1e6):
        W = rng.standard_normal((5, 4))
        G = scale * rng.standard_normal((5, 4))
        before = W.copy()
        LARS(3.0, trust=0.01).step([W], [G])
        worst = max(worst, float(np.linalg.norm(W - before) / np.linalg.norm(before)) / 0.03)
    # the step is exactly γη‖w‖ in norm (up to rounding ~1e-16): ratio 1 within 1e-12
    yield Check(
        "numeric",
        abs(worst - 1) < 1e-12,
        f"one LARS step (γ = 3, η = 0.01) at gradients of scale 1e-6..1e6 moves a layer by "
        f"γη‖w‖ exactly (ratio {worst:.12f})",
        max_error=abs(worst - 1),
    )
    lr, trust, steps, depth, width, seeds = LARS_RUN
    runs = {s: (_run("sgd", s), _run("lars", s)) for s in seeds}
    chance = float(np.log(3))
    ok = all(
        not np.isfinite(sgd[1]) and np.isfinite(lars[1]) and lars[1] < min(lars[0], chance)
        for sgd, lars in runs.values()
    )
    table = "; ".join(
        f"seed {s}: SGD → {sgd[1]:.3g}, LARS {lars[0]:.3g} → {lars[1]:.3g}" for s, (sgd, lars) in runs.items()
    )
    yield Check(
        "numeric",
        ok,
        f"[16, {width}×{depth}, 3] ReLU MLP (He init), γ = {lr}, {steps} full-batch steps: SGD's loss becomes "
        f"non-finite, LARS (η = {trust}) ends below both its start and chance ln 3 = {chance:.3f} ({table})",
    )
