"""Exercises of section 5.3: memory of training and prediction (5.3.ex3), Hessian-vector products (5.3.ex4),
partitioning the computation (5.3.ex5).

Numbers of floats are symbolic in the sizes ``n, d, h, q`` of the book's one-hidden-layer MLP (Eq. 5.3.1-5.3.5);
memory is measured with ``tracemalloc`` on ``numeric.mlp.MLP`` (allocate-and-measure, deterministic).
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from ..checking import hypothesis_check, symbolic_true
from ..claims import Check, Context, register

__all__ = ["MEMORY_SIZES", "grad_tanh_mlp", "hvp_tanh_mlp", "train_floats"]

n, d, h, q = sp.symbols("n d h q", integer=True, positive=True)
P = (d + 1) * h + (h + 1) * q  # parameters W1, b1, W2, b2
#: The floats training keeps beyond the inputs (the book's account): parameters, their gradients, z, h, o per example.
TRAIN_BOOK = 2 * P + n * (2 * h + q)
#: What numeric.mlp's Backward keeps (parameters exist before): gradients, layers (Z1, H1, O) and signals (G1, G2).
TRAIN_KEPT = P + n * (2 * h + q) + n * (h + q)
#: (n, d, h, q) measured; large enough that the ~2 KB of Python object headers is under 3 % of the total.
MEMORY_SIZES = ((64, 20, 32, 10), (128, 50, 64, 10), (32, 10, 100, 5))
#: Python object headers of the ~12 arrays, 3 lists and 2 named tuples Backward holds: measured 1.7 KB; 4 KB bounds it.
OVERHEAD_BYTES = 4096


def train_floats(nv, dv, hv, qv) -> int:
    """5.3.ex3 (Eq. 5.3.1-5.3.5): floats kept by numeric.mlp's backward, TRAIN_KEPT at these sizes."""
    return int(TRAIN_KEPT.subs({n: nv, d: dv, h: hv, q: qv}))


def _measure(fn) -> tuple[int, int]:
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        kept_obj = fn()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del kept_obj
    return current - base, peak - base


@register(
    "5.3.ex3",
    title="Exercise 5.3.3: training keeps every layer's intermediates and the gradients; prediction keeps the output",
    latex=r"M_{\text{train}} = 2[(d+1)h + (h+1)q] + n(2h + q)\ \text{floats},\quad M_{\text{predict}} \ni nq",
)
def _ex3(ctx: Context):
    from numeric.mlp import MLP  # lazy: numeric is the measured implementation

    yield symbolic_true(
        sp.Eq(sp.expand(TRAIN_KEPT - (TRAIN_BOOK - P)), n * (h + q)),
        "the implementation keeps the book's count (beyond the parameters) plus the backward "
        "signals G1, G2: n(h + q) floats more",
    )
    worst = 0
    lines = []
    for nv, dv, hv, qv in MEMORY_SIZES:
        model = MLP([dv, hv, qv], rng=np.random.default_rng([ctx.seed, 3]))
        X = np.random.default_rng([ctx.seed, 4]).standard_normal((nv, dv))
        y = np.arange(nv) % qv
        model.backward(X, y)  # warm caches (first-call allocations are not the algorithm's)
        kept, _ = _measure(lambda m=model, a=X, b=y: m.backward(a, b))
        over = kept - 8 * train_floats(nv, dv, hv, qv)
        out_kept, out_peak = _measure(lambda m=model, a=X: m.forward(a))
        ok = 0 <= over <= OVERHEAD_BYTES and 0 <= out_kept - 8 * nv * qv <= 512 and out_peak < kept
        worst = max(worst, abs(over))
        lines.append(
            f"n,d,h,q={nv},{dv},{hv},{qv}: backward keeps {kept} B = 8·{train_floats(nv, dv, hv, qv)} + {over}, "
            f"forward keeps {out_kept} B (8nq = {8 * nv * qv}), peak {out_peak} B"
        )
        if not ok:
            break
    yield Check(
        "numeric",
        ok,
        "tracemalloc on numeric.mlp.MLP: kept bytes = 8·TRAIN_KEPT + object headers "
        f"(0..{OVERHEAD_BYTES} B); prediction keeps only the n×q output; " + "; ".join(lines),
        max_error=worst,
    )


