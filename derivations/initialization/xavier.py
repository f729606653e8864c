"""Claims 5.4.6 (Xavier normal, Eq. 5.4.6) and 5.4.7 (Xavier uniform, Eq. 5.4.7).

SymPy solves for σ² and for the uniform bound a (the 6 is derived);
:mod:`numeric.init` is held to the solutions and sampled by exact tests.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import sympy as sp

from ..checking import hypothesis_check, is_zero, symbolic_equal
from ..claims import Check, Context, register
from .moments import a, gamma, layer_moments, mu_w, mu_x, n_in, n_out, sigma
from .sampling import _SHAPES, ALPHA, FANS, SCALE_ERRORS, _draws, _initializer_checks

__all__ = ["uniform_variance", "xavier_uniform_bound", "xavier_variance"]


@cache
def xavier_variance() -> sp.Expr:
    """Eq. 5.4.6: the σ² solving ½ (n_in + n_out) σ² = 1."""
    s2 = sp.Symbol("s2", positive=True)
    (solution,) = sp.solve(sp.Eq(sp.Rational(1, 2) * (n_in + n_out) * s2, 1), s2)
    return solution


@cache
def uniform_variance() -> sp.Expr:
    """Var U(-a, a), derived by sympy.stats (a²/3)."""
    from sympy import stats as sps  # lazy: keeps `import derivations` cheap

    return sp.simplify(sps.variance(sps.Uniform("U", -a, a)))


@cache
def xavier_uniform_bound() -> sp.Expr:
    """Eq. 5.4.7: the a > 0 with Var U(-a, a) = σ²_Xavier, solved (the 6 is derived, not written)."""
    (solution,) = sp.solve(sp.Eq(uniform_variance(), xavier_variance()), a)
    return solution


@register(
    "5.4.6",
    title="Xavier (Glorot) normal initialization",
    latex=r"\tfrac12 (n_\mathrm{in} + n_\mathrm{out}) \sigma^2 = 1 \iff \sigma = \sqrt{\frac{2}{n_\mathrm{in} + n_\mathrm{out}}}",
    statement=lambda: sp.Eq(sigma, sp.sqrt(xavier_variance())),
)
def _xavier_normal(ctx: Context):
    s2 = xavier_variance()
    yield symbolic_equal(s2, 2 / (n_in + n_out), "solve(½(n_in + n_out)σ² = 1) gives σ² = 2/(n_in + n_out)")
    # Not a restatement: the forward and backward gains are DERIVED from the variance formulas of 5.4.5 /
    # 5.4.backward (layer_moments: Var Σ_j w_j x_j with zero means, unit input variance), then the solution
    # is substituted.  A wrong layer_moments or a wrong solve (e.g. 1/(n_in + n_out)) fails here.
    _, var_sum = layer_moments(n_in)
    forward = var_sum.subs({mu_w: 0, mu_x: 0, gamma: 1})  # n_in σ²: Var o_i for unit-variance inputs
    backward = layer_moments(n_out)[1].subs({mu_w: 0, mu_x: 0, gamma: 1})  # n_out σ²: Var ∂ℓ/∂x_j
    yield symbolic_equal(
        sp.Rational(1, 2) * (forward + backward).subs(sigma, sp.sqrt(s2)),
        1,
        "with σ² = 2/(n_in + n_out), the mean of the derived forward gain Var o_i / γ² (5.4.5) and backward gain "
        "Var ∂ℓ/∂x_j / γ² (5.4.backward) is 1",
    )
    # Both conditions n_in σ² = 1 and n_out σ² = 1 hold together only when n_in = n_out, where Xavier's σ²
    # is their common solution 1/n_in: the compromise is exact for square layers.
    s2_ = sp.Symbol("s2_", positive=True)
    both = sp.solve(
        [sp.Eq(forward.subs(sigma, sp.sqrt(s2_)), 1), sp.Eq(backward.subs(sigma, sp.sqrt(s2_)), 1)],
        [s2_, n_out],
        dict=True,
    )
    square_ok = (
        len(both) == 1 and sp.simplify(both[0][n_out] - n_in) == 0 and is_zero(s2.subs(n_out, n_in) - both[0][s2_])
    )
    yield Check(
        "symbolic",
        square_ok,
        f"solving n_in σ² = 1 and n_out σ² = 1 together gives {both}: only n_out = n_in, where "
        f"2/(n_in + n_out) = {sp.simplify(s2.subs(n_out, n_in))} is that solution",
    )
    from numeric import init

    f = sp.lambdify((n_in, n_out), sp.sqrt(s2), "math")
    yield hypothesis_check(
        "numeric",
        "numeric.init.xavier_std vs the SymPy solution (relative error)",
        FANS,
        lambda fans: abs(init.xavier_std(*fans) / f(*fans) - 1.0),
        ctx=ctx,
        tol=4 * 2.0**-52,
        salt=61,  # a division, a sqrt and rounding of both sides: <= 4 ulp
    )
    g = sp.lambdify((n_in, n_out), s2, "math")
    yield from _initializer_checks("xavier_normal", g, ctx, salt=62)


@register(
    "5.4.7",
    title="Xavier (Glorot) uniform initialization",
    latex=r"\mathrm{Var}\,U(-a, a) = \frac{a^2}{3} \Rightarrow a = \sqrt{\frac{6}{n_\mathrm{in} + n_\mathrm{out}}}",
    statement=lambda: sp.Eq(a, xavier_uniform_bound()),
)
def _xavier_uniform(ctx: Context):
    var_u = uniform_variance()
    yield symbolic_equal(var_u, a**2 / 3, "sympy.stats: Var U(-a, a) = a²/3")
    bound = xavier_uniform_bound()
    six = sp.simplify(bound**2 * (n_in + n_out))
    yield Check("symbolic", six == 6, f"solving a²/3 = 2/(n_in + n_out) for a > 0 gives a² (n_in + n_out) = {six}")
    from numeric import init

    f = sp.lambdify((n_in, n_out), bound, "math")
    yield hypothesis_check(
        "numeric",
        "numeric.init.xavier_uniform_bound vs the SymPy solution (relative error)",
        FANS,
        lambda fans: abs(init.xavier_uniform_bound(*fans) / f(*fans) - 1.0),
        ctx=ctx,
        tol=6 * 2.0**-52,
        salt=71,  # two sqrts, a product, a division: <= 6 ulp
    )
    rng = ctx.rng(72)
    alpha = ALPHA / (2 * len(_SHAPES))  # two tests per shape, Bonferroni
    for fi, fo in _SHAPES:
        W = _draws(init.xavier_uniform, fi, fo, rng)
        N, a_ = W.size, f(fi, fo)
        T = float(np.max(np.abs(W)) / a_)  # under H0, T ≤ 1 and T^N ~ U(0, 1) exactly
        t_lo = alpha ** (1.0 / N)
        yield Check(
            "statistical",
            t_lo <= T <= 1.0,
            f"numeric.init.xavier_uniform({fi}, {fo}): max|W|/a = {T:.6f} over N={N}, in [{t_lo:.6f}, 1] "
            f"(T^N ~ U(0,1) exactly: false alarm {alpha:.2g}); a scale x1.05 exceeds 1 unless all N draws "
            f"fall below a (prob 1.05^-N = {1.05**-N:.1e}), x0.95 keeps T <= 0.95 < {t_lo:.4f} (missed never)",
            max_error=abs(T - 1.0),
        )
        # Hoeffding on W²/a² ∈ [0, 1] with mean 1/3 (Var U(-a, a) = a²/3): exact bound, no normality.
        m = float(np.mean(W * W) / a_**2)
        t = math.sqrt(math.log(2 / alpha) / (2 * N))
        # Under a 5% scale error the mean is 1/3 · 1.05^±2, and W²/a² ∈ [0, 1.1025]: Hoeffding again.
        gap = min(abs(1 / 3 * r * r - 1 / 3) for r in SCALE_ERRORS) - t
        miss = math.exp(-2 * N * gap**2 / 1.05**4) if gap > 0 else 1.0
        yield Check(
            "statistical",
            abs(m - 1 / 3) <= t,
            f"numeric.init.xavier_uniform({fi}, {fo}): mean W²/a² = {m:.5f} vs 1/3 ± {t:.5f} "
            f"(Hoeffding, false alarm {alpha:.2g}); a 5% scale error is missed with probability <= {miss:.1e}",
            max_error=abs(m - 1 / 3),
        )
