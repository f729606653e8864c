"""Section 5.4: gradients as Jacobian products, exploding and vanishing gradients, symmetry, depth.

Claims 5.4.2 (Eq. 5.4.2 with ``v^(l)`` a third-order tensor), 5.4.exploding
(Gaussian matrix products grow at the top Lyapunov exponent; the study note's
printed product is placed in the distribution), 5.4.vanishing (σ' ≤ 1/4 and
σ' < e^{-|x|}) and 5.4.symmetry (permuting hidden units; identical units stay
identical under SGD).  It also attaches the depth experiment
(:func:`numeric.stability.depth_experiment`) to 5.4.default, 5.4.6 and 5.4.he.
"""

from __future__ import annotations

import math
from functools import cache
from statistics import NormalDist

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from .checking import hypothesis_check, symbolic_equal
from .claims import Check, Context, also_check, register
from .initialization import ALPHA

__all__ = ["NOTE_PRODUCT", "chernoff_band", "log_norm_cdf", "note_percentile"]

EPS = float(np.finfo(np.float64).eps)

#: The study note's "After multiplying 100 matrices" product, all 16 entries as printed (row by row;
#: the OCR runs the first two rows together on one line).
NOTE_PRODUCT = np.array(
    [
        [3.1575275e20, -5.0052276e19, 2.0565092e21, -2.3741922e20],
        [-4.6332600e20, 7.3445046e19, -3.0176513e21, 3.4838066e20],
        [-5.8487235e20, 9.2711797e19, -3.8092853e21, 4.3977330e20],
        [-6.2947415e19, 9.9783660e18, -4.0997977e20, 4.7331174e19],
    ]
)


# --- 5.4.2 -------------------------------------------------------------------------------------

#: Networks for Eq. 5.4.2: a seed, depth L in 4..6 and a gain in [0.5, 2] for W ~ N(0, gain²/fan_in).
NETWORKS = st.tuples(st.integers(0, 2**32 - 1), st.integers(4, 6), st.floats(0.5, 2.0))
#: Complex step h: truncation error O(h²) = 1e-60, no subtractive cancellation (Squire & Trapp 1998).
COMPLEX_STEP = 1e-30


def _network(seed: int, L: int, gain: float):
    rng = np.random.default_rng(seed)
    widths = rng.integers(2, 6, size=L + 1)  # 2..5 units per layer
    Ws = [gain * rng.standard_normal((widths[l + 1], widths[l])) / math.sqrt(widths[l]) for l in range(L)]
    names = [("tanh", "sigmoid")[i] for i in rng.integers(0, 2, size=L)]
    names[0], names[1] = "tanh", "sigmoid"  # both activations in every network
    return rng.standard_normal(widths[0]), Ws, names


def _jacobian_product_error(params) -> float:
    """max over l, q, a, b of |(M^(L)⋯M^(l+1) v^(l))_qab - complex-step ∂o_q/∂W^(l)_ab| / max |∂o/∂W^(l)|."""
    from numeric.stability import deep_forward, jacobian_product_gradient

    x, Ws, names = _network(*params)
    worst = 0.0
    for l in range(1, len(Ws) + 1):
        analytic = jacobian_product_gradient(x, Ws, names, l)
        fd = np.empty_like(analytic)
        for a_, b_ in np.ndindex(Ws[l - 1].shape):
            Wc = [W.astype(np.complex128) for W in Ws]
            Wc[l - 1][a_, b_] += 1j * COMPLEX_STEP
            fd[:, a_, b_] = deep_forward(x.astype(np.complex128), Wc, names)[-1].imag / COMPLEX_STEP
        worst = max(worst, float(np.max(np.abs(analytic - fd)) / max(np.max(np.abs(fd)), 1e-300)))
    return worst


#: Widths of the symbolic network for Eq. 5.4.2: depth 3, every layer rectangular somewhere.
_SYMBOLIC_WIDTHS = (2, 3, 2, 2)


