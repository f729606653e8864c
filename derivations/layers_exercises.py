"""Exercises of section 5.1 on layers: depth without nonlinearity (5.1.ex1), ReLU nets are piecewise linear (5.1.ex4),
batch-wise nonlinearities couple the examples (5.1.ex6).

Row-major as in the book (``H = X W + 1_n b``).  5.1.ex4 is checked in exact rational arithmetic
(``fractions.Fraction``): no tolerance, a breakpoint is a rational root of an affine piece.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from .checking import hypothesis_check, symbolic_equal
from .claims import Check, Context, register

__all__ = ["affine_compose", "batch_norm", "breakpoints_on_line", "exact_forward"]


def affine_compose(Ws, bs):
    """Eq. 5.1.2 generalized (5.1.ex1): L affine layers X W_l + 1 b_l equal X (W_1⋯W_L) + 1 b, b = (⋯(b_1 W_2 + b_2)⋯) W_L + b_L."""
    P, b = Ws[0], bs[0]
    for W, c in zip(Ws[1:], bs[1:]):
        P, b = (
            P * W if isinstance(P, sp.MatrixBase | sp.MatrixExpr) else P @ W,
            (b * W if isinstance(b, sp.MatrixBase | sp.MatrixExpr) else b @ W) + c,
        )
    return P, b


_n, _a, _c, _k = sp.symbols("n a c k", integer=True, positive=True)


@register(
    "5.1.ex1",
    title="Exercise 5.1.1: linear layers of any depth compute one affine map; a narrow layer caps the rank",
    latex=r"X W_1\cdots W_L + 1_n b,\ b = (\cdots(b_1W_2+b_2)\cdots)W_L + b_L;\ \operatorname{rank}(W_1\cdots W_L)\le\min_l d_l",
)
def _ex1(ctx: Context):
    # Induction step at symbolic sizes: if L layers give X P + 1 b, one more layer (W, c) gives X (P W) + 1 (b W + c).
    X, P, b = sp.MatrixSymbol("X", _n, _a), sp.MatrixSymbol("P", _a, _c), sp.MatrixSymbol("b", 1, _c)
    W, c = sp.MatrixSymbol("W", _c, _k), sp.MatrixSymbol("c", 1, _k)
    ones = sp.OneMatrix(_n, 1)
    diff = sp.expand(((X * P + ones * b) * W + ones * c - (X * (P * W) + ones * (b * W + c))).doit())
    yield Check(
        "symbolic",
        diff == sp.ZeroMatrix(_n, _k),
        f"induction step (X P + 1 b) W + 1 c = X (P W) + 1 (b W + c) at symbolic sizes n, a, c, k: "
        f"difference expands to {sp.sstr(diff)}",
    )
    # Depths 1-5 numerically: the layer-by-layer network equals the collapsed map.
    rng = ctx.rng(1)
    worst = 0.0
    for L in range(1, 6):
        widths = rng.integers(1, 6, size=L + 1)
        Ws = [rng.standard_normal((widths[i], widths[i + 1])) for i in range(L)]
        bs = [rng.standard_normal(widths[i + 1]) for i in range(L)]
        Xv = rng.standard_normal((7, widths[0]))
        H = Xv
        for Wl, bl in zip(Ws, bs):
            H = H @ Wl + bl
        Pv, bv = affine_compose(Ws, bs)
        worst = max(worst, float(np.max(np.abs(H - (Xv @ Pv + bv))) / (1 + np.max(np.abs(H)))))
    # ≤ 5 products of ≤ 5-wide standard normal matrices: rounding ~ 5·5·eps·(growth ≤ 10³) ~ 1e-11; 1e-9 is 100x that
    yield Check(
        "numeric",
        worst <= 1e-9,
        f"depths 1-5 (random widths 1-5): layer-by-layer equals X W1⋯WL + b, relative error {worst:.2g} <= 1e-9",
        max_error=worst,
    )
    # A width-1 layer between R² and R²: rank(u v) ≤ 1, and ‖I − u v‖_F ≥ 1 (Eckart–Young: I's singular values are 1, 1).
    pair = st.lists(st.floats(-10, 10, allow_nan=False), min_size=4, max_size=4)

    def gap(xs):
        u, v = np.array(xs[:2]).reshape(2, 1), np.array(xs[2:]).reshape(1, 2)
        r = np.linalg.matrix_rank(u @ v)
        return max(0.0, 1.0 - np.linalg.norm(np.eye(2) - u @ v)) + (r > 1)

    # ‖I − uv‖ is computed to ~1e-13 (entries ≤ 100); a shortfall beyond 1e-12 is a real violation
    yield hypothesis_check(
        "numeric",
        "width-1 bottleneck R²→R¹→R²: ‖I − u v‖_F ≥ 1 and rank(u v) ≤ 1",
        pair,
        gap,
        ctx=ctx,
        tol=1e-12,
        salt=11,
    )
    e1 = sp.Matrix([1, 0])
    best = (sp.eye(2) - e1 * e1.T).norm()
    yield Check(
        "exact",
        best == 1,
        f"the bound is reached: u = v = e1 gives ‖I − u vᵀ‖_F = {best} exactly "
        "(so the identity is not representable, best error 1)",
    )


# --- 5.1.ex4: ReLU / pReLU networks are continuous piecewise linear ------------------------------


def _act(z: Fraction, alpha: Fraction) -> Fraction:
    return z if z > 0 else alpha * z  # pReLU; alpha = 0 is ReLU


def exact_forward(net, x, upto=None):
    """Eq. 5.1.1 with pReLU (Eq. 5.1.5) in rational arithmetic: the layer ``upto``'s pre-activations (default: the output)."""
    Ws, bs, alpha = net
    h = list(x)
    L = len(Ws)
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        z = [sum((h[i] * W[i][j] for i in range(len(h))), b[j]) for j in range(len(b))]
        if upto == l:
            return z
        h = z if l == L else [_act(v, alpha) for v in z]
    return h


