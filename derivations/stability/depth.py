"""The depth experiment (:func:`numeric.stability.depth_experiment`), attached to 5.4.default, 5.4.6 and 5.4.he.

50 layers of width 256: the default N(0, 0.01²) makes forward and backward
variances decay geometrically; Xavier keeps tanh on its mean-field curve; He
keeps ReLU constant (and Xavier with ReLU halves per layer).  Each measured
curve is held to its prediction by a random-walk band with false-alarm
probability ALPHA.
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