def _symbolic_jacobian_product() -> tuple[bool, int]:
    """Eq. 5.4.2 in SymPy for ARBITRARY differentiable activations f_1, f_2, f_3 (undefined functions).

    For every l and every entry W^(l)_ab: ∂o/∂W^(l)_ab (SymPy's chain rule) equals
    M^(L)⋯M^(l+1) v^(l)[:, a, b] with M^(k) = diag(f_k'(z^(k))) W^(k) and the slice
    v^(l)[:, a, b] = f_l'(z^(l)_a) h^(l-1)_b e_a.  Returns (all equal, entries compared).
    """
    widths, t = _SYMBOLIC_WIDTHS, sp.Symbol("t")
    L = len(widths) - 1
    x = sp.Matrix(sp.symbols(f"x0:{widths[0]}"))
    Ws = [sp.Matrix(widths[l + 1], widths[l], lambda i, j_, l=l: sp.Symbol(f"w{l + 1}_{i}{j_}")) for l in range(L)]
    fs = [sp.Function(f"f{l + 1}") for l in range(L)]

    def fprime(f, e):
        return sp.diff(f(t), t).subs(t, e)

    hs, zs = [x], [None]
    for l in range(L):
        zs.append(Ws[l] * hs[-1])
        hs.append(zs[-1].applyfunc(fs[l]))
    o, ok, count = hs[-1], True, 0
    for l in range(1, L + 1):
        J = sp.eye(widths[l])
        for k_ in range(l + 1, L + 1):
            J = sp.diag(*[fprime(fs[k_ - 1], zz) for zz in zs[k_]]) * Ws[k_ - 1] * J
        for a_, b_ in np.ndindex(Ws[l - 1].shape):
            v = sp.zeros(widths[l], 1)
            v[a_] = fprime(fs[l - 1], zs[l][a_]) * hs[l - 1][b_]
            ok = ok and sp.expand(o.diff(Ws[l - 1][a_, b_]) - J * v) == sp.zeros(widths[-1], 1)
            count += 1
    return ok, count


@register(
    "5.4.2",
    title="The gradient is a product of Jacobians",
    latex=r"\frac{\partial o}{\partial W^{(l)}} = M^{(L)} \cdots M^{(l+1)} v^{(l)},\ "
    r"M^{(k)} = \frac{\partial h^{(k)}}{\partial h^{(k-1)}},\ v^{(l)} = \frac{\partial h^{(l)}}{\partial W^{(l)}}",
    statement=lambda: sp.Eq(
        sp.Symbol(r"\partial o / \partial W^{(l)}"),
        sp.Mul(*[sp.Symbol(f, commutative=False) for f in ("M^{(L)}", r"\cdots", "M^{(l+1)}", "v^{(l)}")]),
        evaluate=False,
    ),
)
def _jacobian_product(ctx: Context):
    from numeric.stability import jacobian_product_gradient

    x, Ws, names = _network(ctx.seed, 4, 1.0)
    shapes = [jacobian_product_gradient(x, Ws, names, l).shape for l in range(1, 5)]
    expected = [(Ws[-1].shape[0],) + W.shape for W in Ws]
    yield Check(
        "shape",
        shapes == expected,
        f"∂o/∂W^(l) = M⋯M v^(l) has shape (q, rows, cols) = {shapes}: v^(l) is a third-order tensor "
        "∂h^(l)_i/∂W^(l)_ab = f'(z_i) δ_ia h^(l-1)_b, not a vector",
    )
    ok, count = _symbolic_jacobian_product()
    yield Check(
        "symbolic-sized",
        ok,
        f"SymPy, widths {_SYMBOLIC_WIDTHS} with undefined activations f_1, f_2, f_3: ∂o/∂W^(l)_ab = "
        f"M^(L)⋯M^(l+1) v^(l)[:, a, b] for all {count} weight entries of all layers (any differentiable f)",
    )
    yield hypothesis_check(
        "finite-difference",
        "M^(L)⋯M^(l+1) v^(l) (np.einsum) vs complex-step ∂o/∂W^(l), every l, depth 4-6, tanh and sigmoid "
        "(error relative to max|∂o/∂W^(l)|; tolerance 64 eps: rounding in each z = W h (<= 5 terms, ~5 eps) "
        "moves f' by |f''/f'| <= 2 times as much, over <= 6 layers: ~60 eps; complex step exact to O(h²)=1e-60)",
        NETWORKS,
        _jacobian_product_error,
        ctx=ctx,
        tol=64 * EPS,  # 64 = 6 layers × ~10 rounding errors per layer, rounded up to a power of two
        salt=42,
    )


# --- 5.4.exploding -----------------------------------------------------------------------------


def _half_log_chi2_cgf(lam: float, n: int) -> float:
    """log E[exp(λ X)] for X = ½ ln χ²_n: E[(χ²_n)^{λ/2}] = 2^{λ/2} Γ(n/2 + λ/2) / Γ(n/2), λ > -n."""
    from scipy.special import gammaln  # lazy: keeps `import derivations` cheap

    return 0.5 * lam * math.log(2.0) + float(gammaln(n / 2 + lam / 2) - gammaln(n / 2))


def _rate(x: float, n: int) -> float:
    """Cramér rate function I(x) = sup_λ (λ x - Λ(λ)) of X = ½ ln χ²_n (concave in λ: bounded 1-D search)."""
    from scipy import optimize  # lazy

    res = optimize.minimize_scalar(
        lambda lam: _half_log_chi2_cgf(lam, n) - lam * x,
        bounds=(-n + 1e-9, 1e3),  # the MGF exists for λ > -n; 1e3 is far past any optimum used here
        method="bounded",
        options={"xatol": 1e-12},
    )
    return max(0.0, -float(res.fun))


