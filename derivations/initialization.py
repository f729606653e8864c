"""Section 5.4: variance of a layer's outputs and gradients, and the initializations it motivates.

Claims 5.4.4, 5.4.5, 5.4.backward (the variance argument, for a symbolic
number of inputs), 5.4.6 (Xavier normal), 5.4.7 (Xavier uniform),
5.4.default (N(0, 0.01²)) and 5.4.he (He for ReLU).  SymPy derives every
constant; :mod:`numeric.init` is sampled and held to it by exact statistical
tests, each with false-alarm probability ``ALPHA`` and a stated power.

Independence is modelled explicitly: ``sympy.stats`` applied to ``Sum(w, (j,
1, n))`` of ONE random variable gives ``n² σ²`` (every term is the same
variable), so the symbolic-``n`` proofs expand ``E[o²] = Σ_j Σ_k E[w_j w_k]
E[x_j x_k]`` with ``E[w_j w_k] = σ² δ_jk + μ_w²`` (KroneckerDelta), and
``sympy.stats`` with distinct random variables confirms them at n = 1, 2, 3.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from .checking import hypothesis_check, symbolic_equal, symbolic_true
from .claims import Check, Context, also_check, register

__all__ = [
    "ALPHA",
    "chi2_scale_check",
    "he_variance",
    "layer_moments",
    "xavier_uniform_bound",
    "xavier_variance",
]

#: False-alarm probability of every statistical check of section 5.4 (the project's ceiling).
ALPHA = 1e-6
#: Scale error every statistical check must catch: a weight scale off by 5% (variance off by ~10%).
SCALE_ERRORS = (0.95, 1.05)

n_in, n_out = sp.symbols("n_in n_out", integer=True, positive=True)
sigma, gamma, a, v = sp.symbols("sigma gamma a v", positive=True)
mu_w, mu_x = sp.symbols("mu_w mu_x", real=True)
j, k = sp.symbols("j k", integer=True, positive=True)


# --- symbolic derivations (shared, cached) -----------------------------------------------------


@cache
def layer_moments(n: sp.Symbol = n_in) -> tuple[sp.Expr, sp.Expr]:
    """Eq. 5.4.4–5.4.5: E[o] and Var[o] for o = Σ_{j=1}^{n} w_j x_j, w ⟂ x, all terms independent.

    Means ``mu_w``, ``mu_x`` and variances ``sigma²``, ``gamma²`` are kept
    general; independence enters as ``E[w_j w_k] = σ² δ_jk + μ_w²`` and
    ``E[w_j x_j w_k x_k] = E[w_j w_k] E[x_j x_k]`` (w independent of x).
    """
    E_o = sp.Sum(mu_w * mu_x, (j, 1, n)).doit()  # linearity: E[w_j x_j] = E[w_j] E[x_j]
    E_ww = sigma**2 * sp.KroneckerDelta(j, k) + mu_w**2
    E_xx = gamma**2 * sp.KroneckerDelta(j, k) + mu_x**2
    inner = sp.Sum(sp.expand(E_ww * E_xx), (k, 1, n)).doit()
    inner = sp.refine(inner, sp.Q.le(j, n))  # the outer sum runs over j = 1..n
    E_o2 = sp.Sum(inner, (j, 1, n)).doit()
    return sp.simplify(E_o), sp.factor(sp.expand(E_o2 - E_o**2))


@cache
def _stats_moments(n: int, w_name: str, x_name: str) -> tuple[sp.Expr, sp.Expr]:
    """sympy.stats with 2n DISTINCT normal variables: E and Var of Σ_j w_j x_j (concrete n)."""
    from sympy import stats as sps  # lazy: keeps `import derivations` cheap

    ws = [sps.Normal(f"{w_name}{i}", 0, sigma) for i in range(1, n + 1)]
    xs = [sps.Normal(f"{x_name}{i}", 0, gamma) for i in range(1, n + 1)]
    o = sum(w * x for w, x in zip(ws, xs))
    return sp.simplify(sps.E(o)), sp.simplify(sps.variance(o))


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


# --- exact statistical tests -------------------------------------------------------------------


def _chi2_band(N: int, alpha: float) -> tuple[float, float]:
    from scipy import stats as sstats  # lazy: ~0.4 s to import

    return float(sstats.chi2.ppf(alpha / 2, N)), float(sstats.chi2.isf(alpha / 2, N))


def chi2_miss(N: int, alpha: float, ratio: float) -> float:
    """P(the two-sided χ²_N test at level alpha accepts) when the true variance is ``ratio`` × the claimed one."""
    from scipy import stats as sstats  # lazy: ~0.4 s to import

    lo, hi = _chi2_band(N, alpha)
    return float(sstats.chi2.cdf(hi / ratio, N) - sstats.chi2.cdf(lo / ratio, N))


def chi2_scale_check(samples: np.ndarray, variance: float, what: str, *, alpha: float = ALPHA) -> Check:
    """Exact test that ``samples`` are i.i.d. N(0, variance): Σ x²/variance ~ χ²_N, two-sided at level alpha.

    The detail line gives the false-alarm probability (exact: chi-square
    quantiles) and the miss probability (exact) for a scale off by 5% either way.
    """
    x = np.asarray(samples, dtype=np.float64).ravel()
    N = x.size
    S = float(np.sum(x * x) / variance)
    lo, hi = _chi2_band(N, alpha)
    miss = max(chi2_miss(N, alpha, r * r) for r in SCALE_ERRORS)
    ok = lo <= S <= hi
    return Check(
        "statistical",
        ok,
        f"{what}: Σx²/σ² = {S:.6g} over N={N}, {'inside' if ok else 'OUTSIDE'} the χ²_N band "
        f"[{lo:.6g}, {hi:.6g}] (measured/claimed variance {S / N:.4f}); false alarm {alpha:.0e} (exact χ² quantiles); "
        f"a scale off by 5% (variance x0.9025 or x1.1025) is missed with probability <= {miss:.1e}",
        max_error=abs(S / N - 1.0),
    )


def _sign_hadamard(n: int, gamma_: float, rng: np.random.Generator) -> np.ndarray:
    """γ D1 H D2: rows mutually orthogonal (X Xᵀ = n γ² I), entries ±γ, zero-mean, independent within a row."""
    from scipy.linalg import hadamard  # lazy

    H = hadamard(n).astype(np.float64)
    d1 = rng.choice([-1.0, 1.0], size=(n, 1))
    d2 = rng.choice([-1.0, 1.0], size=(1, n))
    return gamma_ * d1 * H * d2


def _mlp_layer_outputs(fan_in_: int, fan_out_: int, gamma_: float, rng) -> np.ndarray:
    """o = the logits of a one-layer numeric.mlp.MLP (o = X @ W1 + b1, b1 = 0, W1 ~ N(0, 0.01²)), row-major.

    The inputs X have orthogonal rows (X Xᵀ = n_in γ² I); given X and W1_jc
    i.i.d. N(0, σ²), the entries of o are i.i.d. N(0, n_in σ² γ²) exactly, so
    χ² and z tests are exact.
    """
    from numeric.mlp import MLP

    net = MLP([fan_in_, fan_out_], init="normal", rng=rng)  # one affine layer; biases start at 0
    return net.forward(_sign_hadamard(fan_in_, gamma_, rng))


#: Layer sizes of the forward/backward statistical checks: 64 × 512 outputs = 32768 i.i.d. samples,
#: enough for an exact miss probability < 1e-13 at a 5% scale error (chi2_miss).  64 is a power of
#: two (Sylvester Hadamard matrix); γ = 1.7 is an arbitrary non-unit input scale; σ is the MLP's
#: default init N(0, 0.01²).
_N_SMALL, _N_LARGE, _SIGMA, _GAMMA = 64, 512, 0.01, 1.7


# --- 5.4.4 -------------------------------------------------------------------------------------


@register(
    "5.4.4",
    title="Zero-mean weights give zero-mean outputs",
    latex=r"o_i = \sum_{j=1}^{n_\mathrm{in}} w_{ij} x_j,\ E[w_{ij}] = 0 \Rightarrow E[o_i] = 0",
    statement=lambda: sp.Eq(sp.Symbol(r"\mathrm{E}[o_i]"), layer_moments()[0].subs(mu_w, 0), evaluate=False),
)
def _zero_mean_output(ctx: Context):
    from scipy import stats as sstats  # lazy: ~0.4 s to import

    E_o, _ = layer_moments()
    yield symbolic_equal(E_o, n_in * mu_w * mu_x, "E[o] = Σ_j E[w_j] E[x_j] = n_in μ_w μ_x for symbolic n_in")
    yield symbolic_equal(E_o.subs(mu_w, 0), 0, "E[o] = 0 when μ_w = 0, whatever μ_x and n_in")
    concrete = [_stats_moments(n, "w", "x")[0] for n in (1, 2, 3)]
    yield Check(
        "symbolic-sized",
        all(sp.simplify(e) == 0 for e in concrete),
        f"sympy.stats with distinct normals w_j, x_j, n = 1, 2, 3: E[Σ w_j x_j] = {concrete}",
    )
    o = _mlp_layer_outputs(_N_SMALL, _N_LARGE, _GAMMA, ctx.rng(44))
    sd = math.sqrt(_N_SMALL) * _SIGMA * _GAMMA
    N = o.size
    zstat = float(o.sum() / (sd * math.sqrt(N)))
    zcrit = float(sstats.norm.isf(ALPHA / 2))
    zmiss = float(sstats.norm.isf(ALPHA))  # miss <= 1e-6 once the shift exceeds zcrit + zmiss standard errors
    shift = (zcrit + zmiss) / math.sqrt(N)
    yield Check(
        "statistical",
        abs(zstat) <= zcrit,
        f"mean of the logits o = X W1 + b1 of MLP([{_N_SMALL}, {_N_LARGE}], init='normal') (σ={_SIGMA}, ±γ orthogonal inputs, N={N} exact i.i.d. "
        f"N(0, n_in σ² γ²)): z = {zstat:.3f}, |z| <= {zcrit:.3f}; false alarm {ALPHA:.0e} (exact normal); "
        f"a mean offset >= {shift:.3f} sd(o) is missed with probability <= 1e-6",
        max_error=abs(zstat) / math.sqrt(N),
    )


# --- 5.4.5 -------------------------------------------------------------------------------------


@register(
    "5.4.5",
    title="Variance of a layer's outputs",
    latex=r"\mathrm{Var}[o_i] = n_\mathrm{in} \sigma^2 \gamma^2",
    statement=lambda: sp.Eq(sp.Symbol(r"\mathrm{Var}[o_i]"), n_in * sigma**2 * gamma**2),
)
def _forward_variance(ctx: Context):
    _, var_o = layer_moments()
    yield symbolic_equal(
        var_o,
        n_in * (sigma**2 * gamma**2 + sigma**2 * mu_x**2 + mu_w**2 * gamma**2),
        "Var[o] = n_in (σ²γ² + σ²μ_x² + μ_w²γ²) for symbolic n_in (KroneckerDelta independence model)",
    )
    yield symbolic_equal(
        var_o.subs({mu_w: 0, mu_x: 0}), n_in * sigma**2 * gamma**2, "Var[o] = n_in σ² γ² when μ_w = μ_x = 0"
    )
    concrete = {n: _stats_moments(n, "w", "x")[1] for n in (1, 2, 3)}
    yield Check(
        "symbolic-sized",
        all(sp.simplify(var - n * sigma**2 * gamma**2) == 0 for n, var in concrete.items()),
        f"sympy.stats with 2n distinct normals, n = 1, 2, 3: Var[Σ w_j x_j] = {list(concrete.values())}",
    )
    o = _mlp_layer_outputs(_N_SMALL, _N_LARGE, _GAMMA, ctx.rng(45))
    yield chi2_scale_check(
        o, _N_SMALL * _SIGMA**2 * _GAMMA**2, f"logits of MLP([{_N_SMALL}, {_N_LARGE}], init='normal'), n_in={_N_SMALL}, σ={_SIGMA}, γ={_GAMMA}"
    )


@also_check("5.4.5")
def _variance_chain(ctx: Context):
    """Eq. 5.4.5's chain of expectations as the book writes it, each step checked by verify_chain."""
    from sympy import stats as sps

    from .chain import verify_chain

    n = 2  # sympy.stats needs concrete, distinct random variables (2n of them); n = 2 keeps it < 1 s
    ws = [sps.Normal(f"w{j}", 0, sigma) for j in range(1, n + 1)]
    xs = [sps.Normal(f"x{j}", 0, gamma) for j in range(1, n + 1)]
    o = sum(w * x for w, x in zip(ws, xs))
    sides = [
        ("Var[o_i]", sps.variance(o)),
        ("E[o_i²] - E[o_i]²", sps.E(o**2) - sps.E(o) ** 2),
        ("Σ_j E[w_ij² x_j²]", sum(sps.E(w**2 * x**2) for w, x in zip(ws, xs))),
        ("Σ_j E[w_ij²] E[x_j²]", sum(sps.E(w**2) * sps.E(x**2) for w, x in zip(ws, xs))),
        ("n_in σ² γ²", n * sigma**2 * gamma**2),
    ]
    result = verify_chain([sp.simplify(e) for _, e in sides], seed=ctx.seed)
    for k, check in enumerate(result.steps):
        method = "symbolic-sized" if check.method == "symbolic" else check.method
        yield Check(
            method, check.ok, f"chain at n_in = {n}: {sides[k][0]} = {sides[k + 1][0]}: {check.detail}", check.max_error
        )