def breakpoints_on_line(net, x0, direction, lo, hi):
    """5.1.ex4: the exact breakpoints in (lo, hi) of t ↦ net(x0 + t·direction), found layer by layer.

    On a segment where layers < l are affine, a unit's pre-activation is affine in t, so its sign change is the
    one rational root; adding it keeps every layer ≤ l affine on each segment.
    """
    point = lambda t: [a + t * d for a, d in zip(x0, direction)]  # noqa: E731
    cuts: set[Fraction] = set()
    for l in range(1, len(net[0])):  # hidden layers only; the output is affine
        ends = [lo, *sorted(cuts), hi]
        for s, e in zip(ends[:-1], ends[1:]):
            zs, ze = exact_forward(net, point(s), l), exact_forward(net, point(e), l)
            for a, b in zip(zs, ze):
                if (a < 0 < b) or (b < 0 < a):
                    cuts.add(s + (e - s) * a / (a - b))
    return sorted(cuts)


_frac = st.integers(-6, 6).map(lambda k: Fraction(k, 3))


@st.composite
def _net_and_line(draw):
    L = draw(st.integers(1, 4))
    widths = [draw(st.integers(1, 3)) for _ in range(L + 1)]
    Ws = [[[draw(_frac) for _ in range(widths[l + 1])] for _ in range(widths[l])] for l in range(L)]
    bs = [[draw(_frac) for _ in range(widths[l + 1])] for l in range(L)]
    alpha = draw(st.sampled_from([Fraction(0), Fraction(1, 4), Fraction(-1, 2)]))
    x0 = [draw(_frac) for _ in range(widths[0])]
    d = [draw(_frac) for _ in range(widths[0])]
    return (Ws, bs, alpha), x0, d


def _piecewise_defect(drawn) -> float:
    """0 iff the function along the line is affine between the exact breakpoints and continuous at them (exact)."""
    net, x0, d = drawn
    lo, hi = Fraction(-10), Fraction(10)
    f = lambda t: exact_forward(net, [a + t * v for a, v in zip(x0, d)])  # noqa: E731
    ends = [lo, *breakpoints_on_line(net, x0, d, lo, hi), hi]
    defect = Fraction(0)
    for s, e in zip(ends[:-1], ends[1:]):
        # the affine interpolant through two interior points (1/3, 2/3 of the segment), tested at the
        # midpoint (affine between breakpoints) and extrapolated to both ends (continuity at the breakpoints)
        t1, t2 = s + (e - s) / 3, s + 2 * (e - s) / 3
        f1, f2 = f(t1), f(t2)
        for t in (s, (s + e) / 2, e):
            line = [a + (b - a) * (t - t1) / (t2 - t1) for a, b in zip(f1, f2)]
            defect = max([defect, *(abs(u - v) for u, v in zip(f(t), line))])
    return float(defect)


