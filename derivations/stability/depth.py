"""The depth experiment (:func:`numeric.stability.depth_experiment`), attached to 5.4.default, 5.4.6 and 5.4.he.

50 layers of width 256: the default N(0, 0.01²) makes forward and backward
variances decay geometrically; Xavier keeps tanh on its mean-field curve; He
keeps ReLU constant (and Xavier with ReLU halves per layer).  Each measured
curve is held to its prediction by a random-walk band with false-alarm
probability ALPHA, the mean of :data:`_REPLICATES` independent runs, tight
enough that weights scaled by 1.1 fail with probability >= 1 - ALPHA.
"""

from __future__ import annotations

import math
from functools import cache
from statistics import NormalDist

import numpy as np

from ..claims import Check, Context, also_check
from ..initialization import ALPHA

__all__: list[str] = []

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
#: One-sided quantile for the power statements: an alternative whose mean deviation exceeds the band by
#: _Z_MISS sd at some layer is missed with probability <= ALPHA.
_Z_MISS = NormalDist().inv_cdf(1 - ALPHA)
#: The band checks average the log-variance curves of _REPLICATES independent runs of batch _BATCH: the
#: step model above is for ONE input row (a batch only lowers it), so a batch of 8 is as good for the
#: model, and the mean of 48 independent walks has sd sqrt(v l / (width · 48)).  The power needed fixes
#: the count: with one run of batch 256 the band (5.6 sd of a walk of step variance 7/256) accepts a
#: ReLU variance gain x1.30 per layer, so weights x1.1 (gain x1.21) passed.  The binding case is tanh
#: backward at layer 1 (x1.1 predicts 0.229 vs 0.0143, log ratio 2.77, of which the two drift bounds take
#: 1.13): 48 runs leave 5.1 sd beyond the band, >= the 4.75 needed for a miss <= ALPHA (32 runs: 3.1).
#: Cost: weight sampling, 48 x 50 x 256² normals per claim (~2 s on one busy core).
_REPLICATES, _BATCH = 48, 8
#: The wrong alternative every band check must catch with probability >= 1 - ALPHA: weights x1.1.
_ALT_SCALE = 1.1
#: One rate check (the mean of 40 log-gains), two-sided at ALPHA.
_Z_ONE = NormalDist().inv_cdf(1 - ALPHA / 2)