# --- 5.4.backward ------------------------------------------------------------------------------


@register(
    "5.4.backward",
    title="Variance of the backward gradients",
    latex=r"\mathrm{Var}\left[\frac{\partial \ell}{\partial x_j}\right] = n_\mathrm{out} \sigma^2 \gamma^2",
    statement=lambda: sp.Eq(sp.Symbol(r"\mathrm{Var}[\partial_{x_j} \ell]"), n_out * sigma**2 * gamma**2),
)
def _backward_variance(ctx: Context):
    # ∂ℓ/∂x_j = Σ_{i=1}^{n_out} w_ij g_i: the forward sum with n_out terms and upstream gradients g_i.
    E_g, var_g = layer_moments(n_out)
    yield symbolic_equal(
        var_g.subs({mu_w: 0, mu_x: 0}),
        n_out * sigma**2 * gamma**2,
        "Var[Σ_i w_ij g_i] = n_out σ² γ² for symbolic n_out (zero-mean w and g, KroneckerDelta model)",
    )
    yield symbolic_equal(E_g.subs(mu_w, 0), 0, "E[∂ℓ/∂x_j] = 0 for zero-mean weights")
    concrete = {n: _stats_moments(n, "w", "g")[1] for n in (1, 2)}
    yield Check(
        "symbolic-sized",
        all(sp.simplify(var - n * sigma**2 * gamma**2) == 0 for n, var in concrete.items()),
        f"sympy.stats with distinct normals w_i, g_i, n_out = 1, 2: Var[Σ w_i g_i] = {list(concrete.values())}",
    )
    from numeric.mlp import MLP, backward_signal

    rng = ctx.rng(46)
    W = MLP([_N_LARGE, _N_SMALL], init="normal", rng=rng).params[0]  # the layer's W1: fan_in 512, n_out 64
    # Upstream ∂ℓ/∂o with orthogonal rows of variance γ², independent of W (the claim's model; a real
    # loss's gradient depends on W through o, so it cannot serve here): orthogonal rows make the rows of
    # G Wᵀ independent, so the χ² count is exact.
    G = _sign_hadamard(_N_SMALL, _GAMMA, rng)
    dX = backward_signal(G, W)  # the rule MLP.backward applies: ∂ℓ/∂X = G Wᵀ (before ⊙ φ')
    yield chi2_scale_check(
        dX, _N_SMALL * _SIGMA**2 * _GAMMA**2,
        f"∂ℓ/∂X = numeric.mlp.backward_signal(G, W1) (MLP.backward's rule) for MLP([{_N_LARGE}, {_N_SMALL}], "
        f"init='normal'), n_out={_N_SMALL}, σ={_SIGMA}, upstream γ={_GAMMA}",
    )