@register(
    "5.1.ex4",
    title="Exercise 5.1.4: a ReLU/pReLU MLP is continuous piecewise linear (exact breakpoints along lines)",
    latex=r"t\mapsto f(x_0 + t u)\ \text{affine between finitely many breakpoints, continuous at them}",
)
def _ex4(ctx: Context):
    # exact rational arithmetic: any nonzero defect is a violation, so the tolerance is 0
    yield hypothesis_check(
        "exact",
        "Hypothesis-drawn ReLU/pReLU nets (depth 1-4, widths 1-3, rational weights) "
        "along rational lines t ∈ [-10, 10]: affine between the exact breakpoints, continuous at them",
        _net_and_line(),
        _piecewise_defect,
        ctx=ctx,
        tol=0.0,
        salt=41,
    )
    # the count is finite: at most (units) breakpoints per segment per layer; a fixed example has some
    net = (
        [[[Fraction(1), Fraction(1)]], [[Fraction(1)], [Fraction(-2)]]],
        [[Fraction(0), Fraction(-1)], [Fraction(0)]],
        Fraction(0),
    )
    cuts = breakpoints_on_line(net, [Fraction(0)], [Fraction(1)], Fraction(-10), Fraction(10))
    yield Check(
        "exact",
        cuts == [Fraction(0), Fraction(1)],
        f"the 1-D hat net relu(t) − 2 relu(t − 1) has exactly the breakpoints {[str(c) for c in cuts]} (expected 0, 1)",
    )


# --- 5.1.ex6: a nonlinearity over the whole minibatch --------------------------------------------


def batch_norm(X, eps=1e-5):
    """5.1.ex6: a minibatch-wise nonlinearity, (X − mean_rows X) / sqrt(var_rows X + eps) (batch normalization)."""
    X = np.asarray(X, dtype=float)
    return (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0) + eps)


@register(
    "5.1.ex6",
    title="Exercise 5.1.6: a nonlinearity over the minibatch (batch norm) couples the examples",
    latex=r"\partial\,\mathrm{BN}(X)_{i}/\partial X_{j} \ne 0\ (i\ne j);\ \mathrm{BN}(x) = 0\ \text{for a batch of one}",
)
def _ex6(ctx: Context):
    yield from _cross_row_proof()
    yield _cross_row_numeric(ctx)
    yield from _batch_dependence(ctx)


def _sum_dummies(expr, k):
    """Every one-index ``Sum`` of ``expr`` re-indexed by the symbol ``k``, so sums differing only in their dummy cancel."""
    return expr.replace(
        lambda t: isinstance(t, sp.Sum) and len(t.limits) == 1,
        lambda t: t.change_index(t.limits[0][0], t.limits[0][0], k),
    )


def _batch_partials(n, x_b, mu):
    """∂μ/∂x_b and ∂v/∂x_b of the batch mean and (population) variance: proved at symbolic n, used by the chain rule."""
    return 1 / n, 2 * (x_b - mu) / n