@cache
def chernoff_band(n: int, K: int, alpha: float) -> tuple[float, float]:
    """(t_lo, t_hi) with P(mean of K i.i.d. ½ ln χ²_n <= μ - t_lo) <= alpha/2 and >= μ + t_hi likewise.

    Chernoff: P(X̄ >= μ + t) <= exp(-K I(μ + t)); exact upper bounds (no normal approximation).
    """
    from scipy import optimize  # lazy

    # The true mean, from SymPy (independent of numeric.stability, which is under test).
    mu = 0.5 * (math.log(2.0) + float(sp.N(sp.digamma(sp.Rational(n, 2)), 20)))
    target = math.log(2 / alpha) / K
    # Bracket [1e-12, 10]: I(μ) = 0 < target, and 10 nats per factor is far beyond any band for K >= 100.
    # An approximate sup (bounded search) underestimates I, which only widens the band (conservative).
    t_hi = optimize.brentq(lambda t: _rate(mu + t, n) - target, 1e-12, 10.0)
    t_lo = optimize.brentq(lambda t: _rate(mu - t, n) - target, 1e-12, 10.0)
    return t_lo, t_hi


def _lyapunov_test(increments: np.ndarray, n: int, what: str, alpha: float) -> Check:
    """Chernoff test of the mean of i.i.d. increments ½ ln χ²_n against numeric.stability.lyapunov_exponent(n)."""
    from numeric.stability import lyapunov_exponent

    claimed = lyapunov_exponent(n)
    K = increments.size
    mean = float(increments.mean())
    t_lo, t_hi = chernoff_band(n, K, alpha)
    m_lo, m_hi = chernoff_band(n, K, 2e-6)  # miss: the true mean's own 1e-6 band (1e-6 per side)
    catch = max(t_lo + m_hi, t_hi + m_lo)
    ok = claimed - t_lo <= mean <= claimed + t_hi
    return Check(
        "statistical",
        ok,
        f"{what}: mean growth rate {mean:.5f} vs λ(n={n}) = {claimed:.5f} (band -{t_lo:.4f}/+{t_hi:.4f}, K={K}); "
        f"false alarm {alpha:.1e} (Chernoff bound, exact MGF of ½ ln χ²_n); any error in λ >= {catch:.4f} "
        f"({catch / abs(claimed):.1%} of λ) is missed with probability <= 1e-6",
        max_error=abs(mean - claimed),
    )


#: Monte-Carlo size for the note's percentile: the DKW band is ±sqrt(ln(2e6)/(2·20000)) = ±1.9 points.
_PRODUCTS = 20_000


def note_percentile(ctx_seed: int = 0, size: int = _PRODUCTS) -> tuple[float, np.ndarray]:
    """Percentile of log10 max|entry| of the note's product among ``size`` fresh 101-factor 4×4 products."""
    from numeric.stability import scaled_matrix_product

    P, e = scaled_matrix_product(4, 101, size=size, rng=np.random.default_rng([ctx_seed, 54]))
    log10_max = np.log10(np.max(np.abs(P), axis=(1, 2))) + e * math.log10(2.0)
    note = math.log10(float(np.max(np.abs(NOTE_PRODUCT))))
    return float(np.mean(log10_max <= note)), log10_max