# --- the initializers --------------------------------------------------------------------------

#: Layer shapes (fan_in, fan_out) the initializer checks sample: the book's 784-256-10 MLP, a wide
#: square layer and a tiny one; each is drawn repeatedly until >= _MIN_SAMPLES weights are in.
_SHAPES = ((784, 256), (256, 10), (256, 256), (3, 5))
#: 40000 i.i.d. draws: exact χ² miss probability < 1e-18 at a 5% scale error (chi2_miss).
_MIN_SAMPLES = 40_000


def _draws(initializer, fan_in_: int, fan_out_: int, rng, **kw) -> np.ndarray:
    reps = -(-_MIN_SAMPLES // (fan_in_ * fan_out_))  # ceiling division
    return np.concatenate([initializer(fan_in_, fan_out_, rng=rng, **kw).ravel() for _ in range(reps)])


def _initializer_checks(name: str, variance_of, ctx: Context, salt: int, **kw):
    """χ² checks for every shape of _SHAPES at level ALPHA / len(_SHAPES) each (Bonferroni: ALPHA in all)."""
    from numeric import init

    initializer = getattr(init, name)
    rng = ctx.rng(salt)
    for fi, fo in _SHAPES:
        W = _draws(initializer, fi, fo, rng, **kw)
        yield chi2_scale_check(
            W, variance_of(fi, fo), f"numeric.init.{name}({fi}, {fo})", alpha=ALPHA / len(_SHAPES)
        )


FANS = st.tuples(st.integers(1, 10_000), st.integers(1, 10_000))


@register(
    "5.4.6",
    title="Xavier (Glorot) normal initialization",
    latex=r"\tfrac12 (n_\mathrm{in} + n_\mathrm{out}) \sigma^2 = 1 \iff \sigma = \sqrt{\frac{2}{n_\mathrm{in} + n_\mathrm{out}}}",
    statement=lambda: sp.Eq(sigma, sp.sqrt(xavier_variance())),
)
def _xavier_normal(ctx: Context):
    s2 = xavier_variance()
    yield symbolic_equal(s2, 2 / (n_in + n_out), "solve(½(n_in + n_out)σ² = 1) gives σ² = 2/(n_in + n_out)")
    yield symbolic_true(
        sp.Eq(sp.Rational(1, 2) * (n_in * s2 + n_out * s2), 1),
        "the solution averages the forward (n_in σ²) and backward (n_out σ²) gains to 1",
    )
    from numeric import init

    f = sp.lambdify((n_in, n_out), sp.sqrt(s2), "math")
    yield hypothesis_check(
        "numeric", "numeric.init.xavier_std vs the SymPy solution (relative error)", FANS,
        lambda fans: abs(init.xavier_std(*fans) / f(*fans) - 1.0),
        ctx=ctx, tol=4 * 2.0**-52, salt=61,  # a division, a sqrt and rounding of both sides: <= 4 ulp
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
        "numeric", "numeric.init.xavier_uniform_bound vs the SymPy solution (relative error)", FANS,
        lambda fans: abs(init.xavier_uniform_bound(*fans) / f(*fans) - 1.0),
        ctx=ctx, tol=6 * 2.0**-52, salt=71,  # two sqrts, a product, a division: <= 6 ulp
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
            f"(T^N ~ U(0,1) exactly: false alarm {alpha:.1e}); a scale x1.05 exceeds 1 unless all N draws "
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
            f"(Hoeffding, false alarm {alpha:.1e}); a 5% scale error is missed with probability <= {miss:.1e}",
            max_error=abs(m - 1 / 3),
        )


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
        "numeric", init.DEFAULT_SIGMA == 0.01,
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
        "statistical", abs(zstat) <= zcrit,
        f"mean of numeric.init.normal(256, 256) draws: z = {zstat:.3f}, |z| <= {zcrit:.3f} "
        f"(false alarm {ALPHA:.0e}, exact normal); a mean offset >= "
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
    yield symbolic_equal(relu2, var_l / 2, f"Laplace(0, a): ∫_0^∞ z² p = {relu2} = Var(z)/2 (sympy.stats Var = {var_l})")
    uni = sps.Uniform("z_U", -a, a)
    uni_m = sps.E(sp.Piecewise((uni**2, uni > 0), (0, True)))
    yield symbolic_equal(uni_m, sps.variance(uni) / 2, "sympy.stats: U(-a, a) also has E[ReLU(z)²] = Var(z)/2")
    yield symbolic_equal(he_variance(), 2 / n_in, "solve(n_in σ² · v/2 = v) gives σ² = 2/n_in")
    from numeric import init

    f = sp.lambdify((n_in,), sp.sqrt(he_variance()), "math")
    yield hypothesis_check(
        "numeric", "numeric.init.he_std vs the SymPy solution (relative error)", FANS,
        lambda fans: abs(init.he_std(fans[0]) / f(fans[0]) - 1.0),
        ctx=ctx, tol=4 * 2.0**-52, salt=91,  # a division and a sqrt on each side: <= 4 ulp
    )
    g = sp.lambdify((n_in,), he_variance(), "math")
    yield from _initializer_checks("he_normal", lambda fi, fo: g(fi), ctx, salt=92)
