"""Claims 5.4.default (N(0, 0.01²)) and 5.4.he (He for ReLU: E[ReLU(z)²] = Var(z)/2, so σ² = 2/n_in).

:mod:`numeric.init` and the models' default initialization are sampled and
held to the claimed variances by exact tests.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import sympy as sp

from ..checking import hypothesis_check, symbolic_equal
from ..claims import Check, Context, register
from .moments import a, n_in, sigma, v
from .sampling import ALPHA, FANS, _draws, _initializer_checks, chi2_scale_check

__all__ = ["he_variance", "relu_second_moment"]


@cache
def relu_second_moment() -> sp.Expr:
    """5.4.he: E[ReLU(z)²] for z ~ N(0, v), by integrating z² against the normal density over z > 0."""
    z = sp.Symbol("z", real=True)
    density = sp.exp(-(z**2) / (2 * v)) / sp.sqrt(2 * sp.pi * v)
    return sp.simplify(sp.integrate(z**2 * density, (z, 0, sp.oo)))


@cache
def he_variance() -> sp.Expr:
    """5.4.he: σ² keeping E[z²] through a ReLU layer: n_in σ² E[ReLU(z)²] = Var z, solved for σ²."""
    s2 = sp.Symbol("s2", positive=True)
    (solution,) = sp.solve(sp.Eq(n_in * s2 * relu_second_moment(), v), s2)
    return solution


@register(
    "5.4.default",
    title="Default initialization N(0, 0.01²)",
    latex=r"w_{ij} \sim \mathcal{N}(0, 0.01^2)",
    statement=lambda: sp.Eq(sp.Symbol("sigma_default"), sp.Rational(1, 100)),
)
def _default_normal(ctx: Context):
    from scipy import stats as sstats  # lazy: ~0.4 s to import

    from numeric import init

    yield Check(
        "numeric",
        init.DEFAULT_SIGMA == 0.01,
        f"numeric.init.DEFAULT_SIGMA = {init.DEFAULT_SIGMA!r} (the book's 0.01)",
    )
    yield from _initializer_checks("normal", lambda fi, fo: 0.01**2, ctx, salt=81)  # 0.01: the claim's σ
    from numeric.mlp import MLP
    from numeric.training import MLPScratch

    for label, model in (
        ("MLP([784, 256, 10]) (default init)", MLP([784, 256, 10], rng=ctx.rng(83))),  # the book's sizes
        ("MLPScratch() (the book's model)", MLPScratch(rng=ctx.rng(84))),
    ):
        weights = np.concatenate([W.ravel() for W in model.params[0::2]])
        yield chi2_scale_check(weights, 0.01**2, f"all weights of {label}", alpha=ALPHA)
        yield Check(
            "numeric",
            all(not b.any() for b in model.params[1::2]),
            f"biases of {label} start at 0",
        )
    W = _draws(init.normal, 256, 256, ctx.rng(82))
    zstat = float(W.sum() / (0.01 * math.sqrt(W.size)))
    zcrit = float(sstats.norm.isf(ALPHA / 2))
    yield Check(
        "statistical",
        abs(zstat) <= zcrit,
        f"mean of numeric.init.normal(256, 256) draws: z = {zstat:.3f}, |z| <= {zcrit:.3f} "
        f"(false alarm {ALPHA:.2g}, exact normal); a mean offset >= "
        f"{(zcrit + sstats.norm.isf(ALPHA)) / math.sqrt(W.size):.3f} σ is missed with probability <= 1e-6",
        max_error=abs(zstat) / math.sqrt(W.size),
    )


@register(
    "5.4.he",
    title="He (Kaiming) initialization for ReLU",
    latex=r"E[\mathrm{ReLU}(z)^2] = \tfrac12 \mathrm{Var}(z) \Rightarrow \sigma^2 = \frac{2}{n_\mathrm{in}}",
    statement=lambda: sp.Eq(sigma**2, he_variance()),
)
def _he_normal(ctx: Context):
    from sympy import stats as sps  # lazy: keeps `import derivations` cheap

    yield symbolic_equal(relu_second_moment(), v / 2, "∫_0^∞ z² N(z; 0, v) dz = v/2, i.e. E[ReLU(z)²] = Var(z)/2")
    # Any zero-mean symmetric z: E[ReLU(z)²] = ∫_0^∞ z² p = ½ ∫ z² p.  Two more symmetric laws as witnesses.
    z = sp.Symbol("z", real=True)
    laplace = sp.exp(-sp.Abs(z) / a) / (2 * a)  # Laplace(0, a) density
    relu2 = sp.integrate((z**2 * laplace).subs(sp.Abs(z), z), (z, 0, sp.oo))  # |z| = z on z > 0
    var_l = sps.variance(sps.Laplace("z_L", 0, a))  # sympy.stats: 2a²
    yield symbolic_equal(
        relu2, var_l / 2, f"Laplace(0, a): ∫_0^∞ z² p = {relu2} = Var(z)/2 (sympy.stats Var = {var_l})"
    )
    uni = sps.Uniform("z_U", -a, a)
    uni_m = sps.E(sp.Piecewise((uni**2, uni > 0), (0, True)))
    yield symbolic_equal(uni_m, sps.variance(uni) / 2, "sympy.stats: U(-a, a) also has E[ReLU(z)²] = Var(z)/2")
    yield symbolic_equal(he_variance(), 2 / n_in, "solve(n_in σ² · v/2 = v) gives σ² = 2/n_in")
    from numeric import init

    f = sp.lambdify((n_in,), sp.sqrt(he_variance()), "math")
    yield hypothesis_check(
        "numeric",
        "numeric.init.he_std vs the SymPy solution (relative error)",
        FANS,
        lambda fans: abs(init.he_std(fans[0]) / f(fans[0]) - 1.0),
        ctx=ctx,
        tol=4 * 2.0**-52,
        salt=91,  # a division and a sqrt on each side: <= 4 ulp
    )
    g = sp.lambdify((n_in,), he_variance(), "math")
    yield from _initializer_checks("he_normal", lambda fi, fo: g(fi), ctx, salt=92)