@register(
    "5.4.exploding",
    title="Products of Gaussian matrices explode",
    latex=r"\tfrac1k \log\|M_k \cdots M_1 u\| \to \lambda = \tfrac12\left(\ln 2 + \psi(n/2)\right)",
    statement=lambda: sp.Eq(
        sp.Symbol("lambda"), (sp.log(2) + sp.digamma(sp.Symbol("n", positive=True) / 2)) / 2
    ),
)
def _exploding(ctx: Context):
    from numeric.stability import log_norm_increments, lyapunov_exponent, scaled_matrix_product

    n, x = sp.symbols("n x", positive=True)
    density = x ** (n / 2 - 1) * sp.exp(-x / 2) / (2 ** (n / 2) * sp.gamma(n / 2))  # χ²_n
    E_half_log = sp.integrate(sp.log(x) * density, (x, 0, sp.oo)) / 2
    yield symbolic_equal(
        E_half_log, (sp.log(2) + sp.digamma(n / 2)) / 2,
        "E[½ ln χ²_n] = ½(ln 2 + ψ(n/2)) by integration, symbolic n (‖M u‖² ~ χ²_n for unit u, independent of u)",
    )
    exact4 = sp.N((sp.log(2) + sp.digamma(2)) / 2, 30)
    yield Check(
        "numeric",
        abs(lyapunov_exponent(4) - float(exact4)) <= 4 * EPS,  # a log, a digamma, a sum: a few ulp
        f"lyapunov_exponent(4) = {lyapunov_exponent(4):.16f} vs ½(ln 2 + 1 - γ_E) = {float(exact4):.16f} (4 eps)",
        max_error=abs(lyapunov_exponent(4) - float(exact4)),
    )
    sizes = (2, 4, 8, 16)  # several n; 200 chains × 200 factors = 40000 i.i.d. increments each
    alpha = ALPHA / (len(sizes) + 1)  # Bonferroni over these tests and the column-norm test
    for i, n_ in enumerate(sizes):
        inc = log_norm_increments(n_, 200, chains=200, rng=ctx.rng(100 + i))
        yield _lyapunov_test(inc, n_, f"log_norm_increments(n={n_})", alpha)
    # The note's experiment: P = M_1 ⋯ M_101; P e_1 = M_1(⋯(M_101 e_1)), so ln‖P e_1‖ is a sum of 101
    # i.i.d. ½ ln χ²_4 increments: the sample mean of ln‖P e_1‖ / 101 must match λ(4).
    P, e = scaled_matrix_product(4, 101, size=2000, rng=ctx.rng(120))
    col = (np.log(np.linalg.norm(P[:, :, 0], axis=1)) + e * math.log(2.0)) / 101
    yield _column_test(col, alpha)
    p, log10_max = note_percentile(ctx.seed)
    S = log10_max.size
    eps_dkw = math.sqrt(math.log(2 / ALPHA) / (2 * S))  # DKW: P(sup|F_S - F| > ε) <= 2 exp(-2 S ε²) = 1e-6
    lo, hi = max(p - eps_dkw, 0.0), min(p + eps_dkw, 1.0)
    plausible = lo > 0.001 and hi < 0.999  # inside the central 99.8% of the distribution
    median = float(np.median(log10_max))
    yield Check(
        "statistical",
        plausible,
        f"the note's largest entry 3.8092853e+21 (log10 {math.log10(3.8092853e21):.3f}) sits at percentile "
        f"{100 * p:.1f}% (DKW band {100 * lo:.1f}-{100 * hi:.1f}%, false alarm 1e-6) of log10 max|entry| over "
        f"{S} products of 101 4×4 normals (median {median:.2f}, 5-95%: "
        f"{np.percentile(log10_max, 5):.2f}-{np.percentile(log10_max, 95):.2f}): plausible (inside 0.1-99.9%)",
        max_error=None,
    )
    yield _max_entry_test(log10_max)


def log_norm_cdf(x, n: int = 4, factors: int = 101) -> np.ndarray:
    """P(ln‖M_factors ⋯ M_1 u‖ <= x) for i.i.d. standard-normal n×n factors and a unit vector u.

    ln‖M_k ⋯ M_1 u‖ is exactly a sum of ``factors`` i.i.d. ½ ln χ²_n (‖M v‖² ~ χ²_n for every unit v),
    whose characteristic function is (E[(χ²_n)^{it/2}])^factors = (2^{it/2} Γ(n/2 + it/2) / Γ(n/2))^factors;
    the CDF is its Gil-Pelaez inversion F(x) = ½ − (1/π) ∫_0^∞ Im(e^{−itx} φ(t)) / t dt (quadrature error
    below 1e-8 for n = 4, 101 factors; the characteristic function is below 1e-40 beyond t = 50).
    """
    from scipy.integrate import quad
    from scipy.special import loggamma

    def tail(x_: float) -> float:
        def integrand(t: float) -> float:
            log_phi = factors * (0.5j * t * math.log(2) + loggamma(n / 2 + 0.5j * t) - loggamma(n / 2))
            return float(np.exp(log_phi - 1j * t * x_).imag / t) if t > 0 else 0.0

        return quad(integrand, 0, 50, limit=400, epsabs=1e-10)[0]

    return np.array([0.5 - tail(float(v)) / math.pi for v in np.atleast_1d(x)])


