"""Claim 5.4.exploding: products of Gaussian matrices grow at the top Lyapunov exponent.

λ = ½(ln 2 + ψ(n/2)) is derived by integration; the growth rate of
:mod:`numeric.stability`'s products is held to it by exact Chernoff bands;
the law of ln‖M_k ⋯ M_1 u‖ (Gil-Pelaez inversion, :func:`log_norm_cdf`) bounds
the distribution of the largest entry, and the study note's printed product
(:data:`NOTE_PRODUCT`) is placed in that distribution (:func:`note_percentile`).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import sympy as sp

from ..checking import symbolic_equal
from ..claims import Check, Context, register
from ..initialization import ALPHA
from .jacobians import EPS

__all__ = ["NOTE_PRODUCT", "chernoff_band", "log_norm_cdf", "note_percentile"]

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
        f"false alarm {alpha:.2g} (Chernoff bound, exact MGF of ½ ln χ²_n); any error in λ >= {catch:.4f} "
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
    statement=lambda: sp.Eq(sp.Symbol("lambda"), (sp.log(2) + sp.digamma(sp.Symbol("n", positive=True) / 2)) / 2),
)
def _exploding(ctx: Context):
    from numeric.stability import log_norm_increments, lyapunov_exponent, scaled_matrix_product

    n, x = sp.symbols("n x", positive=True)
    density = x ** (n / 2 - 1) * sp.exp(-x / 2) / (2 ** (n / 2) * sp.gamma(n / 2))  # χ²_n
    E_half_log = sp.integrate(sp.log(x) * density, (x, 0, sp.oo)) / 2
    yield symbolic_equal(
        E_half_log,
        (sp.log(2) + sp.digamma(n / 2)) / 2,
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
        f"(band -{t_lo:.4f}/+{t_hi:.4f}, K={K} increments); false alarm {alpha:.2g} (Chernoff, exact MGF); "
        f"an error >= {catch:.4f} ({catch / claimed:.1%} of λ) is missed with probability <= 1e-6",
        max_error=abs(mean - claimed),
    )