# --- 5.3.ex4: Hessian-vector products ----------------------------------------------------------------


def _flops_matmul(counter, A, B):
    counter[0] += 2 * A.shape[0] * A.shape[1] * B.shape[1]
    return A @ B


def _softmax(O):
    E = np.exp(O - O.real.max(axis=1, keepdims=True))  # shift by the real part only: stays analytic (complex step)
    return E / E.sum(axis=1, keepdims=True)


def grad_tanh_mlp(params, X, Y, counter=None):
    """Eq. 5.3.11-5.3.14 (row-major, batch): gradient of J = mean CE(softmax(tanh(XW1+b1)W2+b2), Y); analytic (complex-safe)."""
    counter = [0] if counter is None else counter
    W1, b1, W2, b2 = params
    H = np.tanh(_flops_matmul(counter, X, W1) + b1)
    Go = (_softmax(_flops_matmul(counter, H, W2) + b2) - Y) / X.shape[0]
    GZ = _flops_matmul(counter, Go, W2.T) * (1 - H**2)
    return [_flops_matmul(counter, X.T, GZ), GZ.sum(0), _flops_matmul(counter, H.T, Go), Go.sum(0)]


def hvp_tanh_mlp(params, V, X, Y, counter=None):
    """5.3.ex4: the Hessian-vector product H·v of J by Pearlmutter's R-operator (forward-over-reverse), Eq. 5.3.11-5.3.14."""
    counter = [0] if counter is None else counter
    W1, b1, W2, b2 = params
    V1, c1, V2, c2 = V
    mm = lambda A, B: _flops_matmul(counter, A, B)  # noqa: E731
    Z = mm(X, W1) + b1
    H = np.tanh(Z)
    S = 1 - H**2
    Pm = _softmax(mm(H, W2) + b2)
    Go = (Pm - Y) / X.shape[0]
    GH = mm(Go, W2.T)
    RZ = mm(X, V1) + c1
    RH = S * RZ
    RO = mm(RH, W2) + mm(H, V2) + c2
    RGo = Pm * (RO - (Pm * RO).sum(1, keepdims=True)) / X.shape[0]
    RGH = mm(RGo, W2.T) + mm(Go, V2.T)
    RGZ = RGH * S - 2 * GH * H * RH
    return [mm(X.T, RGZ), RGZ.sum(0), mm(RH.T, Go) + mm(H.T, RGo), RGo.sum(0)]


def _unflatten(vec, shapes):
    out, k = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        out.append(vec[k : k + size].reshape(shape))
        k += size
    return out