def _max_entry_test(log10_max: np.ndarray, factors: int = 101) -> Check:
    """The sample of log10 max|entry| of 4×4 products against bounds from the exact law of ln‖P e_j‖.

    For a 4×4 P: ‖P e_1‖ / 2 <= max|entry| <= max_j ‖P e_j‖, and each ‖P e_j‖ has the law of
    :func:`log_norm_cdf`. So F(t) = P(log10 max|entry| <= t) lies between
    L(t) = 1 − 4 (1 − F_S(t ln 10)) (union over the 4 columns) and U(t) = F_S(t ln 10 + ln 2).
    The empirical CDF is within ε of F everywhere except with probability 2 exp(−2 N ε²) = ALPHA (DKW).
    """
    N = log10_max.size
    eps = math.sqrt(math.log(2 / ALPHA) / (2 * N)) + 1e-6  # DKW, plus the quadrature's error
    step = 0.05
    grid = np.arange(np.percentile(log10_max, 0.5) - 3, np.percentile(log10_max, 99.5) + 3, step)
    F_hat = np.searchsorted(np.sort(log10_max), grid, side="right") / N
    ln10 = math.log(10)
    upper = log_norm_cdf(grid * ln10 + math.log(2), 4, factors)
    lower = 1 - 4 * (1 - log_norm_cdf(grid * ln10, 4, factors))
    excess = np.maximum(F_hat - (upper + eps), (lower - eps) - F_hat)
    worst = int(np.argmax(excess))
    mid = int(np.searchsorted(grid, np.median(log10_max)))  # a point to show: the sample's median

    # Power: the whole law shifted by δ in log10 (the factors scaled by 10^(δ/factors)) is certain to be
    # caught (miss <= ALPHA) once the shifted bounds leave a gap wider than 2ε somewhere on the grid.
    # (either direction: L(t) − U(t − δ) > 2ε for a shift right, L(t + δ) − U(t) > 2ε for a shift left)
    def caught(k: int) -> bool:
        return bool(np.any(lower[k:] - upper[:-k] > 2 * eps))

    k_min = next((k for k in range(1, grid.size) if caught(k)), None)
    delta = k_min * step if k_min else float("inf")
    return Check(
        "statistical",
        bool(excess[worst] <= 0),
        f"log10 max|entry| of {N} products of {factors} 4×4 normals vs the exact law of ln‖P e_j‖ (Gil-Pelaez): "
        f"empirical CDF inside [1 − 4(1 − F_S(t ln 10)), F_S(t ln 10 + ln 2)] ± {eps:.4f} at {grid.size} points "
        f"(largest excess {excess[worst]:+.4f} at t = {grid[worst]:.2f}; at t = {grid[mid]:.2f}: F̂ = {F_hat[mid]:.4f}, "
        f"bounds {max(lower[mid], 0):.4f}-{upper[mid]:.4f}); "
        f"false alarm {ALPHA:g} (DKW, exact); the law shifted by ±{delta:.2f} in log10 (factors scaled by "
        f"{10 ** (delta / factors):.4f} or its inverse) is certain to fail",
        max_error=float(max(excess[worst], 0.0)),
    )


def _column_test(col: np.ndarray, alpha: float) -> Check:
    """ln‖P e_1‖/101 over S products: each is a mean of 101 i.i.d. ½ ln χ²_4, so their mean is one of 101·S."""
    from numeric.stability import lyapunov_exponent

    K = col.size * 101
    claimed = lyapunov_exponent(4)
    mean = float(col.mean())
    t_lo, t_hi = chernoff_band(4, K, alpha)
    m_lo, m_hi = chernoff_band(4, K, 2e-6)
    catch = max(t_lo + m_hi, t_hi + m_lo)
    return Check(
        "statistical",
        claimed - t_lo <= mean <= claimed + t_hi,
        f"scaled_matrix_product(4, 101, size={col.size}): mean ln‖P e_1‖/101 = {mean:.5f} vs λ(4) = {claimed:.5f} "
        f"(band -{t_lo:.4f}/+{t_hi:.4f}, K={K} increments); false alarm {alpha:.1e} (Chernoff, exact MGF); "
        f"an error >= {catch:.4f} ({catch / claimed:.1%} of λ) is missed with probability <= 1e-6",
        max_error=abs(mean - claimed),
    )


# --- 5.4.vanishing -----------------------------------------------------------------------------

#: Reals where σ' is far from underflow and e^{-|x|} > 2 eps: |x| <= 30 (the strict bound is visible).
MODERATE_REALS = st.floats(min_value=-30.0, max_value=30.0, allow_nan=False)
#: (x, L): an input and a number of stacked sigmoids (4^-40 ~ 1e-24, far above underflow).
STACKS = st.tuples(MODERATE_REALS, st.integers(1, 40))


def _strict_bounds_violation(x: float) -> float:
    """How far numeric stacked_sigmoid_grad(x, 1) is from σ' <= 1/4 and σ'(x) < e^{-|x|} (0 when both hold)."""
    from numeric.stability import stacked_sigmoid_grad

    d = float(stacked_sigmoid_grad(x, 1))
    ratio = d * math.exp(abs(x))  # exact bound: 1/(1 + e^{-|x|})² <= 1 - 2e^{-|x|} + ..., below 1 by >= 1e-13
    return max(0.0, d - 0.25) + (0.0 if ratio < 1.0 else ratio - 1.0 + EPS)


