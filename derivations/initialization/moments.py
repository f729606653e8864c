"""Claims 5.4.4, 5.4.5 and 5.4.backward: mean and variance of a layer's outputs and of its backward gradients.

Independence is modelled explicitly: ``sympy.stats`` applied to ``Sum(w, (j,
1, n))`` of ONE random variable gives ``n² σ²`` (every term is the same
variable), so the symbolic-``n`` proofs expand ``E[o²] = Σ_j Σ_k E[w_j w_k]
E[x_j x_k]`` with ``E[w_j w_k] = σ² δ_jk + μ_w²`` (KroneckerDelta), and
``sympy.stats`` with distinct random variables confirms them at n = 1, 2, 3.
The symbols below are shared by the other modules of this package.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import sympy as sp

from ..checking import symbolic_equal
from ..claims import Check, Context, also_check, register
from .sampling import ALPHA, chi2_scale_check

__all__ = ["a", "gamma", "layer_moments", "mu_w", "mu_x", "n_in", "n_out", "sigma", "v"]

n_in, n_out = sp.symbols("n_in n_out", integer=True, positive=True)
sigma, gamma, a, v = sp.symbols("sigma gamma a v", positive=True)
mu_w, mu_x = sp.symbols("mu_w mu_x", real=True)
j, k = sp.symbols("j k", integer=True, positive=True)


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
        f"N(0, n_in σ² γ²)): z = {zstat:.3f}, |z| <= {zcrit:.3f}; false alarm {ALPHA:.2g} (exact normal); "
        f"a mean offset >= {shift:.3f} sd(o) is missed with probability <= 1e-6",
        max_error=abs(zstat) / math.sqrt(N),
    )
    # Power against a weight MEAN: the claim is E[o] = 0 for zero-mean weights whatever the inputs' mean,
    # and E[o] = n_in μ_w μ_x, so the inputs must have μ_x ≠ 0 for a weight mean to show.  Inputs X (rows
    # i.i.d. N(μ_x = 1, γ²)), weights of MLP([64, 512], init='normal'): given X, T = Σ_rc o_rc = aᵀ W 1 with
    # a = Xᵀ1, so under μ_w = 0, T ~ N(0, n_out σ² ‖a‖²) exactly.  Under a weight mean μ_w, E T = μ_w n_out Σ_j a_j:
    # the shift in sd is (μ_w/σ) √n_out Σa/‖a‖, and μ_w/σ >= (zcrit + zmiss) ‖a‖ / (√n_out Σa) is caught w.p. >= 1 - 1e-6.
    from numeric.mlp import MLP

    rng = ctx.rng(47)
    X = 1.0 + _GAMMA * rng.standard_normal((_N_SMALL, _N_SMALL))
    net = MLP([_N_SMALL, _N_LARGE], init="normal", rng=rng)
    o = net.forward(X)
    a_ = X.sum(axis=0)
    T = float(o.sum() / (_SIGMA * math.sqrt(_N_LARGE) * np.linalg.norm(a_)))
    smallest = (zcrit + zmiss) * float(np.linalg.norm(a_)) / (math.sqrt(_N_LARGE) * float(a_.sum()))
    yield Check(
        "statistical",
        abs(T) <= zcrit,
        f"mean of the logits of MLP([{_N_SMALL}, {_N_LARGE}], init='normal') on inputs with mean μ_x = 1 (γ = {_GAMMA}): "
        f"z = {T:.3f}, |z| <= {zcrit:.3f} (exact normal given X, false alarm {ALPHA:.2g}); a weight mean "
        f"μ_w >= {smallest:.4f} σ (E[o] = n_in μ_w μ_x ≠ 0) is caught with probability >= 1 - 1e-6",
        max_error=abs(T) / math.sqrt(o.size),
    )
    yield Check(
        "statistical",
        True,
        f"overall false alarm of 5.4.4 <= {2 * ALPHA:.2g} (union bound over its 2 "
        f"statistical checks at {ALPHA:.2g} each)",
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
        o,
        _N_SMALL * _SIGMA**2 * _GAMMA**2,
        f"logits of MLP([{_N_SMALL}, {_N_LARGE}], init='normal'), n_in={_N_SMALL}, σ={_SIGMA}, γ={_GAMMA}",
    )


@also_check("5.4.5")
def _variance_chain(ctx: Context):
    """Eq. 5.4.5's chain of expectations as the book writes it, each step checked by verify_chain."""
    from sympy import stats as sps

    from ..chain import verify_chain

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
        dX,
        _N_SMALL * _SIGMA**2 * _GAMMA**2,
        f"∂ℓ/∂X = numeric.mlp.backward_signal(G, W1) (MLP.backward's rule) for MLP([{_N_LARGE}, {_N_SMALL}], "
        f"init='normal'), n_out={_N_SMALL}, σ={_SIGMA}, upstream γ={_GAMMA}",
    )