@st.composite
def _hvp_problem(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    nv, dv, hv, qv = (int(v) for v in rng.integers(1, 6, size=4))
    shapes = [(dv, hv), (hv,), (hv, qv), (qv,)]
    params = [rng.standard_normal(s) for s in shapes]
    V = [rng.standard_normal(s) for s in shapes]
    X = rng.standard_normal((nv, dv))
    Y = np.eye(qv)[rng.integers(0, qv, size=nv)]
    return params, V, X, Y


def _hvp_error(problem) -> float:
    params, V, X, Y = problem
    t = 1e-30  # complex step: no subtraction, so no cancellation; the t² term is 1e-60 of the third derivative
    cs = [g.imag / t for g in grad_tanh_mlp([p + 1j * t * v for p, v in zip(params, V)], X, Y)]
    hv = hvp_tanh_mlp(params, V, X, Y)
    scale = max(1e-300, max(np.max(np.abs(a)) for a in cs))
    return max(float(np.max(np.abs(a - b))) for a, b in zip(cs, hv)) / scale


#: The MLP of Section 5.2 ([784, 256, 10]): its parameter count, symbolic.
FULL_PARAMS = (784 + 1) * 256 + (256 + 1) * 10


@register(
    "5.3.ex4",
    title="Exercise 5.3.4: the Hessian is symmetric; Hv costs < 3 gradients; the full Hessian of 5.2's MLP needs 203,530 of them",
    latex=r"Hv = \tfrac{d}{dt}\nabla J(w + tv)\big|_{0},\ \text{cost}(Hv) \le 3\,\text{cost}(\nabla J),\ 203530^2\cdot 8\,\text{B}\approx 331\,\text{GB}",
)
def _ex4(ctx: Context):
    # R-operator vs complex-step derivative of the gradient: both to ~1e-15 relative on O(1) nets; 1e-11 leaves 10^4 x
    yield hypothesis_check(
        "numeric",
        "Hypothesis-drawn tanh MLPs (n, d, h, q ≤ 5): Pearlmutter Hv equals the complex-step "
        "derivative of the gradient along v",
        _hvp_problem(),
        _hvp_error,
        ctx=ctx,
        tol=1e-11,
        salt=34,
    )
    rng = ctx.rng(35)
    nv, dv, hv, qv = 4, 3, 2, 2
    shapes = [(dv, hv), (hv,), (hv, qv), (qv,)]
    params = [rng.standard_normal(s) for s in shapes]
    X, Y = rng.standard_normal((nv, dv)), np.eye(qv)[rng.integers(0, qv, size=nv)]
    size = sum(int(np.prod(s)) for s in shapes)
    Hm = np.stack(
        [np.concatenate([g.ravel() for g in hvp_tanh_mlp(params, _unflatten(e, shapes), X, Y)]) for e in np.eye(size)],
        axis=1,
    )
    asym = float(np.max(np.abs(Hm - Hm.T)) / np.max(np.abs(Hm)))
    # entries are sums of O(10) products of O(1) terms: rounding ~1e-15; 1e-12 is 1000x that
    yield Check(
        "numeric",
        asym <= 1e-12,
        f"full Hessian of a {size}-parameter tanh MLP, built from {size} products Hv: "
        f"symmetric, max |H − Hᵀ|/max |H| = {asym:.2g} <= 1e-12",
        max_error=asym,
    )
    # cost in floating-point operations of the matrix products (machine-independent), counted by the implementation
    nn, dd, hh, qq = 16, 784, 256, 10
    g_count, h_count = [0], [0]
    big = [np.zeros((dd, hh)), np.zeros(hh), np.zeros((hh, qq)), np.zeros(qq)]
    Xb, Yb = np.zeros((nn, dd)), np.eye(qq)[np.arange(nn) % qq]
    grad_tanh_mlp(big, Xb, Yb, g_count)
    hvp_tanh_mlp(big, big, Xb, Yb, h_count)
    clock = time.perf_counter()
    for _ in range(5):
        grad_tanh_mlp(big, Xb, Yb)
    t_grad, clock = time.perf_counter() - clock, time.perf_counter()
    for _ in range(5):
        hvp_tanh_mlp(big, big, Xb, Yb)
    t_hvp = time.perf_counter() - clock  # reported only: wall time depends on the machine and its load
    grad_flops, hvp_flops = 4 * n * d * h + 6 * n * h * q, 6 * n * d * h + 16 * n * h * q
    sizes = {n: nn, d: dd, h: hh, q: qq}
    counted = g_count[0] == grad_flops.subs(sizes) and h_count[0] == hvp_flops.subs(sizes)
    yield Check(
        "symbolic",
        counted and sp.expand(3 * grad_flops - hvp_flops) == 6 * n * d * h + 2 * n * h * q,
        f"matmul FLOPs: gradient 4ndh + 6nhq, Hv 6ndh + 16nhq, so 3·grad − Hv = 6ndh + 2nhq > 0 for all sizes "
        f"(ratio {h_count[0] / g_count[0]:.2f} at n, d, h, q = {nn}, {dd}, {hh}, {qq}; counts match the formulas: {counted}; measured time ratio {t_hvp / t_grad:.2f}, reported only)",
    )
    nbytes = sp.Integer(FULL_PARAMS) ** 2 * 8
    yield Check(
        "exact",
        FULL_PARAMS == 203_530 and nbytes == 331_395_687_200,
        f"full Hessian of the [784, 256, 10] MLP: {FULL_PARAMS:,} Hv products (one per column), "
        f"{FULL_PARAMS:,}² · 8 B = {int(nbytes):,} B ≈ {int(nbytes) / 1e9:.0f} GB in float64",
    )


# --- 5.3.ex5: partitioning -----------------------------------------------------------------------------


@st.composite
def _split_problem(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    k = draw(st.integers(2, 4))
    m = draw(st.integers(1, 5))
    depth = draw(st.integers(2, 4))
    return seed, k, m, depth


def _split_error(problem) -> float:
    from numeric.mlp import MLP

    seed, k, m, depth = problem
    rng = np.random.default_rng(seed)
    sizes = [int(v) for v in rng.integers(2, 6, size=depth + 1)]
    model = MLP(sizes, activation="tanh", init="xavier_normal", rng=rng)
    X = rng.standard_normal((k * m, sizes[0]))
    y = rng.integers(0, sizes[-1], size=k * m)
    _, full = model.loss_and_grads(X, y)
    parts = [model.loss_and_grads(X[j * m : (j + 1) * m], y[j * m : (j + 1) * m])[1] for j in range(k)]
    avg = [sum(p[i] for p in parts) / k for i in range(len(full))]
    err = max(float(np.max(np.abs(a - f))) for a, f in zip(avg, full))
    # layers split over two workers: worker 2 runs layers s+1..L on worker 1's H_s and returns G_{s+1} W_{s+1}ᵀ
    s = 1
    H_s = model.forward_all(X)[s - 1].H
    upper = MLP(sizes[s:], activation="tanh", rng=rng)
    upper.params = [p.copy() for p in model.params[2 * s :]]
    back = upper.backward(H_s, y)
    err = max(err, *(float(np.max(np.abs(a - f))) for a, f in zip(back.grads, full[2 * s :])))
    Z1 = model.forward_all(X)[0].Z
    G1 = (back.G[0] @ model.params[2 * s].T) * (1 - np.tanh(Z1) ** 2)
    err = max(err, float(np.max(np.abs(X.T @ G1 - full[0]))))
    return err


def _averaging_proof() -> Check:
    """5.3.ex5 at symbolic k and m: the mean of the k part gradients is the full-minibatch gradient.

    Part j (j = 1..k) holds the examples (j − 1)m + 1 .. jm.  With S(K) = Σ_{j≤K} T(j), T(j) = Σ_{i≤m} ℓ_{(j−1)m+i}
    and W(K) = Σ_{l≤Km} ℓ_l, S(K) = W(K) by induction on K (base K = 1; step: both sides gain T(k + 1), the tail
    of W re-indexed l = km + i), at symbolic m; the gradient goes through the sums (linearity), so
    (1/k) Σ_j ∇(T(j)/m) = ∇ S(k)/(km) = ∇ W(k)/(km).
    """
    k, m = sp.symbols("k m", integer=True, positive=True)
    i, j, l = sp.symbols("i j l", integer=True)
    theta = sp.Symbol("theta", real=True)
    ell, T = sp.Function("ell"), sp.Function("T")
    part = sp.Lambda(j, sp.Sum(ell((j - 1) * m + i, theta), (i, 1, m)))  # T(j): part j's summed loss

    def whole(K):
        return sp.Sum(ell(l, theta), (l, 1, K * m))

    tail = sp.Sum(ell(l, theta), (l, k * m + 1, k * m + m))
    steps = {
        "base T(1) = W(1)": sp.simplify(part(1) - whole(1).change_index(l, l, i)),
        "S(k+1) = S(k) + Σ_{j=k+1}^{k+1} T(j)": sp.simplify(
            sp.Sum(T(j), (j, 1, k)) + sp.Sum(T(j), (j, k + 1, k + 1)) - sp.Sum(T(j), (j, 1, k + 1))
        ),
        "Σ_{j=k+1}^{k+1} T(j) = T(k+1)": sp.Sum(T(j), (j, k + 1, k + 1)).doit() - T(k + 1),
        "W(k+1) = W(k) + tail": sp.simplify(whole(k) + tail - whole(k + 1)),
        "tail = T(k+1)": sp.simplify(tail.change_index(l, l - k * m, i) - part(k + 1)),
        "mean of part gradients = ∇ S(k)/(km)": sp.simplify(
            sp.Sum(sp.Sum(sp.Derivative(ell((j - 1) * m + i, theta), theta), (i, 1, m)) / m, (j, 1, k)) / k
            - sp.diff(sp.Sum(part(j), (j, 1, k)) / (k * m), theta)
        ),
    }
    failed = [name for name, rest in steps.items() if rest != 0]
    return Check(
        "symbolic",
        not failed,
        "at symbolic k, m: (1/k) Σ_j ∇ (1/m) Σ_{i∈B_j} ℓ_i = ∇ (1/(km)) Σ_{l≤km} ℓ_l, by induction on k "
        "(base, peel of part k + 1, split and re-index of the full sum's tail) and the gradient's linearity "
        "(∇ entrywise: ∂/∂θ for a symbolic parameter θ and per-example losses ℓ_l(θ))"
        + (f"; steps not reduced to 0: {failed}" if failed else ""),
    )


@register(
    "5.3.ex5",
    title="Exercise 5.3.5: averaging k equal parts' gradients is the full-minibatch gradient; a layer split computes the same",
    latex=r"\frac1k\sum_{j=1}^k \nabla \frac1m\sum_{i\in B_j}\ell_i = \nabla\frac1{km}\sum_{i=1}^{km}\ell_i",
)
def _ex5(ctx: Context):
    yield _averaging_proof()
    # the same identity expanded at fixed sizes, a second route that does not rely on Sum's range rules
    k, m, j, i = sp.symbols("k m j i", integer=True, positive=True)
    ell = sp.IndexedBase("g")
    parts = sp.Sum(sp.Sum(ell[(j - 1) * m + i], (i, 1, m)) / m, (j, 1, k)) / k
    whole = sp.Sum(ell[i], (i, 1, k * m)) / (k * m)
    sized = all(
        sp.expand(parts.subs({k: kv, m: mv}).doit() - whole.subs({k: kv, m: mv}).doit()) == 0
        for kv in range(1, 4)
        for mv in range(1, 4)
    )
    yield Check(
        "symbolic-sized",
        sized,
        "(1/k) Σ_j (1/m) Σ_{i∈B_j} g_i = (1/(km)) Σ_i g_i expanded term by term at every k, m in 1..3",
    )
    # k·m ≤ 20 rows, widths ≤ 5: each gradient entry is a sum of ≤ 20 O(1) terms, rounding ≤ 20·eps ~ 5e-15; 1e-12 safe
    yield hypothesis_check(
        "numeric",
        "Hypothesis-drawn tanh MLPs of depth 2-4: mean of k part gradients = full gradient, "
        "and a two-worker layer split gives the same gradients",
        _split_problem(),
        _split_error,
        ctx=ctx,
        tol=1e-12,
        salt=55,
    )
    from numeric.mlp import MLP

    rng = ctx.rng(56)
    model = MLP([4, 5, 3], activation="tanh", init="xavier_normal", rng=rng)
    X, y = rng.standard_normal((8, 4)), rng.integers(0, 3, size=8)
    _, full = model.loss_and_grads(X, y)
    _, half = model.loss_and_grads(X[:4], y[:4])
    gap = max(float(np.max(np.abs(a - b))) for a, b in zip(full, half))
    # different examples give O(0.1) different gradients; 1e-6 is 10^8 x the rounding of either
    yield Check(
        "numeric",
        gap > 1e-6,
        f"training on the smaller minibatch (4 of 8 rows) instead: its gradient differs by {gap:.3g} (> 1e-6)",
    )