def _relative_excess(x: float, grad) -> float:
    """Relative amount by which grad(x) exceeds min(1/4, e^{-|x|}) (0 when it does not)."""
    d = float(grad(x))
    return max(0.0, d / 0.25 - 1.0, d * math.exp(abs(x)) - 1.0)


def _stack_error(args) -> float:
    """Relative error of stacked_sigmoid_grad vs the complex-step derivative of σ∘⋯∘σ, per layer."""
    from numeric.stability import stacked_sigmoid_grad

    x, L = args
    h = complex(x, COMPLEX_STEP)
    for _ in range(L):
        h = 1.0 / (1.0 + np.exp(-h))
    fd = h.imag / COMPLEX_STEP
    return abs(float(stacked_sigmoid_grad(x, L)) - fd) / abs(fd) / L


@register(
    "5.4.vanishing",
    title="Sigmoid gradients vanish",
    latex=r"\sigma'(x) \le \tfrac14,\ \sigma'(x) < e^{-|x|},\ "
    r"\left|\frac{d}{dx} \sigma^{\circ L}(x)\right| \le 4^{-L}",
    statement=lambda: sp.Le(sp.Symbol(r"\sigma'(x)"), sp.Rational(1, 4)),
)
def _vanishing(ctx: Context):
    from numeric.stability import stacked_sigmoid_grad

    x = sp.Symbol("x", real=True)
    s_, u = sp.symbols("s u", positive=True)
    sig = 1 / (1 + sp.exp(-x))
    d = sp.diff(sig, x)
    yield symbolic_equal(d, sig * (1 - sig), "σ'(x) = σ(x)(1 - σ(x))")
    yield symbolic_equal(
        sp.Rational(1, 4) - s_ * (1 - s_), (s_ - sp.Rational(1, 2)) ** 2,
        "1/4 - s(1 - s) = (s - 1/2)² >= 0, so σ' <= 1/4 with equality only at σ = 1/2 (x = 0)",
    )
    yield symbolic_equal(d.subs(x, -x), d, "σ'(-x) = σ'(x): it suffices to bound x >= 0")
    yield symbolic_equal(d, (u / (1 + u) ** 2).subs(u, sp.exp(-x)), "σ'(x) = u/(1 + u)² with u = e^{-x}")
    gap = sp.factor(u - u / (1 + u) ** 2)
    yield Check(
        "symbolic",
        bool(gap.is_positive) and sp.simplify(gap - u**2 * (u + 2) / (u + 1) ** 2) == 0,
        f"e^{{-x}} - σ'(x) = {gap} > 0 for every u = e^{{-x}} > 0: σ'(x) < e^{{-|x|}} (by the symmetry above)",
    )
    yield hypothesis_check(
        "numeric", "numeric σ'(x) <= 1/4 and σ'(x) < e^{-|x|} for |x| <= 30 (violation; must be 0)",
        MODERATE_REALS, _strict_bounds_violation, ctx=ctx, tol=0.0, salt=51,
    )
    from numeric.activations import sigmoid_grad

    yield hypothesis_check(
        "numeric",
        "numeric.activations.sigmoid_grad(x) <= 1/4 and <= e^{-|x|} up to rounding, |x| <= 30 (relative excess; "
        "4 eps: exp, add, square, divide each round once; e/(1+e)² can land 1 ulp above 1/4 near x = 0)",
        MODERATE_REALS, lambda x_: _relative_excess(x_, sigmoid_grad), ctx=ctx, tol=4 * EPS, salt=54,
    )
    yield hypothesis_check(
        "numeric", "d/dx of L stacked sigmoids (unit weights) <= 4^-L, L in 1..40 (violation g·4^L - 1; must be <= 0)",
        STACKS, lambda args: max(0.0, float(stacked_sigmoid_grad(*args)) * 4.0 ** args[1] - 1.0),
        ctx=ctx, tol=0.0, salt=52,
    )
    yield hypothesis_check(
        "finite-difference",
        "stacked_sigmoid_grad vs complex step of σ∘⋯∘σ (relative error per layer; 8 eps: one σ and one "
        "product per layer, each a few ulp)",
        STACKS, _stack_error, ctx=ctx, tol=8 * EPS, salt=53,  # 8 = rounding of exp, 1+, /, and the product
    )
    top = float(stacked_sigmoid_grad(0.0, 10)) * 4.0**10  # 10 layers: the bound's slack at its best point
    yield Check(
        "numeric", top <= 1.0,
        f"at x = 0 (where σ' = 1/4 is attained) 10 stacked sigmoids give 4^10 · gradient = {top:.3e}: the first "
        "layer attains 1/4, the later ones see σ(·) >= 1/2 > 0 and stay strictly below it",
    )


# --- 5.4.symmetry ------------------------------------------------------------------------------

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
        PERMUTED_NETS, _permutation_error, ctx=ctx, tol=(_HIDDEN + 1) * EPS, salt=55,
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


