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

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from scipy import optimize
from scipy import stats as sstats
from scipy.special import gammaln

from .checking import hypothesis_check, symbolic_equal
from .claims import Check, Context, also_check, register
from .initialization import ALPHA

__all__ = ["NOTE_PRODUCT", "chernoff_band", "note_percentile"]

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


@register(
    "5.4.2",
    title="The gradient is a product of Jacobians",
    latex=r"\frac{\partial o}{\partial W^{(l)}} = M^{(L)} \cdots M^{(l+1)} v^{(l)},\ "
    r"M^{(k)} = \frac{\partial h^{(k)}}{\partial h^{(k-1)}},\ v^{(l)} = \frac{\partial h^{(l)}}{\partial W^{(l)}}",
    statement=lambda: sp.Eq(
        sp.Symbol(r"\partial o / \partial W^{(l)}"),
        sp.Symbol("M^{(L)}") * sp.Symbol(r"\cdots") * sp.Symbol("M^{(l+1)}") * sp.Symbol("v^{(l)}"),
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
    yield hypothesis_check(
        "finite-difference",
        "M^(L)⋯M^(l+1) v^(l) (np.einsum) vs complex-step ∂o/∂W^(l), every l, depth 4-6, tanh and sigmoid "
        "(error relative to max|∂o/∂W^(l)|; tolerance 64 eps: <= 6 layers of <= 5-term products, "
        "each <= ~10 eps, complex step exact to O(h²)=1e-60)",
        NETWORKS,
        _jacobian_product_error,
        ctx=ctx,
        tol=64 * EPS,  # 64 = 6 layers × ~10 rounding errors per layer, rounded up to a power of two
        salt=42,
    )


# --- 5.4.exploding -----------------------------------------------------------------------------


def _half_log_chi2_cgf(lam: float, n: int) -> float:
    """log E[exp(λ X)] for X = ½ ln χ²_n: E[(χ²_n)^{λ/2}] = 2^{λ/2} Γ(n/2 + λ/2) / Γ(n/2), λ > -n."""
    return 0.5 * lam * math.log(2.0) + float(gammaln(n / 2 + lam / 2) - gammaln(n / 2))


def _rate(x: float, n: int) -> float:
    """Cramér rate function I(x) = sup_λ (λ x - Λ(λ)) of X = ½ ln χ²_n (concave in λ: bounded 1-D search)."""
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
    # The true mean, from SymPy (independent of numeric.stability, which is under test).
    mu = 0.5 * (math.log(2.0) + float(sp.N(sp.digamma(sp.Rational(n, 2)), 20)))
    target = math.log(2 / alpha) / K
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


#: log10 of the note's largest |entry| (3.8092853e21) and the Monte-Carlo size for its percentile.
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