def _cross_row_proof():
    """∂y_a/∂x_b (a ≠ b) of y = (x − μ)/sqrt(v + ε) at symbolic batch size n, one feature column.

    Row b and the batch size are symbolic with n = b + r (b ≥ 1, r ≥ 0: every n and every row b ≤ n).  The batch
    enters y_a only through μ = Σ x_i / n and v = Σ (x_i − μ)² / n; their partials are proved with ``Sum`` at symbolic
    n, then the chain rule through μ(t), v(t) gives the closed form.
    """
    b = sp.Symbol("b", integer=True, positive=True)
    r = sp.Symbol("r", integer=True, nonnegative=True)
    i, j, k = sp.symbols("i j k", integer=True)
    n = b + r
    x = sp.IndexedBase("x")
    mu = sp.Sum(x[j], (j, 1, n)) / n
    var = sp.Sum((x[i] - mu) ** 2, (i, 1, n)) / n
    d_mu, d_var = _batch_partials(n, x[b], mu)
    rest_mu = sp.simplify(sp.diff(mu, x[b]).doit() - d_mu)
    rest_var = sp.simplify(sp.expand(sp.diff(var, x[b]).doit() - d_var).doit())
    rest_var = sp.simplify(_sum_dummies(rest_var, k))
    yield Check(
        "symbolic",
        rest_mu == 0 and rest_var == 0,
        "at symbolic batch size n (row b ≤ n symbolic): ∂μ/∂x_b = 1/n and ∂v/∂x_b = 2(x_b − μ)/n "
        f"for μ = Σ x_i/n, v = Σ (x_i − μ)²/n (remainders {sp.sstr(rest_mu)}, {sp.sstr(rest_var)})",
    )
    t, eps = sp.Symbol("t"), sp.Symbol("epsilon", positive=True)
    xa, xb, m, u = sp.symbols("x_a x_b mu u", real=True)
    w, nn = sp.Symbol("v", nonnegative=True), sp.Symbol("n", positive=True)
    M, V = sp.Function("mu")(t), sp.Function("v")(t)  # μ and v as functions of x_b = t; x_a (a ≠ b) does not move
    dy = sp.diff((xa - M) / sp.sqrt(V + eps), t)
    d_mu, d_var = _batch_partials(nn, xb, M)
    dy = dy.subs({sp.Derivative(M, t): d_mu, sp.Derivative(V, t): d_var}).subs({M: m, V: w})
    s = sp.sqrt(w + eps)
    closed = -(1 + (xa - m) * (xb - m) / s**2) / (nn * s)
    equal_rows = sp.simplify(closed.subs({xa: m + u, xb: m + u}))  # rows a, b equal: both deviate by u
    yield Check(
        "symbolic",
        sp.simplify(dy - closed) == 0 and equal_rows.is_negative is True,
        "chain rule through μ and v, symbolic n: ∂y_a/∂x_b = −(1 + (x_a − μ)(x_b − μ)/(v + ε)) / (n sqrt(v + ε)) "
        f"for a ≠ b; when rows a and b are equal (x_a − μ = x_b − μ = u) it is {sp.sstr(equal_rows)} < 0 for every n, ε > 0: "
        "row a's output depends on row b",
    )


def _cross_row_numeric(ctx: Context) -> Check:
    """``batch_norm``'s cross-row Jacobian (central differences) against the closed form, at several batch sizes."""
    rng = ctx.rng(7)
    worst, sizes = 0.0, {}
    for n in (2, 3, 8, 32, 100):
        X = rng.standard_normal((n, 3))
        col = X[:, 0]
        s = np.sqrt(col.var() + 1e-5)
        yhat = (col - col.mean()) / s
        closed = -(1 + np.outer(yhat, yhat)) / (n * s)  # off-diagonal entries of the proved form
        h = 1e-5
        J = np.empty((n, n))
        for b in range(n):
            E = np.zeros_like(X)
            E[b, 0] = h
            J[:, b] = (batch_norm(X + E)[:, 0] - batch_norm(X - E)[:, 0]) / (2 * h)
        off = ~np.eye(n, dtype=bool)
        worst = max(worst, float(np.max(np.abs(J - closed)[off])))
        sizes[n] = float(np.max(np.abs(J[off])))
    # central difference at h = 1e-5 on outputs |y| <= sqrt(n) <= 10 with s ~ 1: truncation h^2/6 |y'''| ~ 1e-9,
    # rounding eps * 10 / h ~ 2e-10; 1e-7 is > 100x both, while a wrong variance (ddof = 1) or mean is off by >= 1e-3
    return Check(
        "numeric",
        worst <= 1e-7,
        "batch_norm's cross-row Jacobian (central differences) = the closed form at n = 2, 3, 8, 32, 100 "
        f"(max error {worst:.2g} <= 1e-7; max |∂y_a/∂x_b| per n: "
        + ", ".join(f"{n}: {v:.3g}" for n, v in sizes.items())
        + "; at n = 2 it is O(ε): two rows normalize to ±1)",
        max_error=worst,
    )


def _batch_dependence(ctx: Context):
    eps = sp.Symbol("epsilon", positive=True)
    x = sp.Symbol("x", real=True)
    single = (x - x) / sp.sqrt(((x - x) ** 2) + eps)
    yield symbolic_equal(single, 0, "batch of one: (x − mean)/sqrt(var + eps) = 0 for every input x")
    rng = ctx.rng(6)
    row = rng.standard_normal((1, 4))
    outs = [batch_norm(np.vstack([row, rng.standard_normal((m - 1, 4))]))[0] for m in (2, 8, 32)]
    spread = float(np.max(np.abs(outs[0] - outs[2])))
    # the same row in batches of 2 and 32 (other rows random): outputs differ by O(1); 1e-3 is far below that
    yield Check(
        "numeric",
        spread > 1e-3,
        f"the same example normalized in batches of 2 and 32: its output changes by "
        f"{spread:.3g} (> 1e-3): the output depends on the batch",
    )