# --- the depth experiment (attached to 5.4.default, 5.4.6 and 5.4.he) -------------------------

_DEPTH, _WIDTH = 50, 256  # the experiment: 50 layers of width 256
#: Variance × width of one layer's log-gain log(Var_{l+1} / Var_l), for one input row (the worst case:
#: averaging over the batch only lowers it). Given the layer's input a = f(z), z' = a W has i.i.d.
#: N(0, σ²‖a‖²) entries, so the gain is χ²_width/width (variance 2/width) times ‖f(z)‖²/(width E f²),
#: whose variance is (kurtosis of f(z) − 1)/width. Forward: tanh's kurtosis is at most 3 (its linear
#: limit), ReLU's is E[ReLU⁴]/E[ReLU²]² = (3q²/2)/(q/2)² = 6. Backward the factor is g f'(z) with Gaussian
#: g: ReLU 3 / P(z > 0) = 6; tanh 3 E[f'⁴]/E[f'²]², at most 4.75 for Var z in (0, 1] (Gauss-Hermite).
_STEP_VAR = {("tanh", "forward"): 2 + 2, ("tanh", "backward"): 2 + 3.8, ("relu", "forward"): 2 + 5,
             ("relu", "backward"): 2 + 5}  # fmt: skip
#: The band holds at all 50 layers together with probability >= 1 - ALPHA (Bonferroni over the layers,
#: two-sided), under the model of the log-variance as a Gaussian random walk with these steps.
_Z_LAYERS = NormalDist().inv_cdf(1 - ALPHA / (2 * _DEPTH))
#: One rate check (the mean of 40 log-gains), two-sided at ALPHA.
_Z_ONE = NormalDist().inv_cdf(1 - ALPHA / 2)


def _walk(activation: str, direction: str, layers) -> tuple[np.ndarray, np.ndarray]:
    """(sd, drift bound) of the log-variance after ``layers`` steps: sqrt(v·l/width) and v·l/(2·width).

    The drift: E log X = log E X − Var X / 2 + …, so the walk's mean moves by up to Var/2 per layer.
    """
    v = _STEP_VAR[activation, direction] / _WIDTH
    layers = np.asarray(layers, dtype=float)
    return np.sqrt(v * layers), v * layers / 2


@cache
def _experiment(init_name: str, activation: str, seed: int):
    from numeric.stability import depth_experiment

    return depth_experiment(init_name, activation, depth=_DEPTH, width=_WIDTH, rng=np.random.default_rng([seed, 77]))


@cache
def _gauss_hermite(nodes: int = 80):
    """Probabilists' Gauss-Hermite rule: E[g(ξ)], ξ ~ N(0, 1), exact for polynomials of degree < 160."""
    from numpy.polynomial.hermite_e import hermegauss

    xi, w = hermegauss(nodes)
    return xi, w / w.sum()