def _walk(activation: str, direction: str, layers, runs: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(sd, drift bound) of the mean of ``runs`` log-variance walks after ``layers`` steps.

    sd = sqrt(v·l/(width·runs)); the drift: E log X = log E X − Var X / 2 + …, so each walk's mean (and
    hence the average's) moves by up to v·l/(2·width), whatever the number of runs.
    """
    v = _STEP_VAR[activation, direction] / _WIDTH
    layers = np.asarray(layers, dtype=float)
    return np.sqrt(v * layers / runs), v * layers / 2


@cache
def _experiment(init_name: str, activation: str, seed: int, replicate: int | None = None):
    """One depth experiment: batch 256 (``replicate=None``), or replicate r of the band checks' batch-32 runs."""
    from numeric.stability import depth_experiment

    if replicate is None:
        rng = np.random.default_rng([seed, 77])
        return depth_experiment(init_name, activation, depth=_DEPTH, width=_WIDTH, rng=rng)
    rng = np.random.default_rng([seed, 78, replicate])
    return depth_experiment(init_name, activation, depth=_DEPTH, width=_WIDTH, batch=_BATCH, rng=rng)


def _mean_log_curves(init_name: str, activation: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Means over the _REPLICATES runs of log Var z and of log Var ∂ℓ/∂h, per layer."""
    runs = [_experiment(init_name, activation, seed, r) for r in range(_REPLICATES)]
    forward = np.mean([np.log(r.preactivation_variance) for r in runs], axis=0)
    backward = np.mean([np.log(r.gradient_variance) for r in runs], axis=0)
    return forward, backward


@cache
def _gauss_hermite(nodes: int = 80):
    """Probabilists' Gauss-Hermite rule: E[g(ξ)], ξ ~ N(0, 1), exact for polynomials of degree < 160."""
    from numpy.polynomial.hermite_e import hermegauss

    xi, w = hermegauss(nodes)
    return xi, w / w.sum()


def _mean_field_tanh(q1: float, depth: int, gain: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Square tanh layers with n σ² = gain (Xavier: 1): q_{l+1} = gain E[tanh(√q_l ξ)²]; Var g_{l-1} = gain E[tanh'(z_l)²] Var g_l."""
    xi, w = _gauss_hermite()
    q = [q1]
    for _ in range(depth - 1):
        q.append(gain * float(w @ np.tanh(math.sqrt(q[-1]) * xi) ** 2))
    chi = np.array([gain * float(w @ (1 - np.tanh(math.sqrt(qq) * xi) ** 2) ** 2) for qq in q])
    return np.array(q), np.cumprod(chi[::-1])[::-1]  # upstream Var ∂ℓ/∂h^(depth) = 1


def _band_check(
    mean_log: np.ndarray,
    predicted: np.ndarray,
    alternative: np.ndarray,
    what: str,
    activation: str,
    seed: int,
    *,
    backward: bool = False,
) -> Check:
    """|mean log(measured) − log(predicted)| inside the random-walk band at every layer (false alarm <= ALPHA).

    ``mean_log`` is the mean over _REPLICATES runs; ``alternative`` is the prediction for weights x1.1,
    which the check must reject: it is missed with probability <= ALPHA if, at some layer, its deviation
    from the prediction exceeds the band plus its own drift plus _Z_MISS sd (the power line says where).
    """
    direction = "backward" if backward else "forward"
    steps = np.arange(len(mean_log), 0, -1) if backward else np.arange(1, len(mean_log) + 1)
    sd, drift = _walk(activation, direction, steps, _REPLICATES)
    band = _Z_LAYERS * sd + drift
    dev = np.abs(mean_log - np.log(predicted))
    worst = int(np.argmax(dev / band))
    margin = (np.abs(np.log(alternative / predicted)) - band - drift) / sd  # in sd of the mean walk
    best = int(np.argmax(margin))
    power = (
        f"weights x{_ALT_SCALE} (predicted {alternative[best]:.3g} vs {predicted[best]:.3g} at layer {best + 1}) "
        f"{'are' if margin[best] >= _Z_MISS else 'are NOT'} caught with probability >= 1 - {ALPHA:g} "
        f"({margin[best]:.1f} sd beyond the band there, >= {_Z_MISS:.2f} needed)"
    )
    return Check(
        "statistical",
        bool(np.all(dev <= band)),
        f"{what}: |mean log(measured) − log(predicted)| over {_REPLICATES} runs of batch {_BATCH} inside a "
        f"random-walk band at all {_DEPTH} layers (worst layer {worst + 1}: {dev[worst]:.3f} vs band "
        f"{band[worst]:.3f}; seed {seed}); false alarm <= {ALPHA:g} under the model (per-layer log-gain variance "
        f"{_STEP_VAR[activation, direction]:g}/width per run, {_Z_LAYERS:.2f} sd, Bonferroni over layers); {power}; "
        f"measured layer 1 {math.exp(mean_log[0]):.3g}, layer {_DEPTH} {math.exp(mean_log[-1]):.3g}",
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
    yield _rate_check(
        tanh_.preactivation_variance, _WIDTH * sigma2, "depth 50, N(0, 0.01²), tanh, forward Var z", "tanh", "forward"
    )
    yield _rate_check(
        tanh_.gradient_variance[::-1],
        _WIDTH * sigma2,
        "depth 50, N(0, 0.01²), tanh, backward Var ∂ℓ/∂h",
        "tanh",
        "backward",
    )
    yield _rate_check(
        relu_.preactivation_variance,
        _WIDTH * sigma2 / 2,
        "depth 50, N(0, 0.01²), ReLU, forward Var z",
        "relu",
        "forward",
    )


@also_check("5.4.6")
def _xavier_keeps_tanh(ctx: Context):
    forward, backward = _mean_log_curves("xavier_normal", "tanh", ctx.seed)
    q, g = _mean_field_tanh(1.0, _DEPTH)  # Var z^(1) = width · (1/width) · Var x = 1
    r2 = _ALT_SCALE**2  # weights x1.1: every layer's n σ² is 1.21, and Var z^(1) too
    q_alt, g_alt = _mean_field_tanh(r2, _DEPTH, gain=r2)
    yield _band_check(
        forward,
        q,
        q_alt,
        "depth 50, Xavier, tanh, forward Var z vs mean field (no geometric decay: q_l ~ 1/(2l), 0.01 at layer 50)",
        "tanh",
        ctx.seed,
    )
    yield _band_check(
        backward, g, g_alt, "depth 50, Xavier, tanh, backward Var ∂ℓ/∂h vs mean field", "tanh", ctx.seed, backward=True
    )


@also_check("5.4.he")
def _he_keeps_relu(ctx: Context):
    forward, backward = _mean_log_curves("he_normal", "relu", ctx.seed)
    layers = np.arange(1, _DEPTH + 1)
    r2 = _ALT_SCALE**2  # weights x1.1: the ReLU net is homogeneous, every layer's gain x1.21
    # He: width · (2/width) · E[ReLU(z)²] = Var z, so Var z stays at its layer-1 value 2 (= width σ² Var x).
    yield _band_check(
        forward,
        np.full(_DEPTH, 2.0),
        2 * r2**layers,
        "depth 50, He, ReLU, forward Var z constant (= 2)",
        "relu",
        ctx.seed,
    )
    yield _band_check(
        backward,
        np.ones(_DEPTH),
        r2 ** (_DEPTH + 1 - layers),
        "depth 50, He, ReLU, backward Var ∂ℓ/∂h constant (= 1)",
        "relu",
        ctx.seed,
        backward=True,
    )
    x = _experiment("xavier_normal", "relu", ctx.seed)
    yield _rate_check(
        x.preactivation_variance, 0.5, "contrast: Xavier with ReLU, forward Var z halves per layer", "relu", "forward"
    )