def _mean_field_tanh(q1: float, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Xavier square layers (n σ² = 1), tanh: q_{l+1} = E[tanh(√q_l ξ)²]; Var g_{l-1} = E[tanh'(z_l)²] Var g_l."""
    xi, w = _gauss_hermite()
    q = [q1]
    for _ in range(depth - 1):
        q.append(float(w @ np.tanh(math.sqrt(q[-1]) * xi) ** 2))
    chi = np.array([float(w @ (1 - np.tanh(math.sqrt(qq) * xi) ** 2) ** 2) for qq in q])
    return np.array(q), np.cumprod(chi[::-1])[::-1]  # upstream Var ∂ℓ/∂h^(depth) = 1


def _band_check(measured: np.ndarray, predicted: np.ndarray, what: str, activation: str, seed: int, *,
                backward: bool = False) -> Check:
    """|log(measured / predicted)| inside the random-walk band at every layer (false alarm <= ALPHA in all)."""
    steps = np.arange(len(measured), 0, -1) if backward else np.arange(1, len(measured) + 1)
    sd, drift = _walk(activation, "backward" if backward else "forward", steps)
    band = _Z_LAYERS * sd + drift
    dev = np.abs(np.log(measured / predicted))
    worst = int(np.argmax(dev / band))
    far = int(np.argmax(steps))  # the layer farthest from the start: the widest band
    if activation == "relu":
        # ReLU is homogeneous: a per-layer gain off by a factor r drifts log r per layer, certain to be
        # caught (miss <= ALPHA) when log r · layers exceeds the band plus _Z_LAYERS sd at the farthest layer
        power = math.exp((band[far] + _Z_LAYERS * sd[far]) / steps[far])
        catches = f"a per-layer variance gain off by x{power:.2f} fails"
    else:  # tanh is not: a larger gain partly saturates away, so say what the tests saw
        catches = "weights x0.9 or x1.5 fail (tests/test_stability.py), x1.2 saturates and passes"
    return Check(
        "numeric",
        bool(np.all(dev <= band)),
        f"{what}: |log(measured/predicted)| inside a random-walk band at all {_DEPTH} layers (worst layer "
        f"{worst + 1}: {dev[worst]:.3f} vs band {band[worst]:.3f}; seed {seed}); false alarm <= {ALPHA:g} under the "
        f"model (per-layer log-gain variance {_STEP_VAR[activation, 'backward' if backward else 'forward']:g}/width, "
        f"{_Z_LAYERS:.2f} sd, Bonferroni over layers); {catches}; "
        f"measured layer 1 {measured[0]:.3g}, layer {_DEPTH} {measured[-1]:.3g}",
        max_error=float(dev[worst]),
    )


def _rate_check(var: np.ndarray, rate: float, what: str, activation: str, direction: str) -> Check:
    """Geometric decay: per-layer log-rate over layers 10..50 (deep, linear regime) equals log(rate)."""
    lo, hi = 10, _DEPTH  # from layer 10 the activations are tiny and tanh(z) = z to 1e-10
    measured = float((math.log(var[hi - 1]) - math.log(var[lo - 1])) / (hi - lo))
    sd, drift = _walk(activation, direction, hi - lo)
    tol = float(_Z_ONE * sd + drift) / (hi - lo)  # the mean of 40 per-layer log-gains, two-sided at ALPHA
    return Check(
        "numeric",
        abs(measured - math.log(rate)) <= tol,
        f"{what}: per-layer factor exp({measured:.4f}) = {math.exp(measured):.4f} vs predicted {rate:.4f} "
        f"(|Δ log| <= {tol:.3f}: {_Z_ONE:.2f} sd of the mean of {hi - lo} log-gains plus drift, false alarm <= "
        f"{ALPHA:g} under the random-walk model), variance {var[0]:.3g} at layer 1 -> {var[-1]:.3g} at layer "
        f"{_DEPTH}: geometric decay",
        max_error=abs(measured - math.log(rate)),
    )


@also_check("5.4.default")
def _default_vanishes(ctx: Context):
    sigma2 = 0.01**2  # the default N(0, 0.01²)
    tanh_ = _experiment("normal", "tanh", ctx.seed)
    relu_ = _experiment("normal", "relu", ctx.seed)
    # Small z: tanh(z) = z, so Var z' = width σ² Var z; ReLU keeps half the second moment: width σ²/2.
    yield _rate_check(tanh_.preactivation_variance, _WIDTH * sigma2, "depth 50, N(0, 0.01²), tanh, forward Var z",
                      "tanh", "forward")
    yield _rate_check(tanh_.gradient_variance[::-1], _WIDTH * sigma2,
                      "depth 50, N(0, 0.01²), tanh, backward Var ∂ℓ/∂h", "tanh", "backward")
    yield _rate_check(relu_.preactivation_variance, _WIDTH * sigma2 / 2, "depth 50, N(0, 0.01²), ReLU, forward Var z",
                      "relu", "forward")


@also_check("5.4.6")
def _xavier_keeps_tanh(ctx: Context):
    r = _experiment("xavier_normal", "tanh", ctx.seed)
    q, g = _mean_field_tanh(1.0, _DEPTH)  # Var z^(1) = width · (1/width) · Var x = 1
    yield _band_check(
        r.preactivation_variance, q,
        "depth 50, Xavier, tanh, forward Var z vs mean field (no geometric decay: q_l ~ 1/(2l), 0.01 at layer 50)",
        "tanh", ctx.seed,
    )
    yield _band_check(
        r.gradient_variance, g, "depth 50, Xavier, tanh, backward Var ∂ℓ/∂h vs mean field", "tanh", ctx.seed,
        backward=True,
    )


@also_check("5.4.he")
def _he_keeps_relu(ctx: Context):
    r = _experiment("he_normal", "relu", ctx.seed)
    ones = np.ones(_DEPTH)
    # He: width · (2/width) · E[ReLU(z)²] = Var z, so Var z stays at its layer-1 value 2 (= width σ² Var x).
    yield _band_check(r.preactivation_variance, 2 * ones, "depth 50, He, ReLU, forward Var z constant (= 2)",
                      "relu", ctx.seed)
    yield _band_check(r.gradient_variance, ones, "depth 50, He, ReLU, backward Var ∂ℓ/∂h constant (= 1)",
                      "relu", ctx.seed, backward=True)
    x = _experiment("xavier_normal", "relu", ctx.seed)
    yield _rate_check(x.preactivation_variance, 0.5, "contrast: Xavier with ReLU, forward Var z halves per layer",
                      "relu", "forward")
